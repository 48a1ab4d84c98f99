"""Concurrent updates, but one at a time per chat, in arrival order."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Different chats run concurrently; the updates of one chat run in order.

    asyncio.Lock wakes its waiters first-come first-served and PTB starts the
    update tasks in arrival order, so a chat's messages keep their order.
    A chat waits for its own lock *before* taking one of the shared slots
    (PTB's semaphore): a burst from one chat behind a slow turn then holds
    one slot, not all of them, and the other chats go on.
    A chat's lock is dropped as soon as nothing uses it.
    """

    def __init__(self, max_concurrent_updates: int = 256):
        super().__init__(max_concurrent_updates)
        # chat id → (lock, number of updates holding or waiting for it)
        self._chats: dict[int, tuple[asyncio.Lock, int]] = {}

    # PTB marks it @final (typing only): its version takes the slot first.
    async def process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await super().process_update(update, coroutine)
            return
        lock, users = self._chats.get(chat.id) or (asyncio.Lock(), 0)
        self._chats[chat.id] = (lock, users + 1)
        try:
            async with lock:
                await super().process_update(update, coroutine)
        finally:
            lock, users = self._chats[chat.id]
            if users == 1:
                del self._chats[chat.id]
            else:
                self._chats[chat.id] = (lock, users - 1)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Called by ``process_update`` once the chat's lock and a slot are held."""
        await coroutine

    @property
    def active_chats(self) -> int:
        return len(self._chats)

    async def initialize(self) -> None:
        """Nothing to allocate."""

    async def shutdown(self) -> None:
        """Nothing to free."""
