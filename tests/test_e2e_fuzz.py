"""Random input through the real bot, Rasa, actions and Redis: every message
gets an answer in French, and no process falls over."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.person_chat import SOMETHING_WENT_WRONG
from bot.pipeline import APOLOGY, APOLOGY_WITHOUT_MEMORY, SERVICE_DOWN_TEXT
from tests.e2e import LiveBot, texts

pytestmark = pytest.mark.stack

PERSON = 640001
ANY_CHAR = st.characters(blacklist_categories=("Cs",))
WORDS = ["slt", "bjr", "cnam", "rdv", "g le bac", "jsp", "👍", "\u200b", "\u202e", "marahaba", "0639", "/", "{}"]
TEXTS = st.one_of(
    st.text(ANY_CHAR, min_size=1, max_size=200),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(" ".join),
    st.text(ANY_CHAR, min_size=1, max_size=20).map(lambda s: (s * 10_000)[:10_000]),
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXTS)
async def test_any_text_gets_an_answer(live_bot: LiveBot, text: str) -> None:
    person = live_bot.person(PERSON)
    if not live_bot.fake.sent[PERSON]:
        await person.start_with_consent("bonjour")
    answer = await person.say(text)
    written = texts(answer)
    assert any(t.strip() for t in written), answer
    # An answer, not an apology: every part of the stack handled the text.
    failures = {APOLOGY.text, APOLOGY_WITHOUT_MEMORY.text, SOMETHING_WENT_WRONG, SERVICE_DOWN_TEXT}
    assert not failures & set(written), written
    for process in [live_bot.bot, *live_bot.stack.processes]:
        assert process.popen and process.popen.poll() is None, process.log_tail()
