from tests.test_fuzz_front import *  # noqa
from bot import front_commands

import pytest

@pytest.fixture(autouse=True)
def broken(monkeypatch):
    async def boom(chat_id, arg):
        raise RuntimeError("boom")
    monkeypatch.setitem(front_commands._handlers, "supprimer_ok", boom)
