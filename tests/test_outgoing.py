"""The front's outgoing scheduler (bot/outgoing.py) with a fake Bot API call
and a fake clock: who goes first, what is dropped, limits counted, retries."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot import outgoing
from bot.outgoing import OutgoingScheduler

GROUP = -100777


class FakeTime:
    """A clock that sleeping moves forward: limits without waiting."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


class Telegram:
    """The callback the scheduler calls: records each call, in call order."""

    def __init__(self, time: FakeTime, failures: list[Exception] | None = None) -> None:
        self.time = time
        self.calls: list[tuple[str, Any, str, float]] = []
        self.failures = failures or []
        self.lasts = 0.0  # how long (fake seconds) a call takes
        self.gate: asyncio.Event | None = None  # when set, calls wait for it
        self.called = asyncio.Event()

    def callback(self, endpoint: str, chat: Any, text: str) -> Any:
        async def call() -> Any:
            self.calls.append((endpoint, chat, text, self.time.now))
            self.called.set()
            await self.time.sleep(self.lasts)
            if self.gate is not None:
                await self.gate.wait()
            if self.failures:
                raise self.failures.pop(0)
            return {"ok": text}

        return call

    def texts(self, endpoint: str = "sendMessage") -> list[str]:
        return [text for called, _, text, _ in self.calls if called == endpoint]


def make(time: FakeTime, per_second: int = 5, group_per_minute: int = 20) -> OutgoingScheduler:
    return OutgoingScheduler(per_second, group_per_minute, clock=time, sleep=time.sleep)


async def send(
    scheduler: OutgoingScheduler, telegram: Telegram, chat: Any, text: str,
    endpoint: str = "sendMessage", *, background: bool = False,
) -> Any:
    data = {} if chat is None else {"chat_id": chat}
    request = scheduler.process_request(
        telegram.callback(endpoint, chat, text), (), {}, endpoint, data, None
    )
    if background:
        with outgoing.background():
            return await request
    return await request


def spawn(*coroutines: Any) -> list[asyncio.Task]:
    return [asyncio.create_task(c) for c in coroutines]


@pytest.fixture
async def time() -> AsyncIterator[FakeTime]:
    yield FakeTime()


@pytest.fixture
async def scheduler(time: FakeTime) -> AsyncIterator[OutgoingScheduler]:
    limiter = make(time)
    await limiter.initialize()
    yield limiter
    await limiter.shutdown()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([1, 2, 3, GROUP]), st.booleans()), min_size=1, max_size=40))
def test_each_chat_gets_its_messages_in_the_order_sent(sends: list[tuple[int, bool]]) -> None:
    async def scenario() -> None:
        time = FakeTime()
        scheduler = make(time, per_second=3, group_per_minute=4)
        telegram = Telegram(time)
        telegram.lasts = 0.1
        await scheduler.initialize()
        expected: dict[tuple[int, bool], list[str]] = defaultdict(list)
        tasks = []
        for index, (chat, background) in enumerate(sends):
            expected[chat, background].append(str(index))
            tasks.append(asyncio.create_task(send(scheduler, telegram, chat, str(index), background=background)))
        await asyncio.gather(*tasks)
        await scheduler.shutdown()
        sent: dict[tuple[int, bool], list[str]] = defaultdict(list)
        for _, chat, text, _ in telegram.calls:
            sent[chat, sends[int(text)][1]].append(text)
        assert sent == expected

    asyncio.run(scenario())


async def test_interactive_replies_go_before_waiting_background_sends(scheduler, time) -> None:
    telegram = Telegram(time)
    await asyncio.gather(
        *spawn(*(send(scheduler, telegram, 10 + i, f"rappel {i}", background=True) for i in range(4))),
        *spawn(*(send(scheduler, telegram, 20 + i, f"réponse {i}") for i in range(4))),
    )
    assert telegram.texts() == [f"réponse {i}" for i in range(4)] + [f"rappel {i}" for i in range(4)]


