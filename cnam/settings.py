"""Configuration, read only from environment variables (see README)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseSettings, validator

SettingsSource = Callable[[BaseSettings], dict[str, Any]]


def _without_empty(source: SettingsSource) -> SettingsSource:
    """An empty variable means "not set": `.env.example` leaves optional values
    empty (``ADVISER_CHAT_ID=``), and an env file sets them to ""."""

    def read(settings: BaseSettings) -> dict[str, Any]:
        return {k: v for k, v in source(settings).items() if not (isinstance(v, str) and not v.strip())}

    return read


class Settings(BaseSettings):
    telegram_bot_token: str = ""
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    # The bot's @username, for campaign links and their QR codes (bot/qr.py).
    telegram_bot_username: str = ""
    adviser_chat_id: int = 0
    # Comma-separated Telegram user ids allowed to act as advisers besides
    # the members of the advisers' group.
    adviser_ids: str = ""
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_prefix: str = "cnam"
    rasa_url: str = "http://127.0.0.1:5005"
    # Several Rasa servers for the front, separated by commas (each chat sticks
    # to one, bot/rasa_client.py); empty: RASA_URL alone.
    rasa_urls: str = ""
    rasa_token: str = "change-me"
    # Seconds the front waits for Rasa before apologising (the user is waiting).
    rasa_connect_timeout: float = 3.0
    rasa_timeout: float = 20.0
    action_server_url: str = "http://127.0.0.1:5055/webhook"
    timezone: str = "Indian/Mayotte"
    retention_days: int = 180
    webhook_url: str = ""
    webhook_secret: str = ""
    # Secret salt of the pseudonymous ids in logs (cnam/logsafe.py); falls back
    # to RASA_TOKEN when empty, so set it in production.
    log_salt: str = ""
    # Local port of the webhook server (a reverse proxy terminates TLS).
    webhook_port: int = 8443
    catalog_dir: str = "catalog"
    # Seconds between two passes of the reminder loop (bot/reminder_sender.py).
    reminder_interval: float = 60.0
    # Minutes a card may wait for "Je prends" before it is raised again in the
    # advisers' group (bot/unclaimed.py), once per such delay; 0: never.
    unclaimed_raise_minutes: float = 30.0
    # Mayotte time (HH:MM) of the day's agenda posted in the advisers' group
    # (bot/morning_agenda.py), sent until noon; "off": never.
    agenda_morning: str = "07:30"
    # Longest wait (seconds) before a background task retries: a card while the
    # group is unreachable, a loop restarted after a failure (bot/supervisor.py).
    background_retry_max: float = 300.0
    # After each appointment the advisers are asked on its case who came
    # (bot/aftercare_sender.py); off: not asked (so no follow-up either).
    attendance_check: bool = True
    # Days after an attended appointment before the person is asked how useful it was.
    followup_days: int = 7
    # The advisers' weekly digest, Monday 8 h (bot/weekly_digest.py); off: never sent.
    weekly_digest: bool = True
    # The speed-ups of Rasa internals (rasa_ext/speedups.py); off: Rasa's own code.
    rasa_speedups: bool = True
    # Messages understood with less confidence than this go to the advisers'
    # review (/revue, cnam/review_queue.py); NLU fallbacks always do.
    review_confidence_threshold: float = 0.6
    # Telegram's flood limits the front keeps (bot/outgoing.py): calls per second
    # for the whole bot, messages per minute into a group chat; 0: no limit.
    outgoing_per_second: int = 30
    outgoing_group_per_minute: int = 20
    # Tests only: a file of seconds added to the wall clock (cnam/clock.py).
    clock_offset_file: str = ""
    log_level: str = "INFO"

    class Config:
        env_file = None
        case_sensitive = False

        @classmethod
        def customise_sources(
            cls, init_settings: SettingsSource, env_settings: SettingsSource,
            file_secret_settings: SettingsSource,
        ) -> tuple[SettingsSource, ...]:
            return init_settings, _without_empty(env_settings), file_secret_settings

    @validator("agenda_morning")
    def _morning(cls, value: str) -> str:
        if value != "off":
            time.fromisoformat(value)  # "07:30": a ValueError names the variable
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def retention_seconds(self) -> int:
        return self.retention_days * 24 * 3600

    @property
    def adviser_id_set(self) -> set[int]:
        return {int(x) for x in self.adviser_ids.replace(" ", "").split(",") if x}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
