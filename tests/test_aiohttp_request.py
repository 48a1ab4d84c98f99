"""The front's aiohttp request class keeps PTB's request contract, against the
fake Bot API: messages, uploads, long polling, timeouts and refused connections."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from bot.aiohttp_request import AiohttpRequest
from tests.fake_telegram import FakeTelegram


@pytest.fixture
async def bot(fake_telegram: FakeTelegram) -> AsyncIterator[Bot]:
    bot = Bot(
        fake_telegram.token, base_url=fake_telegram.base_url,
        request=AiohttpRequest(read_timeout=0.5), get_updates_request=AiohttpRequest(read_timeout=0.5),
    )
    async with bot:
        yield bot


async def test_a_message_is_sent_with_its_buttons(bot: Bot, fake_telegram: FakeTelegram) -> None:
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup

    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Oui", callback_data="t1")]])
    sent = await bot.send_message(42, "Bonjour, ça va ?", reply_markup=markup)
    [message] = fake_telegram.messages(42)
    assert (message["message_id"], message["text"]) == (sent.message_id, "Bonjour, ça va ?")
    [call] = fake_telegram.calls_of("sendMessage")
    assert call["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "t1"


async def test_a_document_is_uploaded_as_multipart(bot: Bot, fake_telegram: FakeTelegram) -> None:
    content = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    await bot.send_document(42, content, filename="rdv.ics", caption="Votre rendez-vous")
    [call] = fake_telegram.calls_of("sendDocument")
    assert call["document"]["filename"] == "rdv.ics"
    assert call["document"]["content"] == content
    assert call["caption"] == "Votre rendez-vous"


async def test_long_polling_waits_longer_than_the_default_read_timeout(
    bot: Bot, fake_telegram: FakeTelegram
) -> None:
    """getUpdates adds its wait to the read timeout of that one call."""

    async def written_later() -> None:
        await asyncio.sleep(1)
        fake_telegram.send_text(42, "bjr")

    writer = asyncio.create_task(written_later())
    updates = await bot.get_updates(timeout=5)
    await writer
    assert [u.message.text for u in updates if u.message] == ["bjr"]


async def test_a_server_that_does_not_answer_raises_timed_out() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1)
        await asyncio.sleep(10)
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    request = AiohttpRequest(read_timeout=5)
    await request.initialize()
    try:
        with pytest.raises(TimedOut):
            await request.do_request(f"http://127.0.0.1:{port}/botX/getMe", "POST", read_timeout=0.3)
    finally:
        await request.shutdown()
        server.close()


async def test_a_refused_connection_raises_network_error() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as raised:
            await request.do_request(f"http://127.0.0.1:{port}/botX/getMe", "POST")
        assert not isinstance(raised.value, TimedOut)
    finally:
        await request.shutdown()
