"""A fake Telegram Bot API for tests: the bot talks to it through ``base_url``.

It keeps what the bot sent (per chat, with ids and keyboards, edited in
place), lets the test play the users (texts, buttons, media, groups), and
can fail on purpose (429 with retry_after, 500, 403, a migrated group:
``fake_telegram_failures``). It checks what the real API checks and what
bugs hide behind: text length, empty text, callback data over 64 bytes,
broken HTML, a callback query answered twice.

    fake = FakeTelegram(); await fake.start()
    settings = Settings(telegram_bot_token=fake.token, telegram_api_base_url=fake.base_url)
    fake.send_text(42, "bonjour")
    [reply] = await fake.wait_for_messages(42, 1)
    fake.press_button(42, reply["message_id"], "Oui")

``wait_for_messages`` reads each chat like a conversation: every call
returns the next messages not returned yet. ``messages(chat_id)`` gives them all.

This module holds the server and the rest of the API; the people's updates are
in ``fake_telegram_updates``, what the bot sends in ``fake_telegram_sent``, the
format checks in ``fake_telegram_format``.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp import web

from tests.fake_telegram_failures import Failures
from tests.fake_telegram_format import ApiError
from tests.fake_telegram_forum import ForumTopics
from tests.fake_telegram_sent import BOT_USER, SentByBot
from tests.fake_telegram_updates import PeopleUpdates

TOKEN = "123456:FAKE-token"
# Parameters that stay strings; every other one is JSON-encoded by the client.
TEXT_PARAMS = {
    "text", "caption", "parse_mode", "action", "url", "secret_token", "callback_query_id",
    "inline_message_id", "data", "title", "description", "filename", "file_id", "name",
}
POLL_SECONDS = 0.01


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class FakeTelegram(PeopleUpdates, SentByBot, ForumTopics, Failures):
    def __init__(self, token: str = TOKEN):
        self.token = token
        self.port = 0
        self._runner: web.AppRunner | None = None
        self.reset()

    # ---- lifecycle -------------------------------------------------------

    @property
    def bot_user(self) -> dict[str, Any]:
        """The bot, as getMe describes it: its id is the token's first part, as on Telegram."""
        return {**BOT_USER, "id": int(self.token.partition(":")[0])}

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
        # Calls per method since the start: never trimmed, unlike ``calls`` (bench/calls.py).
        self.method_counts: Counter[str] = Counter()
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.chat_actions: list[tuple[int, str]] = []
        self.edits: list[dict[str, Any]] = []
        # chat → every send and edit in order: (message, its text before an edit, its text then)
        self.changes: dict[int, list[tuple[dict[str, Any], str | None, str]]] = defaultdict(list)
        self.commands: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] = {}
        self.files: dict[str, bytes] = {}  # file_id → content sent by the bot
        self.sent_markups: dict[tuple[int, int], dict[str, Any] | None] = {}
        # chat id → user id → "creator" | "administrator" | "member" | "left" | "kicked"
        self.members: dict[int, dict[int, str]] = defaultdict(dict)
        # user id → Telegram profile fields (last_name, username…) beyond the first name
        self.profiles: dict[int, dict[str, str]] = defaultdict(dict)
        self.forums: set[int] = set()  # supergroups with topics (fake_telegram_forum)
        self.topics: dict[int, dict[int, str]] = defaultdict(dict)  # chat → thread id → name
        self.reset_failures()
        self._next_update_id = 1
        self._next_message_id: dict[int, int] = defaultdict(lambda: 1)
        self._next_callback_id = 1
        self._cursor: dict[int, int] = defaultdict(int)

    # ---- waiting, and the API calls ----------------------------------------

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
        self.method_counts[method] += 1
        try:
            failure = self.take_failure(method, params)
            if failure is not None:
                raise failure
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
        return self.bot_user

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

    async def _api_getChat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        return {**self._chat(chat_id, "private" if chat_id > 0 else "supergroup", "Test"),
                "accepted_gift_types": {
                    "unlimited_gifts": False, "limited_gifts": False, "unique_gifts": False,
                    "premium_subscription": False, "gifts_from_channels": False,
                }, "max_reaction_count": 11, "accent_color_id": 0}

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

    def _take_message_id(self, chat_id: int) -> int:
        self._next_message_id[chat_id] += 1
        return self._next_message_id[chat_id] - 1

    def _chat(self, chat_id: int, chat_type: str, first_name: str) -> dict[str, Any]:
        if chat_type == "private":
            return {"id": chat_id, "type": "private", "first_name": first_name}
        chat = {"id": chat_id, "type": chat_type, "title": f"Groupe {chat_id}"}
        return {**chat, "is_forum": True} if chat_id in self.forums else chat

    def _find(self, chat_id: int, message_id: int) -> dict[str, Any]:
        for message in (*self.sent[chat_id], *self.from_users[chat_id]):
            if message["message_id"] == message_id:
                return message
        raise ApiError(400, "Bad Request: message to edit not found")

    def _member(self, user_id: int, status: str) -> dict[str, Any]:
        member: dict[str, Any] = {"status": status, "user": self._user(user_id, f"U{user_id}")}
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
