"""The clock every process reads, and how the end-to-end tests move it."""

import os
from datetime import timedelta

from cnam import clock
from cnam.settings import get_settings


def _read_with(monkeypatch, path: str):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(get_settings(), "clock_offset_file", path)
    return clock.now()


def test_the_clock_is_the_wall_clock_in_mayotte_without_an_offset_file(monkeypatch):
    assert str(_read_with(monkeypatch, "").tzinfo) == "Indian/Mayotte"


def test_an_offset_file_moves_the_clock_and_a_new_offset_is_read(tmp_path, monkeypatch):
    offset = tmp_path / "clock"
    offset.write_text(str(3 * 24 * 3600))
    ahead = _read_with(monkeypatch, str(offset))
    assert timedelta(days=3, seconds=-5) < ahead - _read_with(monkeypatch, "") < timedelta(days=3, seconds=5)
    offset.write_text("-3600")
    os.utime(offset, ns=(1, 1))  # a different mtime, as a later write has
    behind = _read_with(monkeypatch, str(offset))
    assert timedelta(minutes=59) < _read_with(monkeypatch, "") - behind < timedelta(minutes=61)


def test_a_missing_or_unreadable_file_is_no_offset(tmp_path, monkeypatch):
    (tmp_path / "bad").write_text("demain")
    for path in (tmp_path / "absent", tmp_path / "bad"):
        moved = _read_with(monkeypatch, str(path))
        assert abs((moved - _read_with(monkeypatch, "")).total_seconds()) < 5
