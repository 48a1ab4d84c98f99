"""Settings from the environment (cnam/settings.py): an empty variable means
the default, so `.env.example` used as an env file gives a working configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from cnam.settings import Settings

EXAMPLE = Path(__file__).resolve().parents[1] / ".env.example"


def env_file(path: Path) -> dict[str, str]:
    """``KEY=value`` lines as docker's --env-file or systemd read them: empty values kept."""
    lines = path.read_text(encoding="utf-8").splitlines()
    pairs = (line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))
    return {key.strip(): value for key, value in pairs}


@pytest.mark.parametrize("name", sorted(Settings.__fields__))
@pytest.mark.parametrize("empty", ["", "  "])
def test_an_empty_variable_means_the_default(
    monkeypatch: pytest.MonkeyPatch, name: str, empty: str
) -> None:
    monkeypatch.setenv(name.upper(), empty)
    assert getattr(Settings(), name) == Settings.__fields__[name].default


def test_env_example_as_an_environment_gives_valid_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    example = env_file(EXAMPLE)
    assert example["ADVISER_CHAT_ID"] == ""  # the case that used to crash
    for key, value in example.items():
        monkeypatch.setenv(key, value)
    settings = Settings()
    assert settings.adviser_chat_id == 0 and settings.telegram_bot_token == ""
    assert settings.retention_days == 180 and settings.rasa_speedups is True
    # Every variable of the example is a setting (no typo, none left behind).
    assert {key.lower() for key in example} <= set(Settings.__fields__)


def test_a_set_variable_still_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVISER_CHAT_ID", "-1001234")
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:1/bot")
    settings = Settings()
    assert (settings.adviser_chat_id, settings.telegram_api_base_url) == (-1001234, "http://127.0.0.1:1/bot")
