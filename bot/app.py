"""The Telegram Application: building it, every handler it runs, and the
resources it starts and stops.

Everything the bot answers is registered here, in one place: the person's
private chat (``bot/person_chat.py``), the advisers' group
(``bot/adviser_group.py``) and the front actions of the pipeline (``!``
payloads). The terminal chat builds the same pipeline (``build_pipeline``).
"""

from __future__ import annotations

import logging
import sys
from functools import partial
from urllib.parse import urlparse

from redis.exceptions import RedisError
from telegram import BotCommand, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import (
    adviser_buttons,
    adviser_cases,
    adviser_chat,
    adviser_group,
    aftercare_sender,
    agenda,
    callbacks,
    campaign_start,
    consent,
    details,
    erasure,
    followup,
    handoff_consumer,
    morning_agenda,
    person_chat,
    relay,
    reminder_answers,
    reminder_sender,
    review_chat,
    supervisor,
    unclaimed,
    weekly_digest,
)
from bot.aiohttp_request import AiohttpRequest
from bot.ordering import PerChatUpdateProcessor
from bot.outgoing import OutgoingScheduler
from bot.person_commands import COMMANDS, help_answer
from bot.pipeline import FrontAction, Pipeline
from bot.rasa_client import RasaClient
from cnam import clock, once
from cnam.booking import day_index
from cnam.settings import Settings, get_settings
from cnam.store import get_redis

log = logging.getLogger(__name__)
# Past the retention period no appointment booked before the index is left.
BACKFILL_CLAIM_SECONDS = 400 * 24 * 3600

SETTINGS = "settings"  # bot_data key


def front_actions() -> dict[str, FrontAction]:
    """The ``!`` payloads the front answers itself."""
    return {
        "!aide": help_answer,
        # Consent, with the campaign link that brought the person (bot/campaign_start.py).
        consent.ACCEPT: campaign_start.accept,
        consent.REFUSE: campaign_start.refuse,
        consent.EXPORT: consent.export,
        consent.ASK_ERASE: consent.ask_erase,
        consent.KEEP: consent.keep,
        consent.ERASE: erasure.erase,
        reminder_answers.ACTION: reminder_answers.answer,
        followup.ACTION: followup.answer,
        # The recommendations' "Détails" and "Retour", read in place (bot/details.py).
        details.SHOW: details.show,
        details.BACK: details.back,
    }


async def build_pipeline(settings: Settings, transport: str, rasa_url: str | None = None) -> Pipeline:
    """The pipeline with a started Rasa client (close it with ``pipeline.rasa.close()``)."""
    rasa = RasaClient(
        rasa_url or settings.rasa_urls or settings.rasa_url,
        connect_timeout=settings.rasa_connect_timeout,
        timeout=settings.rasa_timeout,
    )
    await rasa.start()
    return Pipeline(rasa, transport, front_actions())


def register_handlers(application: Application) -> None:
    # Before everything: an update Telegram delivers twice is handled once.
    application.add_handler(TypeHandler(Update, person_chat.drop_duplicates), group=-1)
    private = person_chat.PRIVATE
    edited = filters.ChatType.PRIVATE & filters.UpdateType.EDITED_MESSAGE
    application.add_handlers([
        MessageHandler(edited, partial(person_chat.say, message=person_chat.EDITED)),
        MessageHandler(private & filters.COMMAND, person_chat.on_command),
        MessageHandler(private & filters.TEXT, person_chat.on_text),
        MessageHandler(private & filters.CONTACT, person_chat.on_contact),
        *(
            MessageHandler(private & kind, partial(person_chat.say, message=answer))
            for kind, answer in person_chat.FIXED_ANSWERS
        ),
        CallbackQueryHandler(person_chat.on_button, pattern=f"^{callbacks.DATA_PREFIX}"),
    ])
    # The advisers' group: its own chat filter and "claim:" buttons, so these
    # never overlap the private-chat handlers above. The group id is the
    # process's, like everywhere the advisers' side posts (get_settings()),
    # plus the supergroup it became, once known (bot/adviser_chat.py).
    group_chat = filters.Chat(chat_id=get_settings().adviser_chat_id)
    adviser_chat.bind(group_chat)
    application.add_handlers([
        CallbackQueryHandler(adviser_group.on_claim, pattern=r"^claim:"),
        CallbackQueryHandler(adviser_buttons.on_button, pattern=f"^{callbacks.ADVISERS_PREFIX}"),
        CommandHandler("stats", adviser_group.on_stats, filters=group_chat),
        CommandHandler("mes_dossiers", adviser_cases.on_my_cases, filters=group_chat),
        CommandHandler("revue", review_chat.on_review, filters=group_chat),
        CommandHandler("agenda", agenda.on_agenda, filters=group_chat),
        CommandHandler("fin", adviser_group.on_end, filters=group_chat),
        # New messages only: an edited reply is not sent a second time. In a
        # case's topic every message is for the person, reply or not, but not
        # the service messages (a topic renamed or closed by an adviser).
        MessageHandler(
            group_chat & filters.UpdateType.MESSAGE & (filters.REPLY | filters.IS_TOPIC_MESSAGE)
            & ~filters.COMMAND & ~filters.StatusUpdate.ALL,
            review_chat.on_group_reply,
        ),
    ])
    application.add_error_handler(person_chat.on_error)


