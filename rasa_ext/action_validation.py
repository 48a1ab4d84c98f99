"""Check the action server's answers with a JSON-schema validator built once.

Rasa 3.6 checks every answer of the action server with
``jsonschema.validate``, which first checks the schema itself against its
meta-schema, on every call: the largest cost of a turn after the models
(BENCHMARKS.md, "Levers"). A validator built once gives the same verdict; an
answer it refuses still goes through Rasa's own check, so the refusal and its
log read exactly as before.
"""

from __future__ import annotations

from typing import Any


def install() -> None:
    """Replace ``RemoteAction._validate_action_result`` in this process (idempotent)."""
    # Imported here: Rasa takes seconds to import and reads its environment on import.
    from jsonschema import validators
    from rasa.core.actions.action import RemoteAction

    rasa_check = RemoteAction._validate_action_result
    if getattr(rasa_check, "cached_validator", False):
        return
    schema = RemoteAction.action_response_format_spec()
    validator = validators.validator_for(schema)(schema)

    def validate(self: RemoteAction, result: dict[str, Any]) -> bool:
        return validator.is_valid(result) or rasa_check(self, result)

    validate.cached_validator = True  # type: ignore[attr-defined]
    RemoteAction._validate_action_result = validate  # type: ignore[method-assign]
