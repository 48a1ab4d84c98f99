"""``python -m bot``: the Telegram front when TELEGRAM_BOT_TOKEN is set, else a terminal chat.

``python -m bot export …`` runs the data export (bot/export.py);
``python -m bot qr <code>`` writes a campaign link's QR code (bot/qr.py);
``python -m bot requeue-cards`` puts the cards Telegram refused back in the
queue, once the advisers' group is fixed (``make doctor`` lists them).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
from pathlib import Path

from cnam.logsafe import install_log_filter
from cnam.settings import get_settings


def _logging(level: str) -> None:
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    # httpx logs every request URL at INFO, and Telegram URLs contain the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    install_log_filter()


async def _requeue_cards() -> None:
    from cnam import handoff_queue
    from cnam.store import get_redis

    count = await handoff_queue.requeue_dead(get_redis())
    await get_redis().close()
    print(f"{count} fiche(s) remise(s) dans la file : le bot les envoie au groupe des conseillers.")


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["export"]:
        from bot import export  # imported only when asked: it is a separate tool

        export.main(argv[1:])
        return
    if argv[:1] == ["qr"]:
        from bot import qr

        sys.exit(qr.main(argv[1:]))
    if argv[:1] == ["requeue-cards"]:
        asyncio.run(_requeue_cards())
        return
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.add_argument("--terminal", action="store_true", help="chat in the terminal")
    parser.add_argument("--chat-id", type=int, default=1, help="chat id of the terminal chat")
    parser.add_argument(
        "--documents-dir", type=Path, default=Path(tempfile.gettempdir()) / "cnam-documents",
        help="where the terminal chat writes the documents it receives",
    )
    args = parser.parse_args(argv)
    settings = get_settings()
    if settings.telegram_bot_token and not args.terminal:
        from bot import app

        _logging(settings.log_level)
        app.run(settings)
    else:
        from bot import terminal

        _logging("WARNING")  # the terminal is the conversation: keep it clean
        asyncio.run(terminal.chat(settings, args.chat_id, args.documents_dir))


if __name__ == "__main__":
    main()
