"""The advisers' group's buttons: tokens bound to the group
(``bot/callbacks.py``, ``group=True``), all under one callback prefix. This
one handler reads the payload behind the token and hands the press to the
feature it belongs to; anything else ("Ouvrir", an expired token) goes to
``bot/adviser_cases.py``, which answers it. Each feature checks the adviser
and answers the query itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import ContextTypes

from bot import adviser_cases, attendance, callbacks

Route = Callable[[Update, ContextTypes.DEFAULT_TYPE, str], Awaitable[None]]
ROUTES: dict[str, Route] = {attendance.PREFIX: attendance.on_mark}


async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    chat = query.message.chat.id if query.message else 0
    payload = await callbacks.resolve(chat, query.data or "", group=True) or ""
    for prefix, route in ROUTES.items():
        if payload.startswith(prefix):
            await route(update, context, payload)
            return
    await adviser_cases.on_open(update, context)
