"""``python -m bench.rasa_server [--model PATH] [--stock NAME]…``: ``stack.run rasa`` with what-ifs.

- ``--model``: a given trained model (the benchmark pins the model at its
  start: the data, hence the current model, may change during a run);
- ``--stock NAME``: without one of ``rasa_ext.speedups.SPEEDUPS``, i.e. Rasa's own
  code: ``validation`` (``jsonschema.validate`` of every action-server answer,
  which first checks the schema against its meta-schema; ``validation_cost()``
  measures both ways), ``load`` (a training step to build each model before
  restoring its weights), ``events`` (event classes looked up at every event).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from rasa_ext import speedups
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


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.rasa_server")
    parser.add_argument("--model", type=Path)
    parser.add_argument("--stock", action="append", default=[], choices=sorted(speedups.SPEEDUPS))
    args = parser.parse_args()
    run.serve_rasa(args.model and args.model.resolve(), stock=args.stock)


if __name__ == "__main__":
    main()
