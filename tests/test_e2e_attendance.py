"""After the appointment, through the real stack (bot processes, Rasa,
actions, Redis, fake Bot API): the case gets "Venu(e)" / "Absent(e)" once
its end has passed; an absent person gets one rebooking offer whatever the
presses and the processes, and /stats counts one no-show; a person who came
gets the follow-up FOLLOWUP_DAYS later, whose answers reach the case, /stats
and the CSV export; nothing for someone who erased their data or refused;
Monday 8 h, one digest and one chart with two bot processes."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import re
import sys
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import redis.asyncio as aioredis

from bot import attendance, followup
from bot.adviser_group import ADVISERS_ONLY
from cnam import clock, handoff, privacy
from cnam.booking import aftercare, reservations
from cnam.booking.reservations import Booking
from cnam.handoff import HandoffRecord
from cnam.keys import person_key
from cnam.settings import get_settings
from tests.e2e import ADVISER, ADVISERS_GROUP, QUIET_SECONDS, LiveBot, Person, button_titles, texts
from tests.stack import ROOT, Process

pytestmark = pytest.mark.stack

OUTSIDER = 682999  # writes in no chat: only presses a button in the group
QUESTION = "La personne est-elle venue ?"


@pytest.fixture(scope="module")
async def live(live_bot: LiveBot) -> AsyncIterator[LiveBot]:
    """The bot with the attendance questions and the digest on (off for the other files)."""
    await live_bot.restart(ATTENDANCE_CHECK="on", WEEKLY_DIGEST="on")
    yield live_bot
    await live_bot.restart(ATTENDANCE_CHECK="off", WEEKLY_DIGEST="off")


@pytest.fixture
async def store(live_bot: LiveBot) -> AsyncIterator[aioredis.Redis]:
    """The stack's Redis, where the bot processes read and write (same prefix)."""
    client = aioredis.from_url(live_bot.stack.redis.url, decode_responses=True)
    yield client
    await client.close()


@contextlib.asynccontextmanager
async def second_bot(live: LiveBot) -> AsyncIterator[Process]:
    """Another bot process on the same fake API and Redis, started and ready."""
    fake = live.fake
    ready = len(fake.calls_of("setMyCommands"))
    other = Process("bot-second", [sys.executable, "-m", "bot"], dict(live.bot.env))
    other.start()
    try:
        await fake.wait_for(lambda: len(fake.calls_of("setMyCommands")) > ready, 60)
        yield other
    finally:
        other.stop()


async def booked(live: LiveBot, store: aioredis.Redis, chat_id: int) -> tuple[Person, Booking, HandoffRecord]:
    """A person who agreed books the first free time; their appointment and posted case."""
    person = live.person(chat_id)
    await person.start_with_consent("bonjour")
    await person.book_first_slot()
    [booking] = await reservations.list_bookings(store, chat_id)

    async def posted() -> HandoffRecord | None:
        return next((r for r in await handoff.records_of(store, chat_id) if r.card_message_id), None)

    async with asyncio.timeout(30):
        while (record := await posted()) is None:  # noqa: ASYNC110 - Redis state, no event
            await asyncio.sleep(0.2)
    return person, booking, record


async def sent_since(person: Person, start: int) -> list[dict[str, Any]]:
    """What the bot sent the person from message ``start`` on, once it came and the bot is quiet."""
    sent = person.fake.messages(person.chat_id)
    await person.fake.wait_for(lambda: len(sent) > start, 30)
    await asyncio.sleep(QUIET_SECONDS)
    return sent[start:]


def in_case(live: LiveBot, record: HandoffRecord) -> list[dict[str, Any]]:
    return [
        m for m in live.fake.messages(ADVISERS_GROUP)
        if (m.get("reply_to_message") or {}).get("message_id") == record.card_message_id
    ]


async def question_after_the_end(live: LiveBot, stack_clock, booking: Booking, record: HandoffRecord) -> dict:  # type: ignore[no-untyped-def]
    stack_clock(booking.end + timedelta(minutes=1))
    await live.fake.wait_for(lambda: any(QUESTION in m["text"] for m in in_case(live, record)), 30)
    [asked] = [m for m in in_case(live, record) if QUESTION in m["text"]]
    return asked


