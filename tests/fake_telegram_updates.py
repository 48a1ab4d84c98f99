"""The updates a test makes people send to the bot through the fake Bot API.

Texts and commands, replies in a group, the same update twice, media
(sticker, photo, voice, video, document), a location, a contact, an edited
message, a button pressed: each is queued for the bot's next getUpdates.
"""

from __future__ import annotations

import copy
import time
from typing import Any


class PeopleUpdates:
    """Mixed into FakeTelegram: the people's side of the chats.

    FakeTelegram holds the state (``pending``, ``from_users``, the id counters,
    set by ``reset()``) and finds messages and builds chats (``_find``,
    ``_chat``, ``_take_message_id``) for both sides.
    """

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

    def write_in_topic(
        self, group_id: int, thread_id: int, text: str, user_id: int, first_name: str = "Conseiller",
        reply_to_message_id: int | None = None,
    ) -> dict[str, Any]:
        """A member writes in a topic of a supergroup with topics (``fake_telegram_forum``)."""
        update = self.text_update(
            group_id, text, user_id, "supergroup", reply_to_message_id, first_name, thread_id
        )
        return self.push_update(update)["message"]

    def text_update(
        self,
        chat_id: int,
        text: str,
        user_id: int | None = None,
        chat_type: str = "private",
        reply_to_message_id: int | None = None,
        first_name: str = "Test",
        message_thread_id: int | None = None,
    ) -> dict[str, Any]:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        # In a topic, a message that replies to nothing else replies to the topic's first message.
        replied = reply_to_message_id if reply_to_message_id is not None else message_thread_id
        if replied is not None:
            content["reply_to_message"] = self._find(chat_id, replied)
        self._in_topic(chat_id, content, message_thread_id)
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

    # ---- the pieces of their messages ---------------------------------

    def _take_update_id(self) -> int:
        self._next_update_id += 1
        return self._next_update_id - 1

    def _user(self, user_id: int, first_name: str) -> dict[str, Any]:
        user = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "fr"}
        return {**user, **self.profiles[user_id]}

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
