"""The real bot process pointed at a fresh Bot API server, whose update ids
start again at 1 (as Telegram's do after a week without updates): the people
still get their answers, nothing is dropped as "already handled"."""

from __future__ import annotations

import pytest

from bot.consent import consent_prompt
from tests.e2e import LiveBot, texts
from tests.stack import Stack

pytestmark = pytest.mark.stack


async def test_a_fresh_bot_api_whose_update_ids_start_again_gets_answers(
    rasa_server: Stack,
) -> None:
    expected = [m.text for m in consent_prompt()]
    for chat_id in (650301, 650302):
        # The same bot (same token) each time, a new server: update ids from 1.
        live = await LiveBot.start(rasa_server)
        try:
            answer = await live.person(chat_id).say("bjr")
        finally:
            await live.stop()
        assert texts(answer) == expected
