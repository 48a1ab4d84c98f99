"""The path of one user input, shared by Telegram and the terminal chat.

In order: live relay to an adviser, consent gate, the front's own actions
(``!`` payloads, trusted input only), typed input Rasa cannot use (too long,
emoji only), then Rasa: under the chat id for someone who agreed, under a
throwaway sender id otherwise (``bot/consent.py``). The transport renders the
returned messages.

A front action is a payload ``!<name>`` or ``!<name> <arg>`` that only a
button the assistant showed or a Telegram command can send (a person typing
``!supprimer_ok`` runs nothing); the table of them is built in ``bot/app.py``.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import unicodedata
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from bot import consent, details, relay
from bot.messages import OutMessage, from_rasa
from bot.rasa_client import RasaClient, RasaUnavailable
from cnam import clock, privacy, stats
from cnam.keys import person_key
from cnam.logsafe import hash_id
from cnam.store import get_redis

log = logging.getLogger(__name__)

# Context manager entered while Rasa works (Telegram shows "typing…").
Busy = Callable[[], AbstractAsyncContextManager[Any]]


@dataclass(frozen=True)
class ToRasa:
    """A front action's answer that goes on into Rasa: ``messages`` first, then
    Rasa's answer to ``payload``, sent as a trusted input (a button)."""

    messages: list[OutMessage]
    payload: str


# A front action: (chat id, argument) → the answer.
FrontAction = Callable[[int, str], Awaitable[list[OutMessage] | ToRasa]]
FRONT_PREFIX = "!"

RETRY_PAYLOAD = "!reessayer"
GREETING_PAYLOAD = "/greet"
# Short: the kept message is only there for the "Réessayer" button.
RETRY_TTL_SECONDS = 3600

APOLOGY = OutMessage(
    text="Désolé, je n'arrive pas à vous répondre pour le moment. Réessayez dans un instant.",
    buttons=[("Réessayer", RETRY_PAYLOAD)],
)
# Nothing of a refuser is kept, not even for the "Réessayer" button.
APOLOGY_WITHOUT_MEMORY = OutMessage(
    text="Désolé, je n'arrive pas à vous répondre pour le moment. Renvoyez votre message dans un instant."
)
RETRY_EXPIRED = OutMessage(
    text="Je n'ai plus votre message. Pouvez-vous l'écrire à nouveau ?"
)
UNAVAILABLE_ACTION = OutMessage(text="Cette action n'est pas disponible pour le moment.")
TOO_LONG = OutMessage(
    text="Votre message est trop long pour moi. Pouvez-vous l'écrire en quelques phrases ?"
)
EMOJI_ONLY = OutMessage(text="Je ne comprends pas les émojis seuls. Écrivez-moi quelques mots 🙂")
# Said when Redis is down (nothing can be remembered or answered).
SERVICE_DOWN_TEXT = "Le service est momentanément indisponible, réessayez dans un instant."
MAX_TEXT_LENGTH = 4096
# The Telegram names of the person whose input is being answered (one per task:
# PTB answers each update in its own task).
_IDENTITY: ContextVar[dict[str, str] | None] = ContextVar("identity", default=None)


# Pictographs, and the joiners, skin tones and variation selectors around them.
EMOJI_CATEGORIES = {"So", "Sk", "Mn", "Me", "Cf"}


def is_emoji_only(text: str) -> bool:
    categories = {unicodedata.category(c) for c in "".join(text.split())}
    return "So" in categories and categories <= EMOJI_CATEGORIES


def parse_front_action(payload: str) -> tuple[str, str]:
    """``"!rappel 2024-05-02"`` → ``("rappel", "2024-05-02")``."""
    name, _, arg = payload.removeprefix(FRONT_PREFIX).strip().partition(" ")
    return name, arg.strip()


