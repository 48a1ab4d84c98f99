"""The one place that reads the wall clock.

Domain functions take ``now`` as a parameter; actions and consumers call
``clock.now()``. Unit tests monkeypatch it; the end-to-end tests move the
clock of every process at once through ``CLOCK_OFFSET_FILE``: a file holding
a number of seconds added to the wall clock (unset in production). Nobody
sleeps to let time pass.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

from cnam.settings import get_settings

# (path, mtime_ns) → offset: the file is read again only when it changes.
_read: dict[tuple[str, int], timedelta] = {}


def _offset(path: str) -> timedelta:
    try:
        stamp = os.stat(path).st_mtime_ns
    except OSError:
        return timedelta()
    key = (path, stamp)
    if key not in _read:
        _read.clear()
        try:
            _read[key] = timedelta(seconds=float(Path(path).read_text().strip() or 0))
        except (OSError, ValueError):
            _read[key] = timedelta()
    return _read[key]


def now() -> datetime:
    """The current time, aware, in the project's time zone (Indian/Mayotte)."""
    settings = get_settings()
    current = datetime.now(settings.tz)
    return current + _offset(settings.clock_offset_file) if settings.clock_offset_file else current