async def test_background_gets_one_call_in_ten_while_replies_keep_coming(scheduler, time) -> None:
    telegram = Telegram(time)
    await asyncio.gather(
        *spawn(*(send(scheduler, telegram, 100 + i, f"réponse {i}") for i in range(40))),
        *spawn(*(send(scheduler, telegram, 10 + i, f"rappel {i}", background=True) for i in range(3))),
    )
    order = telegram.texts()
    positions = [order.index(f"rappel {i}") for i in range(3)]
    assert positions == [9, 19, 29]  # not after the 40 replies


async def test_one_busy_chat_does_not_delay_the_others(time) -> None:
    scheduler = make(time, per_second=1)
    await scheduler.initialize()
    telegram = Telegram(time)
    await asyncio.gather(
        *spawn(*(send(scheduler, telegram, 1, f"flot {i}") for i in range(30))),
        *spawn(*(send(scheduler, telegram, 2 + i, f"autre {i}") for i in range(3))),
    )
    await scheduler.shutdown()
    order = telegram.texts()
    assert order[:4] == ["flot 0", "autre 0", "autre 1", "autre 2"]
    assert [t for t in order if t.startswith("flot")] == [f"flot {i}" for i in range(30)]


@pytest.mark.parametrize("failures", [[], [NetworkError("Bad Gateway")]])
async def test_a_chat_has_one_call_in_flight_retries_included(scheduler, time, failures) -> None:
    telegram = Telegram(time, list(failures))
    telegram.gate = asyncio.Event()
    tasks = spawn(send(scheduler, telegram, 1, "premier"), send(scheduler, telegram, 1, "second"))
    await telegram.called.wait()
    for _ in range(10):
        await asyncio.sleep(0)
    assert telegram.texts() == ["premier"]
    telegram.gate.set()
    await asyncio.gather(*tasks)
    assert telegram.texts() == ["premier"] * (1 + len(failures)) + ["second"]


async def test_typing_is_sent_when_idle(scheduler, time) -> None:
    telegram = Telegram(time)
    assert await send(scheduler, telegram, 1, "typing", "sendChatAction") == {"ok": "typing"}
    assert telegram.texts("sendChatAction") == ["typing"]


async def test_typing_is_dropped_when_replies_wait(scheduler, time) -> None:
    telegram = Telegram(time)
    telegram.gate = asyncio.Event()  # one chat's replies wait behind the one in flight
    replies = spawn(*(send(scheduler, telegram, 100, f"réponse {i}") for i in range(4)))
    await telegram.called.wait()
    typing = await asyncio.gather(*(send(scheduler, telegram, 1 + i, "typing", "sendChatAction") for i in range(3)))
    telegram.gate.set()
    await asyncio.gather(*replies)
    assert typing == [True] * 3
    assert telegram.texts("sendChatAction") == []
    assert telegram.texts() == [f"réponse {i}" for i in range(4)]


async def test_typing_that_waited_too_long_is_dropped(scheduler, time) -> None:
    telegram = Telegram(time)
    telegram.gate = asyncio.Event()  # the chat's reply stays in flight
    reply = spawn(send(scheduler, telegram, 1, "réponse"))
    await telegram.called.wait()
    [typing] = spawn(send(scheduler, telegram, 1, "typing", "sendChatAction"))
    await asyncio.sleep(0)
    time.now += 2 * outgoing.TYPING_MAX_WAIT
    telegram.gate.set()
    assert await typing is True
    await asyncio.gather(*reply)
    assert telegram.texts("sendChatAction") == []
    assert telegram.texts() == ["réponse"]


