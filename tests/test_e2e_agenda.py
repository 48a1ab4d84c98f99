"""The advisers' agenda and the day-before confirmation through the real
stack: /agenda lists the day's appointments (refused to a non-adviser), the
morning agenda is posted once with two bot processes, and the day-before
reminder's buttons record a confirmation (shown on the agenda and on the
case) or lead into the rescheduling, which frees the old slot."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import redis.asyncio as aioredis

from bot.adviser_group import ADVISERS_ONLY
from cnam.booking import reservations, wording
from cnam.booking.record import Booking
from tests.e2e import ADVISER, ADVISERS_GROUP, LiveBot, Person, button_titles, texts
from tests.stack import Process

pytestmark = pytest.mark.stack

TZ = ZoneInfo("Indian/Mayotte")
ANSWERS = ["Je confirme", "Je dois décaler", "J'annule"]


@pytest.fixture
async def stack_redis(live_bot: LiveBot) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.from_url(live_bot.stack.redis.url, decode_responses=True)
    yield client
    await client.close()


def group_messages(live: LiveBot, since: int) -> list[dict[str, Any]]:
    return live.fake.messages(ADVISERS_GROUP)[since:]


async def booked(live: LiveBot, person: Person, name: str, mode: str, redis: aioredis.Redis) -> Booking:
    """``person`` (Telegram first name ``name``) books the first free time in
    ``mode``; returns the booking once its card is in the advisers' group."""
    live.fake.profiles[person.chat_id] = {"first_name": name}
    before = len(live.fake.messages(ADVISERS_GROUP))
    await person.start_with_consent("bonjour")
    confirmed = await person.book_first_slot(mode)
    assert any(t.startswith("C'est confirmé") for t in texts(confirmed)), texts(confirmed)
    await live.fake.wait_for(
        lambda: any(f"Prénom : {name}" in (m.get("text") or "") for m in group_messages(live, before)), 30
    )
    [booking] = await reservations.list_bookings(redis, person.chat_id)
    return booking


async def agenda_of(live: LiveBot, command: str, user_id: int = ADVISER) -> dict[str, Any]:
    before = len(live.fake.messages(ADVISERS_GROUP))
    live.fake.send_text(ADVISERS_GROUP, command, user_id=user_id, chat_type="supergroup")
    await live.fake.wait_for(lambda: len(live.fake.messages(ADVISERS_GROUP)) > before, 15)
    [answer] = group_messages(live, before)
    return answer


def line_of(agenda: dict[str, Any], name: str) -> str:
    [line] = [line for line in agenda["text"].splitlines() if f" · {name} · " in line]
    return line


async def test_agenda_of_tomorrow_lists_both_appointments(live_bot: LiveBot, stack_clock, stack_redis) -> None:  # type: ignore[no-untyped-def]
    # Monday 1 February 2027, 15:30: nothing left today, the first free times are on Tuesday.
    stack_clock(datetime(2027, 2, 1, 15, 30, tzinfo=TZ))
    nadia = await booked(live_bot, live_bot.person(681001), "Nadia", "Sur place au CNAM", stack_redis)
    ali = await booked(live_bot, live_bot.person(681002), "Ali", "En visio", stack_redis)
    assert nadia.start.date() == ali.start.date() == datetime(2027, 2, 2).date()

    agenda = await agenda_of(live_bot, "/agenda demain")
    print("\n" + agenda["text"] + "\n" + str(button_titles(agenda)))  # the README's transcript
    assert agenda["text"].splitlines()[0] == "📅 Agenda du mardi 2 février : 2 rendez-vous"
    assert line_of(agenda, "Nadia").endswith("· Nadia · sur place · Choix d'une formation · pas encore confirmé")
    assert line_of(agenda, "Ali").endswith("· Ali · visio · Choix d'une formation · pas encore confirmé")
    assert [t.rsplit(" · ", 1)[0] for t in button_titles(agenda)] == ["Ouvrir : Nadia", "Ouvrir : Ali"]

    # "Ouvrir" brings Nadia's case back to the bottom of the chat, as /mes_dossiers does.
    before = len(live_bot.fake.messages(ADVISERS_GROUP))
    live_bot.fake.press_button(ADVISERS_GROUP, agenda["message_id"], "Ouvrir : Nadia · 8 h", user_id=ADVISER)
    await live_bot.fake.wait_for(lambda: any(
        m["text"].startswith("📌 Dossier de Nadia") for m in group_messages(live_bot, before)), 15)

    refused = await agenda_of(live_bot, "/agenda", user_id=681999)
    assert refused["text"] == ADVISERS_ONLY and not button_titles(refused)


