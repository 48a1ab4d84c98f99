"""The one place that reads the wall clock.

Domain functions take ``now`` as a parameter; actions and consumers call
``clock.now()`` (tests monkeypatch it, nobody sleeps).
"""

from __future__ import annotations

from datetime import datetime

from cnam.settings import get_settings


def now() -> datetime:
    """The current time, aware, in the project's time zone (Indian/Mayotte)."""
    return datetime.now(get_settings().tz)
