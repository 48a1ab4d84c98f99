"""Property-based fuzzing of the Telegram front: any text, any button.

Against the fake Bot API and the Rasa stub (the lead may point it at the
running stack). Properties: nothing escapes to the error handler, every
message gets an answer, a forged button runs nothing, and whatever a button
does, appointments and their slots stay consistent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
import redis.asyncio as aioredis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import consent
from bot.person_chat import INVALID_BUTTON, SOMETHING_WENT_WRONG
from bot.pipeline import SERVICE_DOWN_TEXT
from cnam import clock, privacy
from cnam.booking import appointments, reservations
from cnam.keys import person_key, shared_key
from tests.calendar_config import make_config

if TYPE_CHECKING:
    from tests.front_app import Front


CHAT = 880_000_301
OTHER = 880_000_302
NEWCOMER = 880_000_303
FUZZ = settings(
    max_examples=60,
    deadline=None,
    # The front is built once per test, not per example: examples share it on purpose.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Control characters, bidi controls, zero-width characters, emoji with joiners
# and skin tones, combining accents, Arabic and Hebrew script.
ODD = [chr(c) for c in range(0x20)] + [
    "\x7f", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202e", "\u2066",
    "\u2069", "\ufeff", "\u00ad", "👍", "👍🏾", "👨‍👩‍👧", "🇾🇹", "\u0301", "\u0627", "\u05d0", "\ufdfd",
]
ANY_CHAR = st.characters(blacklist_categories=("Cs",))  # Telegram's UTF-16 has no lone halves
TEXTS = st.one_of(
    st.text(ANY_CHAR, min_size=1, max_size=300),
    st.lists(st.sampled_from([*ODD, "slt", "bjr", " ", "cnam", "rdv", "0639", "é"]), min_size=1,
             max_size=40).map("".join),
    # 10,000 characters, and just under the limit (splits when emoji count double).
    st.text(ANY_CHAR, min_size=1, max_size=40).map(lambda s: (s * 10_000)[:10_000]),
    st.text(st.sampled_from(["a", "é", "👍", " "]), min_size=1, max_size=4).map(
        lambda s: (s * 4_000)[:4_000]
    ),
)
# Telegram's callback data is 1 to 64 bytes.
CALLBACK_DATA = st.one_of(
    st.text(ANY_CHAR, min_size=1, max_size=64),
    st.text(ANY_CHAR, max_size=62).map(lambda s: "b:" + s),
    st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", min_size=12,
            max_size=12).map(lambda s: "b:" + s),
).filter(lambda d: 1 <= len(d.encode()) <= 64)
# Every kind of payload a button can carry (each is also pressed once, below).
KNOWN_PAYLOADS = [
    consent.ACCEPT, consent.REFUSE, consent.EXPORT, consent.ERASE, "!reessayer", "!aide",
    "!", "! ", "!inconnu", f"{consent.ERASE} en trop", "/affirm", '/inform{"niveau":"bac"}',
    '/inform{"slot":"adv1|2026-12-03T14:30"}', "/delete_data", "bonjour",
]
PAYLOADS = st.one_of(
    st.sampled_from(KNOWN_PAYLOADS),
    st.text(ANY_CHAR, max_size=80).map(lambda s: "!" + s),
    st.text(ANY_CHAR, min_size=1, max_size=200),
)
FAILURES = {SOMETHING_WENT_WRONG, SERVICE_DOWN_TEXT}


def texts(messages: list[dict[str, Any]]) -> list[str]:
    return [m.get("text") or m.get("caption") or "" for m in messages]


async def assert_bookings_consistent(redis: aioredis.Redis) -> None:
    """Each held slot belongs to a stored appointment, and each upcoming
    appointment holds its slot."""
    records = {}
    async for key in redis.scan_iter(match=person_key("booking", "*")):
        for raw in await redis.hvals(key):
            record = reservations.Booking.from_json(raw)
            records[record.id] = record
    async for key in redis.scan_iter(match=shared_key("slot", "*")):
        holder = await redis.get(key)
        assert holder in records and records[holder].slot_key == key, key
    for record in records.values():
        if record.end > clock.now():
            assert await redis.get(record.slot_key) == record.id, record


async def start_fresh(redis: aioredis.Redis) -> None:
    """Both people have accepted and hold an appointment (again, if a button erased it)."""
    config, now = make_config(), clock.now()
    for chat in (CHAT, OTHER):
        await privacy.record_consent(redis, chat, privacy.ACCEPTED)
        if not await reservations.upcoming(redis, chat, now):
            slot = (await reservations.free_slots(redis, config, "telephone", now))[0]
            result = await appointments.book(
                redis, config, chat, slot.id, "telephone", now, telephone="+262639123456"
            )
            assert result.ok


@FUZZ
@given(text=TEXTS, accepted=st.booleans())
async def test_any_text_gets_an_answer(front_app: Front, redis, text: str, accepted: bool) -> None:
    chat = CHAT if accepted else NEWCOMER
    await start_fresh(redis)
    replies = await front_app.write(chat, text)
    assert replies, repr(text)
    assert not FAILURES & set(texts(replies)), repr(text)
    # Before any consent, nothing of the person is in Redis (their first message is in memory).
    assert await privacy.person_keys(redis, NEWCOMER) == []
    await assert_bookings_consistent(redis)


@FUZZ
@given(data=CALLBACK_DATA)
async def test_forged_callback_data_runs_nothing(front_app: Front, redis, data: str) -> None:
    await start_fresh(redis)
    question = (front_app.telegram.messages(CHAT) or await front_app.write(CHAT, "bonjour"))[0]
    before = list(front_app.rasa.received)
    replies = await front_app.press(CHAT, question["message_id"], data)
    if data.startswith("b:"):
        assert texts(replies) == [INVALID_BUTTON.text]
    else:
        assert replies == []  # not a button of the assistant: no handler takes it
    assert front_app.rasa.received == before
    assert await privacy.may_keep_data(redis, CHAT)
    await assert_bookings_consistent(redis)


async def press_one_of(
    front_app: Front, redis: aioredis.Redis, payloads: list[str], pick: int
) -> None:
    """The assistant shows ``payloads`` as buttons; the person presses one."""
    await start_fresh(redis)
    front_app.rasa.answers["choix"] = [{
        "text": "Choisissez :",
        "buttons": [{"title": f"B{i}", "payload": p} for i, p in enumerate(payloads)],
    }]
    [question] = await front_app.write(CHAT, "choix")
    rows = question["reply_markup"]["inline_keyboard"]
    tokens = [button["callback_data"] for row in rows for button in row]
    replies = await front_app.press(CHAT, question["message_id"], tokens[pick % len(tokens)])
    assert replies, payloads[pick % len(payloads)]
    assert not FAILURES & set(texts(replies))
    await assert_bookings_consistent(redis)
    assert await reservations.upcoming(redis, OTHER, clock.now())  # never touched by CHAT's buttons


@pytest.mark.parametrize("payload", KNOWN_PAYLOADS)
async def test_each_known_button_gets_an_answer(front_app: Front, redis, payload: str) -> None:
    await press_one_of(front_app, redis, [payload], 0)


@FUZZ
@given(payloads=st.lists(PAYLOADS, min_size=1, max_size=4), pick=st.integers(0, 3))
async def test_any_button_gets_an_answer_and_bookings_stay_consistent(
    front_app: Front, redis, payloads: list[str], pick: int
) -> None:
    await press_one_of(front_app, redis, payloads, pick)
