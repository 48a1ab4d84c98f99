"""Per-chat ordering (bot/ordering.py): one update at a time per chat, in
arrival order, and a chat waiting for its turn holds none of the shared slots.

The processor is driven as PTB's Application drives it: one task per update,
started in arrival order. Everything is ordered by asyncio events, no clock.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import Chat, Message, Update

from bot.ordering import PerChatUpdateProcessor

BURST = 300
# Yields to the event loop: each update task needs one step to start its
# coroutine when nothing blocks it; a few more leave room to spare.
SETTLE = 5


def update(update_id: int, chat_id: int) -> Update:
    chat = Chat(chat_id, Chat.PRIVATE)
    message = Message(update_id, datetime.now(UTC), chat, text=str(update_id))
    return Update(update_id, message=message)


async def settle() -> None:
    for _ in range(SETTLE):
        await asyncio.sleep(0)


async def test_a_burst_behind_a_slow_turn_leaves_the_other_chats_served() -> None:
    processor = PerChatUpdateProcessor(max_concurrent_updates=2)
    release = asyncio.Event()
    ran: list[tuple[int, int]] = []

    async def turn(chat_id: int, number: int, wait: asyncio.Event | None = None) -> None:
        if wait is not None:
            await wait.wait()
        ran.append((chat_id, number))

    def start(chat_id: int, number: int, wait: asyncio.Event | None = None) -> asyncio.Task[None]:
        return asyncio.create_task(
            processor.process_update(update(number, chat_id), turn(chat_id, number, wait))
        )

    tasks = [start(1, 0, release)]  # the slow turn
    tasks += [start(1, n) for n in range(1, BURST + 1)]  # the burst behind it
    tasks.append(start(2, 1))
    await settle()
    # Chat 2 was answered while chat 1's slow turn still holds its chat.
    assert ran == [(2, 1)]
    release.set()
    await asyncio.gather(*tasks)
    assert ran == [(2, 1), *((1, n) for n in range(BURST + 1))]
    assert processor.active_chats == 0


async def test_running_chats_still_share_max_concurrent_updates() -> None:
    processor = PerChatUpdateProcessor(max_concurrent_updates=2)
    releases = {chat_id: asyncio.Event() for chat_id in (1, 2, 3)}
    started: list[int] = []

    async def turn(chat_id: int) -> None:
        started.append(chat_id)
        await releases[chat_id].wait()

    tasks = [
        asyncio.create_task(processor.process_update(update(chat_id, chat_id), turn(chat_id)))
        for chat_id in releases
    ]
    await settle()
    assert started == [1, 2]  # two slots: the third chat waits for one
    releases[1].set()
    await settle()
    assert started == [1, 2, 3]
    for release in releases.values():
        release.set()
    await asyncio.gather(*tasks)
    assert processor.active_chats == 0


async def test_updates_without_a_chat_run_too() -> None:
    processor = PerChatUpdateProcessor(max_concurrent_updates=1)
    done = asyncio.Event()

    async def turn() -> None:
        done.set()

    await processor.process_update(object(), turn())
    assert done.is_set() and processor.active_chats == 0