def build_application(settings: Settings | None = None) -> Application:
    settings = settings or get_settings()
    application = (
        Application.builder()
        .token(settings.telegram_bot_token)
        .base_url(settings.telegram_api_base_url)
        # aiohttp instead of PTB's httpx: less of the front's CPU per call (bot/aiohttp_request.py).
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest(connection_pool_size=1))
        .rate_limiter(OutgoingScheduler(settings.outgoing_per_second, settings.outgoing_group_per_minute))
        .concurrent_updates(PerChatUpdateProcessor())
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    application.bot_data[SETTINGS] = settings
    register_handlers(application)
    return application


async def post_init(application: Application) -> None:
    settings: Settings = application.bot_data[SETTINGS]
    application.bot_data[person_chat.PIPELINE] = await build_pipeline(settings, "telegram")
    await application.bot.set_my_commands([BotCommand(c.name, c.description) for c in COMMANDS])
    relay.bind(application.bot)
    erasure.bind(application.bot)
    reminder_answers.bind(application.bot)
    followup.bind(application.bot)
    await index_earlier_bookings()
    start_background(application)


async def index_earlier_bookings() -> None:
    """Once for the whole deployment (not at every start): the appointments
    booked before the agenda's index existed go into it."""
    redis = get_redis()
    try:
        if not await once.claim(redis, "agenda_backfill", "1", ttl=BACKFILL_CLAIM_SECONDS):
            return
        try:
            added = await day_index.backfill(redis, clock.now())
        except RedisError:
            await once.release(redis, "agenda_backfill", "1")  # the next start tries again
            raise
        log.info("agenda: %d appointments booked before the index were indexed", added)
    except RedisError as exc:  # the bot starts anyway
        log.warning("agenda index not completed at start: %s", exc)


def start_background(application: Application) -> None:
    """The loops of the process, each supervised: cards and their raise, the morning
    agenda, the weekly digest, reminders, what follows an appointment, trimming."""
    def periodic(name: str, step: supervisor.Step) -> None:
        supervisor.start(application, name, partial(supervisor.every_interval, step, application.bot))

    if get_settings().adviser_chat_id:
        supervisor.start(application, "handoff-consumer", partial(handoff_consumer.run, application.bot))
        periodic("unclaimed-raise", unclaimed.raise_due)
        periodic("morning-agenda", morning_agenda.post_if_due)
        if get_settings().weekly_digest:
            periodic("weekly-digest", weekly_digest.post_if_due)
    else:
        # Nothing is lost: the records wait in the stream until the group is set.
        log.warning("ADVISER_CHAT_ID is not set: handoff cards are not delivered")
    supervisor.start(application, "reminders", partial(reminder_sender.run, application))
    supervisor.start(application, "aftercare", partial(aftercare_sender.run, application.bot))
    supervisor.start(application, "stream-trim", handoff_consumer.trim_streams)


async def post_shutdown(application: Application) -> None:
    await supervisor.stop_all(application)
    pipeline: Pipeline | None = application.bot_data.get(person_chat.PIPELINE)
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