async def test_a_group_gets_its_limit_per_minute_and_private_chats_are_not_held(time) -> None:
    scheduler = make(time, per_second=30, group_per_minute=3)
    await scheduler.initialize()
    telegram = Telegram(time)
    await asyncio.gather(
        *spawn(*(send(scheduler, telegram, GROUP, f"carte {i}", background=True) for i in range(10))),
        *spawn(*(send(scheduler, telegram, 1 + i, f"réponse {i}") for i in range(5))),
    )
    await scheduler.shutdown()
    cards = [(text, at) for _, chat, text, at in telegram.calls if chat == GROUP]
    assert [text for text, _ in cards] == [f"carte {i}" for i in range(10)]
    for _, start in cards:
        assert sum(1 for _, at in cards if start <= at < start + 60) <= 3
    order = telegram.texts()
    assert order.index("carte 3") > max(order.index(f"réponse {i}") for i in range(5))


async def test_overall_limit_per_second(time) -> None:
    scheduler = make(time, per_second=4)
    await scheduler.initialize()
    telegram = Telegram(time)
    await asyncio.gather(*spawn(*(send(scheduler, telegram, 1 + i, str(i)) for i in range(20))))
    await scheduler.shutdown()
    times = [at for *_, at in telegram.calls]
    assert len(times) == 20
    for start in times:
        assert sum(1 for at in times if start <= at < start + 1) <= 4


async def test_callback_answers_are_not_held_behind_waiting_messages(time) -> None:
    scheduler = make(time, per_second=1)
    await scheduler.initialize()
    telegram = Telegram(time)
    messages = spawn(*(send(scheduler, telegram, 1 + i, str(i)) for i in range(3)))
    await asyncio.sleep(0)
    await send(scheduler, telegram, None, "ok", "answerCallbackQuery")
    await asyncio.gather(*messages)
    await scheduler.shutdown()
    assert [text for _, _, text, _ in telegram.calls] == ["ok", "0", "1", "2"]


@pytest.mark.parametrize("failure", [RetryAfter(1), NetworkError("Bad Gateway")])
async def test_transient_failures_are_retried(scheduler, time, failure) -> None:
    telegram = Telegram(time, [failure, failure])
    assert await send(scheduler, telegram, 1, "bonjour") == {"ok": "bonjour"}
    assert telegram.texts() == ["bonjour"] * 3


async def test_a_flood_limit_is_waited_out_before_the_retry(scheduler, time) -> None:
    telegram = Telegram(time, [RetryAfter(5)])
    await send(scheduler, telegram, 1, "a")
    [(_, _, _, first), (_, _, _, retry)] = telegram.calls
    assert retry >= first + 5


@pytest.mark.parametrize("failure", [TimedOut(), BadRequest("Bad Request: chat not found")])
async def test_timeouts_and_bad_requests_are_not_retried(scheduler, time, failure) -> None:
    telegram = Telegram(time, [failure])
    with pytest.raises(type(failure)):
        await send(scheduler, telegram, 1, "bonjour")
    assert telegram.texts() == ["bonjour"]
    # The chat is free again.
    assert await send(scheduler, telegram, 1, "encore") == {"ok": "encore"}


async def test_retries_stop_after_max_retries(time) -> None:
    scheduler = OutgoingScheduler(5, 20, max_retries=2, clock=time, sleep=time.sleep)
    await scheduler.initialize()
    telegram = Telegram(time, [NetworkError("Bad Gateway")] * 5)
    with pytest.raises(NetworkError):
        await send(scheduler, telegram, 1, "bonjour")
    await scheduler.shutdown()
    assert telegram.texts() == ["bonjour"] * 3


async def test_a_cancelled_caller_frees_its_chat(scheduler, time) -> None:
    telegram = Telegram(time)
    telegram.gate = asyncio.Event()
    [first] = spawn(send(scheduler, telegram, 1, "annulé"))
    await telegram.called.wait()
    [waiting] = spawn(send(scheduler, telegram, 1, "jamais"))
    await asyncio.sleep(0)
    waiting.cancel()
    first.cancel()
    for task in (first, waiting):
        with pytest.raises(asyncio.CancelledError):
            await task
    telegram.gate = None
    assert await send(scheduler, telegram, 1, "après") == {"ok": "après"}
    assert "jamais" not in telegram.texts()

