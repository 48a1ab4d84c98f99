"""The one handler of the advisers' group buttons (callback data ``a:…``).

It checks the adviser, resolves the token in the group's own table
(``bot/callbacks.py``) and hands the payload to the module whose prefix it
carries. A token from elsewhere, forged or expired resolves to nothing and
gets one sentence.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import ContextTypes

from bot import adviser_cases, attendance, callbacks, review_chat
from bot.adviser_group import ADVISERS_ONLY, is_adviser

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE, str], Awaitable[None]]
ROUTES: tuple[tuple[str, Handler], ...] = (
    (adviser_cases.OPEN, adviser_cases.open_case),
    (review_chat.PAYLOAD, review_chat.on_press),
    (attendance.PREFIX, attendance.on_mark),
)
EXPIRED_BUTTON = "Ce bouton n'est plus valable : tapez la commande à nouveau."


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if not await is_adviser(context, query.from_user):
        await query.answer(ADVISERS_ONLY, show_alert=True)
        return
    payload = await callbacks.resolve(query.message.chat.id, query.data or "", group=True) or ""
    for prefix, handler in ROUTES:
        if payload.startswith(prefix):
            await handler(update, context, payload)
            return
    await query.answer(EXPIRED_BUTTON, show_alert=True)