async def press_in_group(live: LiveBot, message: dict, title: str, user_id: int = ADVISER) -> str:
    """An adviser presses a button of the group; the answer to the press."""
    fake = live.fake
    query = fake.press_button(ADVISERS_GROUP, message["message_id"], title, user_id=user_id)
    await fake.wait_for(lambda: query in fake.callback_answers, 30)
    return fake.callback_answers[query].get("text") or ""


async def group_stats(live: LiveBot) -> str:
    """The text of /stats: its messages (at most 350 characters each) up to the chart."""
    fake = live.fake
    before = len(fake.messages(ADVISERS_GROUP))
    fake.send_text(ADVISERS_GROUP, "/stats", user_id=ADVISER, chat_type="supergroup")
    await fake.wait_for(lambda: any(m.get("photo") for m in fake.messages(ADVISERS_GROUP)[before:]), 30)
    return "\n".join(m.get("text") or "" for m in fake.messages(ADVISERS_GROUP)[before:])


def marked(report: str, days: int) -> tuple[int, int]:
    """(came, absent) of the ``days`` period in the /stats text."""
    lines = report.splitlines()
    line = lines[lines.index(next(x for x in lines if x.startswith(f"{days} derniers jours"))) + 1]
    found = re.search(r"présence : (\d+) venus?, (\d+) absents?", line)
    assert found, report
    return int(found[1]), int(found[2])


async def test_absent_gets_one_rebooking_offer_and_one_count(live, store, stack_clock) -> None:  # type: ignore[no-untyped-def]
    person, booking, record = await booked(live, store, 682001)
    before = marked(await group_stats(live), 30)
    async with second_bot(live):
        asked = await question_after_the_end(live, stack_clock, booking, record)
        assert button_titles(asked) == ["Venu(e)", "Absent(e)"]
        assert await press_in_group(live, asked, "Absent(e)", user_id=OUTSIDER) == ADVISERS_ONLY
        sent = len(live.fake.messages(person.chat_id))
        assert await press_in_group(live, asked, "Absent(e)") == "Noté : absent(e)."
        [offer] = await sent_since(person, sent)
        assert offer["text"] == attendance.rebook_offer(booking).text
        # Pressed again, changed and changed back, through either process: no second offer.
        for title, answer in (("Absent(e)", "C'était déjà noté."), ("Venu(e)", "Noté : venu(e)."),
                              ("Absent(e)", "Noté : absent(e).")):
            assert await press_in_group(live, asked, title) == answer
        await asyncio.sleep(3)
        assert len(live.fake.messages(person.chat_id)) == sent + 1
        # One question for the case, whatever the number of processes.
        assert len([m for m in in_case(live, record) if QUESTION in m["text"]]) == 1
    assert "✅ Absent(e)" in asked["text"]
    assert marked(await group_stats(live), 30) == (before[0], before[1] + 1)
    # The offer's button starts the booking flow in Rasa.
    modes = await person.press(attendance.REBOOK)
    assert "Sur place au CNAM" in button_titles(modes[-1]), texts(modes)


async def test_came_gets_the_followup_and_the_answers_reach_case_stats_and_export(live, store, stack_clock) -> None:  # type: ignore[no-untyped-def]
    person, booking, record = await booked(live, store, 682002)
    asked = await question_after_the_end(live, stack_clock, booking, record)
    assert await press_in_group(live, asked, "Venu(e)") == "Noté : venu(e)."
    sent = len(live.fake.messages(person.chat_id))
    stack_clock(booking.end + timedelta(days=6, hours=23))
    await asyncio.sleep(3)
    assert len(live.fake.messages(person.chat_id)) == sent  # not yet

    stack_clock(booking.end + timedelta(days=7, minutes=1))
    [asking] = await sent_since(person, sent)
    assert asking["text"] == followup.question(booking).text
    assert button_titles(asking) == ["1", "2", "3", "4", "5", "Je préfère ne pas répondre"]
    nxt = await person.press("4")
    assert texts(nxt) == [followup.next_question(booking.id).text]
    assert texts(await person.press("M'inscrire")) == [followup.THANKS.text]

    told = [m["text"] for m in in_case(live, record)]
    assert f"⭐ Suivi : rendez-vous jugé utile à 4/5 (pour : {record.prenom})" in told, told
    assert f"➡️ Suivi : la personne va s'inscrire (pour : {record.prenom})" in told, told
    report = await group_stats(live)
    assert "suivi : 4,0/5 (1 réponse)" in report and "Après le suivi (30 j) : inscription (1)." in report, report

    since = (clock.now() - timedelta(days=30)).date().isoformat()
    exported = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "export", "--since", since, cwd=ROOT, env=live.bot.env,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await exported.communicate()
    [row] = [r for r in csv.DictReader(io.StringIO(out.decode())) if r["handoff_id"] == record.handoff_id]
    assert (row["attendance"], row["usefulness"], row["next"]) == ("attended", "4", "inscription")


