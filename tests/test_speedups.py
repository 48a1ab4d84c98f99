"""rasa_ext.speedups: installed only on the Rasa version they were written for,
and not at all with RASA_SPEEDUPS=off."""

from __future__ import annotations

import logging

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event
from rasa.utils.endpoints import EndpointConfig
from rasa.utils.tensorflow.models import RasaModel

from cnam.settings import get_settings
from rasa_ext import speedups


@pytest.fixture(autouse=True)
def _restore_rasa(monkeypatch: pytest.MonkeyPatch) -> None:
    # Restored after each test: the replacements are for the Rasa server's process.
    monkeypatch.setattr(Event, "resolve_by_type", Event.__dict__["resolve_by_type"])
    monkeypatch.setattr(RemoteAction, "_validate_action_result",
                        RemoteAction.__dict__["_validate_action_result"])
    monkeypatch.setattr(RasaModel, "load", RasaModel.__dict__["load"])
    monkeypatch.setattr(EndpointConfig, "session", EndpointConfig.__dict__["session"])


def _rasa_methods() -> tuple[object, ...]:
    return (Event.__dict__["resolve_by_type"], RemoteAction.__dict__["_validate_action_result"],
            RasaModel.__dict__["load"], EndpointConfig.__dict__["session"])


def test_the_locked_rasa_is_the_tested_one() -> None:
    assert speedups.installed_rasa() == speedups.TESTED_RASA


def test_another_rasa_version_is_refused_in_one_line(caplog: pytest.LogCaptureFixture) -> None:
    before = _rasa_methods()
    with caplog.at_level(logging.INFO, logger=speedups.__name__):
        assert speedups.install(rasa_version="3.7.0") == []
    assert _rasa_methods() == before
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert "3.6.21" in record.getMessage() and "3.7.0" in record.getMessage()


def test_switched_off_by_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RASA_SPEEDUPS", "off")
    get_settings.cache_clear()
    try:
        assert get_settings().rasa_speedups is False
        before = _rasa_methods()
        assert speedups.install() == []
        assert _rasa_methods() == before
    finally:
        monkeypatch.delenv("RASA_SPEEDUPS")
        get_settings.cache_clear()


def test_installs_all_but_the_stock_ones() -> None:
    assert speedups.install(stock=("load", "validation", "keepalive")) == ["events"]
    assert Event.resolve_by_type.cached  # type: ignore[attr-defined]
    assert not getattr(RemoteAction._validate_action_result, "cached_validator", False)
    assert not getattr(EndpointConfig.session, "kept_alive", False)
    assert speedups.install() == ["validation", "load", "events", "keepalive"]
    assert EndpointConfig.session.kept_alive  # type: ignore[attr-defined]
    assert RemoteAction._validate_action_result.cached_validator  # type: ignore[attr-defined]
    assert RasaModel.load.without_training_step  # type: ignore[attr-defined]
