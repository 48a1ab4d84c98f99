"""Four replacements of Rasa internals that make the server faster, each
measured (BENCHMARKS.md, "Levers") and tested to give what Rasa's own code
gives (tests/test_action_validation.py, test_event_types.py,
test_model_loading.py):

- ``validation``: the action server's answers checked by a JSON-schema
  validator built once (``action_validation.py``);
- ``events``: an event's class looked up by name once (``event_types.py``);
- ``load``: trained models loaded without a training step (``model_loading.py``);
- ``keepalive``: the action server called over kept-alive connections
  (``action_calls.py``).

They replace methods of Rasa 3.6.21 and are installed only on that version:
on any other, none is, and one log line says so. ``RASA_SPEEDUPS=off``
turns them all off (Rasa's own code runs, slower).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection

from cnam.settings import get_settings
from rasa_ext import action_calls, action_validation, event_types, model_loading

log = logging.getLogger(__name__)

TESTED_RASA = "3.6.21"
SPEEDUPS: dict[str, Callable[[], None]] = {
    "validation": action_validation.install,
    "load": model_loading.install,
    "events": event_types.install,
    "keepalive": action_calls.install,
}


def installed_rasa() -> str:
    from rasa.version import __version__

    return __version__


def install(stock: Collection[str] = (), rasa_version: str | None = None) -> list[str]:
    """Install the speed-ups but those named in ``stock``; returns the names installed."""
    if not get_settings().rasa_speedups:
        log.info("Rasa speed-ups off (RASA_SPEEDUPS): Rasa's own code runs")
        return []
    version = rasa_version or installed_rasa()
    if version != TESTED_RASA:
        log.warning(
            "Rasa speed-ups not installed: written for Rasa %s, this is Rasa %s", TESTED_RASA, version
        )
        return []
    chosen = [name for name in SPEEDUPS if name not in stock]
    for name in chosen:
        SPEEDUPS[name]()
    return chosen