async def test_no_followup_after_an_erasure_or_for_a_refuser(live, store, stack_clock) -> None:  # type: ignore[no-untyped-def]
    erased, erased_booking, erased_case = await booked(live, store, 682003)
    refuser, refuser_booking, refuser_case = await booked(live, store, 682004)
    for booking, record in ((erased_booking, erased_case), (refuser_booking, refuser_case)):
        asked = await question_after_the_end(live, stack_clock, booking, record)
        assert await press_in_group(live, asked, "Venu(e)") == "Noté : venu(e)."
    planned = await store.zrange(aftercare.aftercare_key(), 0, -1)
    assert f"{refuser.chat_id}|{refuser_booking.id}|followup" in planned

    await erased.say("/supprimer")
    await erased.press("Oui, tout effacer")
    assert not [m for m in await store.zrange(aftercare.aftercare_key(), 0, -1) if m.startswith(f"{erased.chat_id}|")]
    # The refuser's decision changes without an erasure (the planned step stays):
    # the sender itself must hold the follow-up back.
    await store.set(person_key(privacy.CONSENT, refuser.chat_id), privacy.REFUSED)
    sent = {p.chat_id: len(live.fake.messages(p.chat_id)) for p in (erased, refuser)}

    later = max(erased_booking.end, refuser_booking.end) + timedelta(days=8)
    stack_clock(later)
    step = f"{refuser.chat_id}|{refuser_booking.id}|followup"
    async with asyncio.timeout(30):  # the sender took the refuser's step…
        while await store.zscore(aftercare.aftercare_key(), step) is not None:  # noqa: ASYNC110 - Redis state
            await asyncio.sleep(0.2)
    await asyncio.sleep(2)  # …and sent nothing, to either
    assert {p.chat_id: len(live.fake.messages(p.chat_id)) for p in (erased, refuser)} == sent


def next_monday_8(now: datetime) -> datetime:
    local = now.astimezone(get_settings().tz)
    return (local + timedelta(days=7 - local.weekday())).replace(hour=8, minute=0, second=5, microsecond=0)


async def test_monday_8_one_digest_and_one_chart_with_two_processes(live, stack_clock) -> None:  # type: ignore[no-untyped-def]
    fake = live.fake
    before = len(fake.messages(ADVISERS_GROUP))
    async with second_bot(live):
        # Weeks after the days the other tests of this file move the clock to: the
        # digest of their week may have gone out already, once (from today's date).
        stack_clock(next_monday_8(clock.now() + timedelta(weeks=10)))

        def digests() -> list[dict]:
            return [m for m in fake.messages(ADVISERS_GROUP)[before:]
                    if (m.get("text") or "").startswith("📊 Bilan de la semaine")]

        def charts() -> list[dict]:
            return [m for m in fake.messages(ADVISERS_GROUP)[before:] if m.get("photo")]

        await fake.wait_for(lambda: bool(digests()) and bool(charts()), 30)
        await asyncio.sleep(4)  # both processes pass several times meanwhile
        [digest], [chart] = digests(), charts()
    labels = [line.split(" :")[0] for line in digest["text"].splitlines()[1:]]
    assert labels == ["Conversations", "Profils complets", "Rendez-vous pris", "Confirmés la veille",
                      "Présence", "Suivi", "Dossiers en attente d'un conseiller", "Messages mal compris"]
    assert chart["caption"] == "Activité de la semaine"
    assert fake.files[chart["photo"][0]["file_id"]].startswith(b"\x89PNG")