@pytest.fixture
async def two_bots(live_bot: LiveBot) -> AsyncIterator[Process]:
    """The bot with the morning agenda on, and a second bot process on the same
    fake Bot API and Redis; back to one bot without it afterwards."""
    await live_bot.restart(AGENDA_MORNING="07:30")
    second = Process("bot-second", live_bot.bot.command, live_bot.bot.env)
    second.start()
    try:
        # Its background loops run from here on (started in post_init).
        await live_bot.fake.wait_for(
            lambda: "Application started" in second.log_path.read_text(errors="replace"), 60
        )
        yield second
    finally:
        second.stop()
        await live_bot.restart(AGENDA_MORNING="off")


async def test_the_morning_agenda_is_posted_once_with_two_bot_processes(
    live_bot: LiveBot, two_bots: Process, stack_clock  # type: ignore[no-untyped-def]
) -> None:
    before = len(live_bot.fake.messages(ADVISERS_GROUP))
    stack_clock(datetime(2027, 2, 3, 7, 30, tzinfo=TZ))  # Wednesday 3 February, 7:30 in Mayotte

    def mornings() -> list[str]:
        return [m["text"] for m in group_messages(live_bot, before)
                if m.get("text", "").startswith("☀️ Bonjour ! 📅") and "mercredi 3 février" in m["text"]]

    await live_bot.fake.wait_for(lambda: bool(mornings()), 30)
    await asyncio.sleep(5)  # both processes pass several times (REMINDER_INTERVAL=1)
    assert two_bots.popen is not None and two_bots.popen.poll() is None, two_bots.log_tail()
    assert mornings() == ["☀️ Bonjour ! 📅 Aucun rendez-vous le mercredi 3 février."]


async def reminder_of(live: LiveBot, stack_clock, person: Person, booking: Booking) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The clock 24 hours before ``booking``: the day-before reminder arrives."""
    sent = live.fake.messages(person.chat_id)
    before = len(sent)
    stack_clock(booking.start - timedelta(hours=24) + timedelta(seconds=2))
    await live.fake.wait_for(lambda: any(m["text"].startswith("Rappel") for m in sent[before:]), 30)
    [reminder] = [m for m in sent[before:] if m["text"].startswith("Rappel")]
    return reminder


async def test_day_before_answers_confirm_and_reschedule(live_bot: LiveBot, stack_clock, stack_redis) -> None:  # type: ignore[no-untyped-def]
    fake = live_bot.fake
    # Saturday 6 February 2027: the first free times on site are on Monday 8.
    stack_clock(datetime(2027, 2, 6, 10, 0, tzinfo=TZ))
    zaina, moussa = live_bot.person(681011), live_bot.person(681012)
    first = await booked(live_bot, zaina, "Zaina", "Sur place au CNAM", stack_redis)
    second = await booked(live_bot, moussa, "Moussa", "Sur place au CNAM", stack_redis)
    assert first.start < second.start

    reminder = await reminder_of(live_bot, stack_clock, zaina, first)
    assert button_titles(reminder) == ANSWERS
    before = len(fake.messages(ADVISERS_GROUP))
    fake.press_button(zaina.chat_id, reminder["message_id"], "Je confirme")
    assert texts(await zaina.replies()) == [wording.confirmed_by_person(first)]
    await fake.wait_for(lambda: any(
        m["text"].startswith("✅ Rendez-vous confirmé par la personne") for m in group_messages(live_bot, before)
    ), 15)
    [told] = [m for m in group_messages(live_bot, before) if m["text"].startswith("✅ Rendez-vous confirmé")]
    card = next(m for m in fake.messages(ADVISERS_GROUP) if "Prénom : Zaina" in (m.get("text") or ""))
    assert told["reply_to_message"]["message_id"] == card["message_id"]  # on the case, under its card
    assert line_of(await agenda_of(live_bot, "/agenda demain"), "Zaina").endswith("· ✅ confirmé")

    reminder = await reminder_of(live_bot, stack_clock, moussa, second)
    fake.press_button(moussa.chat_id, reminder["message_id"], "Je dois décaler")
    moving = await moussa.replies()
    assert texts(moving)[0].startswith("Votre rendez-vous du lundi 8 février à 8 h 30 reste réservé"), texts(moving)
    times = await moussa.press(button_titles(moving[-1])[0])
    summary = await moussa.answer_until_summary(await moussa.press(button_titles(times[-1])[0]))
    assert "Il remplace celui du lundi 8 février à 8 h 30" in texts(summary)[-1], texts(summary)
    await moussa.press("Confirmer")

    [moved] = await reservations.list_bookings(stack_redis, moussa.chat_id)
    assert moved.id == second.id and moved.start != second.start and moved.sequence == 1
    assert not await stack_redis.exists(second.slot_key)  # the old slot is free again
    assert await stack_redis.get(moved.slot_key) == moved.id
    assert any(m["text"].startswith("🔁 La personne doit décaler") for m in group_messages(live_bot, before))
    # On the agenda of the new day, the new time waits for its own confirmation.
    moved_day = moved.start.astimezone(TZ)
    agenda = await agenda_of(live_bot, f"/agenda {moved_day.day}/{moved_day.month}")
    assert line_of(agenda, "Moussa").endswith("· pas encore confirmé"), agenda["text"]
