"""``python -m bench.rasa_server [--model PATH] [--cached-validation]``: ``stack.run rasa``, in this process.

The same server with the same arguments, run here rather than exec'd so
that a what-if can change it first:

- ``--model``: a given trained model (the benchmark pins the model at its
  start: the data, hence the current model, may change during a run);
- ``--cached-validation``: Rasa checks every answer of the action server
  with ``jsonschema.validate``, which first checks the schema itself
  against its meta-schema, every call (``validation_cost()``). A validator
  built once gives the same verdict; on failure the original check runs,
  so errors read the same.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

from stack import run

# A typical answer of the action server: a form step (slots set, next question).
SAMPLE_ANSWER = {
    "events": [
        {"event": "slot", "name": "tranche_age", "value": "18_25", "timestamp": None},
        {"event": "slot", "name": "requested_slot", "value": "situation", "timestamp": None},
    ],
    "responses": [{"response": "utter_ask_situation"}],
}


def validation_cost(repeat: int = 50) -> dict[str, float]:
    """Milliseconds per check of SAMPLE_ANSWER: Rasa's way, and with a validator built once."""
    # Rasa is imported only when needed: it takes seconds, and after main() set the environment.
    from jsonschema import validate, validators
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    validator = validators.validator_for(schema)(schema)
    costs = {}
    for name, check in (("jsonschema.validate", lambda: validate(SAMPLE_ANSWER, schema)),
                        ("validator built once", lambda: validator.validate(SAMPLE_ANSWER))):
        start = time.perf_counter()
        for _ in range(repeat):
            check()
        costs[name] = round((time.perf_counter() - start) / repeat * 1000, 2)
    return costs


def cache_action_validation() -> None:
    from jsonschema import validators
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    validator = validators.validator_for(schema)(schema)
    check = RemoteAction._validate_action_result

    def validate(self: RemoteAction, result: dict[str, Any]) -> bool:
        return validator.is_valid(result) or check(self, result)

    RemoteAction._validate_action_result = validate  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.rasa_server")
    parser.add_argument("--model", type=Path)
    parser.add_argument("--cached-validation", action="store_true")
    args = parser.parse_args()
    if args.model is not None:
        model = args.model.resolve()
        run.model_path = lambda: model  # the one thing rasa_command() takes from the data
    command = run.rasa_command()
    os.environ.update(run.server_env())
    os.chdir(run.ROOT)
    if args.cached_validation:
        cache_action_validation()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *command[3:]]  # command: python -m rasa run …
    rasa_main()


if __name__ == "__main__":
    main()