class Pipeline:
    def __init__(self, rasa: RasaClient, transport: str, front_actions: Mapping[str, FrontAction]):
        self.rasa = rasa
        self.transport = transport
        # Keyed by name, "!" or not: "!aide" and "aide" are the same action.
        self.front_actions = {name.removeprefix(FRONT_PREFIX): h for name, h in front_actions.items()}

    async def handle(
        self,
        chat_id: int,
        text: str,
        *,
        trusted: bool = False,
        busy: Busy = contextlib.nullcontext,
        identity: Mapping[str, str] | None = None,
    ) -> list[OutMessage]:
        """Answer one input. ``trusted``: it comes from a button or a command, not typed.
        ``identity``: the person's Telegram names, told to Rasa if they agreed (the card
        shows them, so the adviser recognises the person)."""
        # The person's own commands (/mesdonnees, /supprimer, consent) still work
        # while an adviser talks with them live; everything else goes to the adviser.
        own_command = trusted and text.startswith(FRONT_PREFIX)
        if not own_command and await relay.forward_from_user(chat_id, text):
            return []
        # Anonymous: a HyperLogLog of people per day (cnam/stats.py).
        await stats.record(get_redis(), "conversation", chat_id)
        _IDENTITY.set(dict(identity or {}))
        return await self._answer(chat_id, text, trusted, busy, await consent.status(chat_id))

    async def _answer(
        self, chat_id: int, text: str, trusted: bool, busy: Busy, status: consent.Status
    ) -> list[OutMessage]:
        gated = await consent.gate(chat_id, text, status)
        if gated:
            return gated
        if trusted and text == RETRY_PAYLOAD:
            kept = await get_redis().getdel(person_key("retry", chat_id))
            if kept is None:
                return [RETRY_EXPIRED]
            # Replayed with the trust it had, so a typed "!…" never becomes a command.
            was_trusted, _, kept_text = kept.partition(":")
            return await self._answer(chat_id, kept_text, was_trusted == "1", busy, status)
        if trusted and text.startswith(FRONT_PREFIX):
            return await self._front_command(chat_id, text, busy)
        if not trusted and len(text) > MAX_TEXT_LENGTH:
            return [TOO_LONG]
        if not trusted and is_emoji_only(text):
            return [EMOJI_ONLY]
        if status.may_keep:
            return await self._ask_rasa(chat_id, text, trusted, busy, status)
        return await self._ask_rasa_anonymously(chat_id, text, busy, status)

    async def _front_command(self, chat_id: int, payload: str, busy: Busy) -> list[OutMessage]:
        name, arg = parse_front_action(payload)
        handler = self.front_actions.get(name)
        if handler is None:
            log.warning("no front command %r (chat %s)", name, hash_id(chat_id))
            return [UNAVAILABLE_ACTION]
        answer = await handler(chat_id, arg)
        if isinstance(answer, ToRasa):
            return answer.messages + await self._answer(
                chat_id, answer.payload, True, busy, await consent.status(chat_id)
            )
        messages = answer
        if payload in (consent.ACCEPT, consent.REFUSE):
            # The question asked before the consent prompt gets its answer now (stored
            # or not, as just decided); without one, the greeting says what comes next.
            first = consent.take_first_message(chat_id)
            status = await consent.status(chat_id)
            if first is not None:
                messages += await self._answer(chat_id, first, False, busy, status)
            elif status.may_keep:
                messages += await self._answer(chat_id, GREETING_PAYLOAD, True, busy, status)
        return messages

    async def _ask_rasa(
        self, chat_id: int, text: str, trusted: bool, busy: Busy, status: consent.Status
    ) -> list[OutMessage]:
        messages = await self._rasa_turn(chat_id, str(chat_id), text, busy, status)
        if messages is None:
            kept = f"{int(trusted)}:{text}"
            await get_redis().set(person_key("retry", chat_id), kept, ex=RETRY_TTL_SECONDS)
            return [APOLOGY]
        if not (await consent.status(chat_id)).may_keep:
            # The person just said they are under 16 (cnam.privacy.forget_profile):
            # what Rasa saved after that goes too, once.
            await privacy.erase_person(
                get_redis(), chat_id, clock.now(), keep=privacy.KEPT_WITHOUT_CONSENT
            )
        return messages

    async def _ask_rasa_anonymously(
        self, chat_id: int, text: str, busy: Busy, status: consent.Status
    ) -> list[OutMessage]:
        """A refuser or a minor: Rasa answers under a throwaway sender id, and
        the one tracker (and lock) it writes is deleted right after."""
        sender = privacy.ANONYMOUS_SENDER_PREFIX + secrets.token_hex(8)
        try:
            messages = await self._rasa_turn(chat_id, sender, text, busy, status)
        finally:
            await get_redis().delete(person_key("tracker", sender), person_key("lock", sender))
        return [APOLOGY_WITHOUT_MEMORY] if messages is None else messages

    async def _rasa_turn(
        self, chat_id: int, sender: str, text: str, busy: Busy, status: consent.Status
    ) -> list[OutMessage] | None:
        """Rasa's answer, or None when it could not answer."""
        metadata = {"transport": self.transport, **status.metadata()}
        if status.may_keep:
            metadata |= _IDENTITY.get() or {}
        try:
            async with busy():
                replies = await self.rasa.send(chat_id, text, metadata, sender=sender)
            # An empty answer means an action failed (action server down or broken):
            # silence would leave the person waiting.
            if not replies:
                raise RasaUnavailable("empty answer")
        except RasaUnavailable as exc:
            log.warning("rasa unavailable for chat %s: %s", hash_id(chat_id), exc)
            return None
        messages = [m for m in map(from_rasa, replies) if m is not None]
        return await details.expand(chat_id, messages, status.may_keep)
