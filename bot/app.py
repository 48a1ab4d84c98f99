"""The Telegram Application: building it, starting and stopping its resources."""

from __future__ import annotations

import sys
from urllib.parse import urlparse

from telegram import BotCommand, Update
from telegram.ext import Application

from bot import advisers, reminders, telegram_handlers
from bot.commands import COMMANDS
from bot.ordering import PerChatUpdateProcessor
from bot.pipeline import Pipeline
from bot.rasa_client import RasaClient
from bot.retry_limiter import RetryingRateLimiter
from cnam.settings import Settings, get_settings

SETTINGS = "settings"  # bot_data key


def build_application(settings: Settings | None = None) -> Application:
    settings = settings or get_settings()
    application = (
        Application.builder()
        .token(settings.telegram_bot_token)
        .base_url(settings.telegram_api_base_url)
        .rate_limiter(RetryingRateLimiter(max_retries=5))
        .concurrent_updates(PerChatUpdateProcessor())
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    application.bot_data[SETTINGS] = settings
    telegram_handlers.register(application)
    advisers.register(application)
    return application


async def post_init(application: Application) -> None:
    settings: Settings = application.bot_data[SETTINGS]
    rasa = RasaClient(
        settings.rasa_urls or settings.rasa_url,
        connect_timeout=settings.rasa_connect_timeout,
        timeout=settings.rasa_timeout,
    )
    await rasa.start()
    application.bot_data[telegram_handlers.PIPELINE] = Pipeline(rasa, "telegram")
    await application.bot.set_my_commands([BotCommand(c.name, c.description) for c in COMMANDS])
    await advisers.start(application)
    await reminders.start(application)


async def post_shutdown(application: Application) -> None:
    await reminders.stop(application)
    await advisers.stop(application)
    pipeline: Pipeline | None = application.bot_data.get(telegram_handlers.PIPELINE)
    if pipeline is not None:
        await pipeline.rasa.close()


def run(settings: Settings | None = None) -> None:
    """Long polling, or a webhook behind a local reverse proxy when WEBHOOK_URL is set."""
    settings = settings or get_settings()
    if settings.webhook_url and not settings.webhook_secret:
        sys.exit("WEBHOOK_SECRET est obligatoire avec WEBHOOK_URL.")
    application = build_application(settings)
    if not settings.webhook_url:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
        return
    application.run_webhook(
        listen="127.0.0.1",
        port=settings.webhook_port,
        url_path=urlparse(settings.webhook_url).path.lstrip("/"),
        webhook_url=settings.webhook_url,
        secret_token=settings.webhook_secret,
        allowed_updates=Update.ALL_TYPES,
    )
