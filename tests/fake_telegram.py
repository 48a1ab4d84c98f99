"""A fake Telegram Bot API for tests: the bot talks to it through ``base_url``.

It keeps what the bot sent (per chat, with ids and keyboards, edited in
place), lets the test play the users (texts, buttons, media, groups), and
can fail on purpose (429 with retry_after, 500). It checks what the real API
checks and what bugs hide behind: text length, empty text, callback data
over 64 bytes, broken HTML, a callback query answered twice.

    fake = FakeTelegram(); await fake.start()
    settings = Settings(telegram_bot_token=fake.token, telegram_api_base_url=fake.base_url)
    fake.send_text(42, "bonjour")
    [reply] = await fake.wait_for_messages(42, 1)
    fake.press_button(42, reply["message_id"], "Oui")

``wait_for_messages`` reads each chat like a conversation: every call
returns the next messages not returned yet. ``messages(chat_id)`` gives them all.
"""

from __future__ import annotations

import asyncio
import copy
import html
import json
import socket
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import pytest
from aiohttp import web

TOKEN = "123456:FAKE-token"
BOT_USER = {
    "id": 123456,
    "is_bot": True,
    "first_name": "Assistant CNAM",
    "username": "cnam_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
# Parameters that stay strings; every other one is JSON-encoded by the client.
TEXT_PARAMS = {
    "text", "caption", "parse_mode", "action", "url", "secret_token", "callback_query_id",
    "inline_message_id", "data", "title", "description", "filename", "file_id",
}
POLL_SECONDS = 0.01
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
HTML_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
    "span", "tg-spoiler", "tg-emoji", "blockquote",
}


class ApiError(Exception):
    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


