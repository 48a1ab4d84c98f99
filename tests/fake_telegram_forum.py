"""Supergroups with topics in the fake Bot API: ``getChat`` says ``is_forum``
for the chats in ``forums``, ``createForumTopic`` opens a topic there (and is
refused elsewhere, as Telegram refuses it in a plain group),
``editForumTopic`` renames one, and messages
carry ``message_thread_id`` and ``is_topic_message`` both ways.

As on Telegram, a topic starts with a service message (``forum_topic_created``)
whose id is the topic's ``message_thread_id``; a person's message in a topic
that replies to nothing else is a reply to that service message.
"""

from __future__ import annotations

import time
from typing import Any

from tests.fake_telegram_format import ApiError

ICON_COLOR = 7322096  # the first of the six colours Telegram allows
MAX_TOPIC_NAME = 128


class ForumTopics:
    """Mixed into FakeTelegram, which holds ``forums`` and ``topics`` (set by ``reset()``)."""

    def make_forum(self, chat_id: int, is_forum: bool = True) -> None:
        """``chat_id`` becomes a supergroup with topics (or goes back to a plain group)."""
        (self.forums.add if is_forum else self.forums.discard)(chat_id)

    def topic_messages(self, chat_id: int, thread_id: int) -> list[dict[str, Any]]:
        """What the bot posted in one topic (its service message aside)."""
        return [
            m for m in self.sent[chat_id]
            if m.get("message_thread_id") == thread_id and "forum_topic_created" not in m
        ]

    async def _api_createForumTopic(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id, name = int(params["chat_id"]), params.get("name") or ""
        if chat_id not in self.forums:
            raise ApiError(400, "Bad Request: the chat is not a forum")
        if not 1 <= len(name) <= MAX_TOPIC_NAME:
            raise ApiError(400, "Bad Request: TOPIC_TITLE_INVALID")
        thread_id = self._take_message_id(chat_id)
        self.topics[chat_id][thread_id] = name
        self.sent[chat_id].append({
            "message_id": thread_id, "date": int(time.time()),
            "chat": self._chat(chat_id, "supergroup", "Test"), "from": self.bot_user,
            "message_thread_id": thread_id, "is_topic_message": True,
            "forum_topic_created": {"name": name, "icon_color": ICON_COLOR},
        })
        return {"message_thread_id": thread_id, "name": name, "icon_color": ICON_COLOR}

    async def _api_editForumTopic(self, params: dict[str, Any]) -> bool:
        chat_id, thread_id = int(params["chat_id"]), int(params["message_thread_id"])
        if thread_id not in self.topics[chat_id]:
            raise ApiError(400, "Bad Request: TOPIC_ID_INVALID")
        name = params.get("name")
        if name is not None:
            if not 1 <= len(name) <= MAX_TOPIC_NAME:
                raise ApiError(400, "Bad Request: TOPIC_TITLE_INVALID")
            self.topics[chat_id][thread_id] = name
        return True

    def _in_topic(self, chat_id: int, message: dict[str, Any], thread_id: Any) -> None:
        """Puts ``message`` in its topic; a thread the chat does not have is refused."""
        if thread_id is None:
            return
        if int(thread_id) not in self.topics[chat_id]:
            raise ApiError(400, "Bad Request: message thread not found")
        message["message_thread_id"] = int(thread_id)
        message["is_topic_message"] = True
