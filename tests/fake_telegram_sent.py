"""What the bot sends to the chats through the fake Bot API, and how a test reads it.

Messages (sendMessage, sendDocument, sendPhoto), their edits and deletions,
checked as Telegram checks them and kept per chat (with ids, replies and
keyboards, edited in place); answers to button presses; chat actions.
``messages`` and ``wait_for_messages`` give the messages back to the test.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from bot.render import PART_SEPARATOR
from tests.fake_telegram_format import MAX_CAPTION, MAX_TEXT, ApiError, check_markup, plain_text

BOT_USER = {
    "id": 123456,
    "is_bot": True,
    "first_name": "Assistant CNAM",
    "username": "cnam_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


def said_in(message: dict[str, Any], before: str | None, text: str) -> list[dict[str, Any]]:
    """What a send or an edit says anew, part by part. ``text``: the message's text
    then; ``before``: the text an edit replaced (None for a send). A new message says
    all of it; an edit that adds to the text, what it adds after the person's choice
    (✅: their answer, not the bot's); an edit that replaces the text, all of it
but a leading ✅ choice.
    A message the front merged (bot/render.py) comes as the parts it joined, the
    keyboard on the last one: a test reads what was said, however it was packed.
    Only private chats are packed so: in a group (cards, agendas) a message is read
    whole, as it was sent (its edits are read on the message itself)."""
    if message["chat"]["id"] < 0:
        return [message] if before is None else []
    if before is not None:
        if text.startswith(before):
            text = text[len(before):].removeprefix(PART_SEPARATOR)
        if text.startswith("✅ "):
            text = text.partition(PART_SEPARATOR)[2]
        if not text:
            return []
    if before is None and PART_SEPARATOR not in text:
        return [message]  # the message itself, as tests read it live
    chunks = text.split(PART_SEPARATOR)
    return [{**message, "text": c, "reply_markup": None} for c in chunks[:-1]] + [
        {**message, "text": chunks[-1]}]


class SentByBot:
    """Mixed into FakeTelegram: the bot's side of the chats.

    FakeTelegram holds the state (``sent``, ``sent_markups``, ``edits``,
    ``files``, ``callback_answers``, ``chat_actions``..., set by ``reset()``),
    finds messages and builds chats (``_find``, ``_chat``, ``_take_message_id``)
    for both sides, describes the bot (``bot_user``) and waits (``wait_for``).
    """

    # ---- reading what the bot sent ---------------------------------------

    def messages(self, chat_id: int) -> list[dict[str, Any]]:
        return self.sent[chat_id]

    def said(self, chat_id: int) -> list[dict[str, Any]]:
        """What the bot said in the chat, in order, part by part (``said_in``, ``parts``);
        in a group, the messages as sent (topic notices included)."""
        if chat_id < 0:
            return self.sent[chat_id]
        return [part for change in self.changes[chat_id] for part in said_in(*change)]

    async def wait_for_messages(
        self, chat_id: int, count: int, timeout: float = 10  # noqa: ASYNC109 (documented helper)
    ) -> list[dict[str, Any]]:
        """The next ``count`` messages the bot said to ``chat_id`` (not returned before):
        new ones, and what it edited into one (``said``)."""
        start = self._cursor[chat_id]
        try:
            await self.wait_for(lambda: len(self.said(chat_id)) >= start + count, timeout)
        except TimeoutError:
            got = [m.get("text") or m.get("document") for m in self.said(chat_id)[start:]]
            raise AssertionError(
                f"chat {chat_id}: expected {count} new message(s) within {timeout} s, got {got}"
            ) from None
        self._cursor[chat_id] = start + count
        return self.said(chat_id)[start : start + count]

    def _changed(self, message: dict[str, Any], before: str | None) -> None:
        """Logs a send (``before`` None: the message itself, as tests read it live)
        or an edit (the message as it became)."""
        logged = message if before is None else copy.deepcopy(message)
        self.changes[message["chat"]["id"]].append((logged, before, message.get("text") or ""))

    def markup_sent_with(self, message: dict[str, Any]) -> dict[str, Any] | None:
        """The reply_markup the bot sent with ``message`` (reply keyboards included)."""
        return self.sent_markups.get((message["chat"]["id"], message["message_id"]))

    # ---- the API methods -------------------------------------------------

    async def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        text = params.get("text") or ""
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        shown = plain_text(text, params.get("parse_mode"))
        if len(shown.encode("utf-16-le")) // 2 > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        return self._store_sent(params, {"text": shown})

    async def _api_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._store_sent(params, {"document": self._upload(params, "document")})

    async def _api_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        photo = self._upload(params, "photo")
        return self._store_sent(params, {"photo": [{**photo, "width": 640, "height": 480}]})

    async def _api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._find(int(params["chat_id"]), int(params["message_id"]))
        text = plain_text(params.get("text") or "", params.get("parse_mode"))
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        markup = params.get("reply_markup")
        if text == message.get("text") and markup == message.get("reply_markup"):
            raise ApiError(400, "Bad Request: message is not modified")
        check_markup(markup)
        before = message.get("text") or ""
        message["text"] = text
        self._set_markup(message, markup)
        message["edit_date"] = int(time.time())
        self.edits.append(params)
        self._changed(message, before)
        return message

    async def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._find(int(params["chat_id"]), int(params["message_id"]))
        markup = params.get("reply_markup")
        if markup == message.get("reply_markup"):
            raise ApiError(400, "Bad Request: message is not modified")
        check_markup(markup)
        self._set_markup(message, markup)
        self.edits.append(params)
        self._changed(message, message.get("text") or "")
        return message

    async def _api_deleteMessage(self, params: dict[str, Any]) -> bool:
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        message = self._find(chat_id, message_id)
        self.sent[chat_id].remove(message)
        return True

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        query_id = params["callback_query_id"]
        if query_id in self.callback_answers or int(query_id) >= self._next_callback_id:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        self.callback_answers[query_id] = params
        return True

    async def _api_sendChatAction(self, params: dict[str, Any]) -> bool:
        self.chat_actions.append((int(params["chat_id"]), params["action"]))
        return True

    # ---- internals -------------------------------------------------------

    @staticmethod
    def _set_markup(message: dict[str, Any], markup: dict[str, Any] | None) -> None:
        # Only inline keyboards stay attached to a message; reply keyboards are the chat's.
        if markup and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)

    def _upload(self, params: dict[str, Any], field: str) -> dict[str, Any]:
        value = params.get(field)
        if isinstance(value, dict):  # a multipart upload
            file_id = f"{field}-sent-{len(self.files) + 1}"
            self.files[file_id] = value["content"]
            return {
                "file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": value["filename"],
                "mime_type": value["content_type"], "file_size": len(value["content"]),
            }
        if isinstance(value, str) and value:  # a URL or a file_id
            return {"file_id": value, "file_unique_id": f"u{len(self.files)}", "file_size": 0}
        raise ApiError(400, f"Bad Request: there is no {field} in the request")

    def _store_sent(self, params: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        caption = params.get("caption")
        if caption:
            content["caption"] = plain_text(caption, params.get("parse_mode"))
            if len(content["caption"]) > MAX_CAPTION:
                raise ApiError(400, "Bad Request: message caption is too long")
        markup = params.get("reply_markup")
        check_markup(markup)
        reply = params.get("reply_parameters") or {}
        reply_to = reply.get("message_id") or params.get("reply_to_message_id")
        message: dict[str, Any] = {
            "message_id": self._take_message_id(chat_id),
            "date": int(time.time()),
            "chat": self._chat(chat_id, "private" if chat_id > 0 else "supergroup", "Test"),
            "from": self.bot_user,
            **content,
        }
        if reply_to:
            try:
                message["reply_to_message"] = copy.deepcopy(self._find(chat_id, int(reply_to)))
            except ApiError:
                if not reply.get("allow_sending_without_reply"):
                    raise ApiError(400, "Bad Request: message to be replied not found") from None
        self._in_topic(chat_id, message, params.get("message_thread_id"))
        self._set_markup(message, markup)
        self.sent[chat_id].append(message)
        self.sent_markups[(chat_id, message["message_id"])] = markup
        self._changed(message, None)
        return message