class _HtmlChecker(HTMLParser):
    """Rejects what Telegram rejects: unknown tags, unbalanced tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.plain: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in HTML_TAGS:
            raise ApiError(400, f"Bad Request: can't parse entities: unsupported start tag \"{tag}\"")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            raise ApiError(400, f"Bad Request: can't parse entities: unmatched end tag \"{tag}\"")

    def handle_data(self, data: str) -> None:
        self.plain.append(data)


def plain_text(text: str, parse_mode: str | None) -> str:
    """The text as the user sees it (HTML checked and removed)."""
    if (parse_mode or "").upper() != "HTML":
        return text
    checker = _HtmlChecker()
    checker.feed(text)
    checker.close()
    if checker.stack:
        raise ApiError(400, "Bad Request: can't parse entities: unclosed tag")
    return html.unescape("".join(checker.plain))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Failure:
    status: int
    retry_after: int


class FakeTelegram:
    def __init__(self, token: str = TOKEN):
        self.token = token
        self.port = 0
        self._runner: web.AppRunner | None = None
        self.reset()

    # ---- lifecycle -------------------------------------------------------

    @property
    def base_url(self) -> str:
        """What the bot needs as TELEGRAM_API_BASE_URL."""
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self) -> None:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._dispatch)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        self.port = _free_port()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def reset(self) -> None:
        """Forget everything (for a fake shared by several tests)."""
        self.pending: list[dict[str, Any]] = []  # updates not confirmed by the bot
        self.sent: dict[int, list[dict[str, Any]]] = defaultdict(list)  # bot → chat
        self.from_users: dict[int, list[dict[str, Any]]] = defaultdict(list)
        self.calls: list[tuple[str, dict[str, Any]]] = []  # every API call, in order
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.chat_actions: list[tuple[int, str]] = []
        self.edits: list[dict[str, Any]] = []
        self.commands: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] = {}
        self.files: dict[str, bytes] = {}  # file_id → content sent by the bot
        self.sent_markups: dict[tuple[int, int], dict[str, Any] | None] = {}
        # chat id → user id → "creator" | "administrator" | "member" | "left" | "kicked"
        self.members: dict[int, dict[int, str]] = defaultdict(dict)
        self.failures_served: list[tuple[str, int]] = []
        self._failures: dict[str, list[Failure]] = defaultdict(list)
        self._next_update_id = 1
        self._next_message_id: dict[int, int] = defaultdict(lambda: 1)
        self._next_callback_id = 1
        self._cursor: dict[int, int] = defaultdict(int)

    # ---- failure injection ---------------------------------------------

    def fail_next(self, method: str, status: int = 429, times: int = 1, retry_after: int = 1) -> None:
        """The next ``times`` calls of ``method`` fail with ``status`` (429: with retry_after)."""
        self._failures[method].extend(Failure(status, retry_after) for _ in range(times))

    # ---- playing the users ---------------------------------------------

    def push_update(self, update: dict[str, Any], times: int = 1) -> dict[str, Any]:
        """Queue an update (``times`` > 1: the same update_id delivered again)."""
        update.setdefault("update_id", self._take_update_id())
        self.pending.extend(copy.deepcopy(update) for _ in range(times))
        return update

    def send_text(
        self,
        chat_id: int,
        text: str,
        user_id: int | None = None,
        chat_type: str = "private",
        reply_to_message_id: int | None = None,
        first_name: str = "Test",
    ) -> dict[str, Any]:
        """A user writes ``text``; returns the message (its ``message_id`` included)."""
        update = self.text_update(chat_id, text, user_id, chat_type, reply_to_message_id, first_name)
        return self.push_update(update)["message"]

    def send_update_twice(self, chat_id: int, text: str, **kwargs: Any) -> dict[str, Any]:
        """The same update (same update_id) delivered twice in one batch."""
        return self.push_update(self.text_update(chat_id, text, **kwargs), times=2)["message"]

    def reply_in_group(
        self, group_id: int, reply_to_message_id: int, text: str, user_id: int, first_name: str = "Conseiller"
    ) -> dict[str, Any]:
        return self.send_text(
            group_id, text, user_id=user_id, chat_type="supergroup",
            reply_to_message_id=reply_to_message_id, first_name=first_name,
        )

    def text_update(
        self,
        chat_id: int,
        text: str,
        user_id: int | None = None,
        chat_type: str = "private",
        reply_to_message_id: int | None = None,
        first_name: str = "Test",
    ) -> dict[str, Any]:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        if reply_to_message_id is not None:
            content["reply_to_message"] = self._find(chat_id, reply_to_message_id)
        message = self._user_message(chat_id, user_id, chat_type, first_name, content)
        return {"update_id": self._take_update_id(), "message": message}

    def send_sticker(self, chat_id: int, **kwargs: Any) -> dict[str, Any]:
        return self._send_media(chat_id, {"sticker": {
            **self._file("sticker"), "type": "regular", "width": 512, "height": 512,
            "is_animated": False, "is_video": False, "emoji": "😀",
        }}, **kwargs)

    def send_photo(self, chat_id: int, **kwargs: Any) -> dict[str, Any]:
        return self._send_media(
            chat_id, {"photo": [{**self._file("photo"), "width": 640, "height": 480}]}, **kwargs
        )

    def send_voice(self, chat_id: int, duration: int = 4, **kwargs: Any) -> dict[str, Any]:
        return self._send_media(
            chat_id, {"voice": {**self._file("voice"), "duration": duration, "mime_type": "audio/ogg"}},
            **kwargs,
        )

    def send_video(self, chat_id: int, **kwargs: Any) -> dict[str, Any]:
        return self._send_media(chat_id, {"video": {
            **self._file("video"), "width": 640, "height": 480, "duration": 5,
        }}, **kwargs)

    def send_document(
        self, chat_id: int, file_name: str = "cv.pdf", mime_type: str = "application/pdf", **kwargs: Any
    ) -> dict[str, Any]:
        return self._send_media(chat_id, {"document": {
            **self._file("document"), "file_name": file_name, "mime_type": mime_type,
        }}, **kwargs)

    def send_location(
        self, chat_id: int, latitude: float = -12.7806, longitude: float = 45.2278, **kwargs: Any
    ) -> dict[str, Any]:
        return self._send_media(
            chat_id, {"location": {"latitude": latitude, "longitude": longitude}}, **kwargs
        )

    def send_contact(
        self, chat_id: int, phone_number: str, user_id: int | None = None, first_name: str = "Test",
        **kwargs: Any,
    ) -> dict[str, Any]:
        contact = {"phone_number": phone_number, "first_name": first_name}
        contact["user_id"] = user_id if user_id is not None else chat_id  # type: ignore[assignment]
        return self._send_media(chat_id, {"contact": contact}, **kwargs)

    def edit_text(self, chat_id: int, message_id: int, text: str) -> dict[str, Any]:
        """The user edits one of their messages."""
        original = next(m for m in self.from_users[chat_id] if m["message_id"] == message_id)
        edited = {**copy.deepcopy(original), "text": text, "edit_date": int(time.time())}
        return self.push_update({"edited_message": edited})["edited_message"]

    def press_button(
        self,
        chat_id: int,
        message_id: int,
        button: str | None = None,
        *,
        data: str | None = None,
        user_id: int | None = None,
    ) -> str:
        """Press a button (by callback_data or title) of a message the bot sent.

        ``data=`` sends any callback data (a forged or foreign token).
        Returns the callback query id (see ``callback_answers``).
        """
        message = self._find(chat_id, message_id)
        if data is None:
            rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
            found = [
                b for row in rows for b in row if button in (b.get("callback_data"), b.get("text"))
            ]
            if not found:
                raise LookupError(f"no button {button!r} on message {message_id}: {rows}")
            data = found[0]["callback_data"]
        query_id = str(self._next_callback_id)
        self._next_callback_id += 1
        user = self._user(user_id if user_id is not None else chat_id, "Test")
        self.push_update({"callback_query": {
            "id": query_id, "from": user, "message": copy.deepcopy(message),
            "chat_instance": f"ci{chat_id}", "data": data,
        }})
        return query_id

    # ---- reading what the bot did ----------------------------------------

    def messages(self, chat_id: int) -> list[dict[str, Any]]:
        return self.sent[chat_id]

    async def wait_for_messages(
        self, chat_id: int, count: int, timeout: float = 10  # noqa: ASYNC109 (documented helper)
    ) -> list[dict[str, Any]]:
        """The next ``count`` messages the bot sent to ``chat_id`` (not returned before)."""
        start = self._cursor[chat_id]
        try:
            await self.wait_for(lambda: len(self.sent[chat_id]) >= start + count, timeout)
        except TimeoutError:
            got = [m.get("text") or m.get("document") for m in self.sent[chat_id][start:]]
            raise AssertionError(
                f"chat {chat_id}: expected {count} new message(s) within {timeout} s, got {got}"
            ) from None
        self._cursor[chat_id] = start + count
        return self.sent[chat_id][start : start + count]

    @staticmethod
    async def wait_for(condition: Callable[[], bool], timeout: float = 10) -> None:  # noqa: ASYNC109
        """Wait until ``condition()`` holds; TimeoutError if it does not within ``timeout``."""
        async with asyncio.timeout(timeout):
            # Polling: the condition is any test expression, not an event the fake could set.
            while not condition():  # noqa: ASYNC110
                await asyncio.sleep(POLL_SECONDS)

    def calls_of(self, method: str) -> list[dict[str, Any]]:
        return [params for name, params in self.calls if name == method]

    # ---- the API ---------------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        params = await self._params(request)
        self.calls.append((method, params))
        try:
            failures = self._failures.get(method)
            if failures:
                failure = failures.pop(0)
                self.failures_served.append((method, failure.status))
                if failure.status == 429:
                    raise ApiError(
                        429, f"Too Many Requests: retry after {failure.retry_after}",
                        {"retry_after": failure.retry_after},
                    )
                raise ApiError(failure.status, "Internal Server Error")
            handler = getattr(self, f"_api_{method}", None)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            result = await handler(params)
        except ApiError as exc:
            body: dict[str, Any] = {
                "ok": False, "error_code": exc.status, "description": exc.description,
            }
            if exc.parameters:
                body["parameters"] = exc.parameters
            return web.json_response(body, status=exc.status)
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    async def _params(request: web.Request) -> dict[str, Any]:
        raw: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            raw.update(await request.json())
            return raw
        for name, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                raw[name] = {
                    "filename": value.filename,
                    "content_type": value.content_type,
                    "content": value.file.read(),
                }
            elif name in TEXT_PARAMS:
                raw[name] = value
            else:
                try:
                    raw[name] = json.loads(value)
                except ValueError:
                    raw[name] = value
        return raw

    async def _api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return BOT_USER

    async def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        if offset:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
        timeout = float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)
        if not self.pending and timeout > 0:
            try:
                await self.wait_for(lambda: bool(self.pending), timeout)
            except TimeoutError:
                return []
        return self.pending[:limit]

    async def _api_setWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = params
        return True

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = {}
        if params.get("drop_pending_updates"):
            self.pending.clear()
        return True

    async def _api_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self.webhook.get("url", ""), "has_custom_certificate": False,
            "pending_update_count": len(self.pending),
        }

    async def _api_setMyCommands(self, params: dict[str, Any]) -> bool:
        self.commands = params["commands"]
        return True

    async def _api_getMyCommands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.commands

    async def _api_deleteMyCommands(self, params: dict[str, Any]) -> bool:
        self.commands = []
        return True

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
        self._check_markup(markup)
        message["text"] = text
        self._set_markup(message, markup)
        message["edit_date"] = int(time.time())
        self.edits.append(params)
        return message

    async def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._find(int(params["chat_id"]), int(params["message_id"]))
        markup = params.get("reply_markup")
        if markup == message.get("reply_markup"):
            raise ApiError(400, "Bad Request: message is not modified")
        self._check_markup(markup)
        self._set_markup(message, markup)
        self.edits.append(params)
        return message

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        query_id = params["callback_query_id"]
        if query_id in self.callback_answers or int(query_id) >= self._next_callback_id:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        self.callback_answers[query_id] = params
        return True

    async def _api_sendChatAction(self, params: dict[str, Any]) -> bool:
        self.chat_actions.append((int(params["chat_id"]), params["action"]))
        return True

    async def _api_deleteMessage(self, params: dict[str, Any]) -> bool:
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        message = self._find(chat_id, message_id)
        self.sent[chat_id].remove(message)
        return True

    async def _api_getChat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        return {**self._chat(chat_id, "private" if chat_id > 0 else "supergroup", "Test"),
                "accepted_gift_types": {
                    "unlimited_gifts": False, "limited_gifts": False,
                    "unique_gifts": False, "premium_subscription": False,
                }, "max_reaction_count": 11}

    async def _api_getChatMember(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id, user_id = int(params["chat_id"]), int(params["user_id"])
        return self._member(user_id, self.members[chat_id].get(user_id, "left"))

    async def _api_getChatAdministrators(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        chat_id = int(params["chat_id"])
        return [
            self._member(user_id, status)
            for user_id, status in self.members[chat_id].items()
            if status in {"creator", "administrator"}
        ]

    async def _api_close(self, params: dict[str, Any]) -> bool:
        return True

    async def _api_logOut(self, params: dict[str, Any]) -> bool:
        return True

    # ---- internals -------------------------------------------------------

    def _take_update_id(self) -> int:
        self._next_update_id += 1
        return self._next_update_id - 1

    def _take_message_id(self, chat_id: int) -> int:
        self._next_message_id[chat_id] += 1
        return self._next_message_id[chat_id] - 1

    @staticmethod
    def _user(user_id: int, first_name: str) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "fr"}

    @staticmethod
    def _chat(chat_id: int, chat_type: str, first_name: str) -> dict[str, Any]:
        if chat_type == "private":
            return {"id": chat_id, "type": "private", "first_name": first_name}
        return {"id": chat_id, "type": chat_type, "title": f"Groupe {chat_id}"}

    def _file(self, kind: str) -> dict[str, Any]:
        number = self._next_update_id
        return {"file_id": f"{kind}-{number}", "file_unique_id": f"u{kind}{number}", "file_size": 1000}

    def _user_message(
        self, chat_id: int, user_id: int | None, chat_type: str, first_name: str, content: dict[str, Any]
    ) -> dict[str, Any]:
        if user_id is None:
            if chat_type != "private":
                raise ValueError("a group message needs a user_id")
            user_id = chat_id
        message = {
            "message_id": self._take_message_id(chat_id),
            "date": int(time.time()),
            "chat": self._chat(chat_id, chat_type, first_name),
            "from": self._user(user_id, first_name),
            **content,
        }
        self.from_users[chat_id].append(message)
        return message

    def _send_media(
        self, chat_id: int, content: dict[str, Any], user_id: int | None = None,
        chat_type: str = "private", first_name: str = "Test",
    ) -> dict[str, Any]:
        message = self._user_message(chat_id, user_id, chat_type, first_name, content)
        return self.push_update({"message": message})["message"]

    def _find(self, chat_id: int, message_id: int) -> dict[str, Any]:
        for message in (*self.sent[chat_id], *self.from_users[chat_id]):
            if message["message_id"] == message_id:
                return message
        raise ApiError(400, "Bad Request: message to edit not found")

    @staticmethod
    def _check_markup(markup: dict[str, Any] | None) -> None:
        for row in (markup or {}).get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")

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
        self._check_markup(markup)
        reply = params.get("reply_parameters") or {}
        reply_to = reply.get("message_id") or params.get("reply_to_message_id")
        message: dict[str, Any] = {
            "message_id": self._take_message_id(chat_id),
            "date": int(time.time()),
            "chat": self._chat(chat_id, "private" if chat_id > 0 else "supergroup", "Test"),
            "from": BOT_USER,
            **content,
        }
        if reply_to:
            try:
                message["reply_to_message"] = copy.deepcopy(self._find(chat_id, int(reply_to)))
            except ApiError:
                if not reply.get("allow_sending_without_reply"):
                    raise ApiError(400, "Bad Request: message to be replied not found") from None
        self._set_markup(message, markup)
        self.sent[chat_id].append(message)
        self.sent_markups[(chat_id, message["message_id"])] = markup
        return message

    def markup_sent_with(self, message: dict[str, Any]) -> dict[str, Any] | None:
        """The reply_markup the bot sent with ``message`` (reply keyboards included)."""
        return self.sent_markups.get((message["chat"]["id"], message["message_id"]))

    @staticmethod
    def _member(user_id: int, status: str) -> dict[str, Any]:
        member: dict[str, Any] = {"status": status, "user": FakeTelegram._user(user_id, f"U{user_id}")}
        if status == "creator":
            member["is_anonymous"] = False
        if status == "administrator":
            member.update({
                "can_be_edited": False, "is_anonymous": False, "can_manage_chat": True,
                "can_delete_messages": True, "can_manage_video_chats": False,
                "can_restrict_members": False, "can_promote_members": False,
                "can_change_info": False, "can_invite_users": True, "can_post_stories": False,
                "can_edit_stories": False, "can_delete_stories": False,
            })
        if status == "kicked":
            member["until_date"] = 0
        return member


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram()
    await fake.start()
    yield fake
    await fake.stop()
