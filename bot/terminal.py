"""A chat in the terminal, through the same pipeline as Telegram (no token needed).

Buttons are shown as numbered choices: typing "2" presses the second one.
A message that replaces the pressed one on Telegram ("Détails", "Retour") is
printed anew, marked ↻; the choice is not echoed (the typed number shows it).
Documents are written to a folder and their path is shown.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from redis.exceptions import RedisError

from bot.app import build_pipeline
from bot.messages import OutMessage
from bot.person_commands import HELP, payload_for
from bot.pipeline import SERVICE_DOWN_TEXT, Pipeline
from cnam.settings import Settings
from cnam.store import get_redis

QUIT = {"quitter", "/quitter", "exit"}
WELCOME = (
    "Conversation avec l'assistant du CNAM Mayotte (mode terminal, chat {chat_id}).\n"
    "Écrivez votre message. Tapez un numéro pour choisir une réponse, « quitter » pour sortir."
)


class TerminalChat:
    def __init__(
        self, pipeline: Pipeline, chat_id: int, documents_dir: Path, out: TextIO = sys.stdout
    ):
        self.pipeline = pipeline
        self.chat_id = chat_id
        self.documents_dir = documents_dir
        self.out = out
        self.choices: list[str] = []  # payloads of the last buttons shown

    def _print(self, line: str = "") -> None:
        print(line, file=self.out, flush=True)

    def show(self, messages: Sequence[OutMessage]) -> None:
        self.choices = []
        for message in messages:
            if message.text:
                self._print(f"CNAM {'↻' if message.replace else '›'} {message.text}")
            for title, payload in message.buttons:
                self.choices.append(payload)
                self._print(f"   {len(self.choices)}. {title}")
            if message.request_contact:
                self._print("   (Tapez votre numéro de téléphone.)")
            if message.document:
                self.documents_dir.mkdir(parents=True, exist_ok=True)
                path = self.documents_dir / Path(message.document.filename).name
                path.write_bytes(message.document.content)
                self._print(f"   Document enregistré : {path}")

    def _input(self, line: str) -> tuple[str, bool]:
        """What a typed line means: (payload or text, trusted)."""
        if line.isdigit() and 1 <= int(line) <= len(self.choices):
            return self.choices[int(line) - 1], True
        payload = payload_for(line)
        if payload is not None:
            return payload, True
        return line, False

    async def run(self, stdin: TextIO) -> None:
        self._print(WELCOME.format(chat_id=self.chat_id))
        while True:
            if stdin.isatty():
                self.out.write("Vous › ")
                self.out.flush()
            raw = await asyncio.to_thread(stdin.readline)
            line = raw.strip()
            if not raw or line.lower() in QUIT:
                return
            if not line:
                continue
            if line.startswith("/") and payload_for(line) is None:
                self.show([HELP])
                continue
            text, trusted = self._input(line)
            try:
                self.show(await self.pipeline.handle(self.chat_id, text, trusted=trusted))
            except RedisError:
                self._print(f"CNAM › {SERVICE_DOWN_TEXT}")


async def chat(settings: Settings, chat_id: int, documents_dir: Path) -> None:
    pipeline = await build_pipeline(settings, "terminal", rasa_url=settings.rasa_url)
    try:
        await TerminalChat(pipeline, chat_id, documents_dir).run(sys.stdin)
    finally:
        await pipeline.rasa.close()
        await get_redis().close()
