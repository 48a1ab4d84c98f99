"""``python -m bench.front_unthrottled``: the front without its overall flood limit (what-if).

Telegram lets a bot send about 30 messages per second in all, and the
front keeps to it (bot/outgoing.py, OUTGOING_PER_SECOND), so on Telegram
the whole stack cannot answer more turns per second than 30 divided by the
messages per turn. The fake Bot API has no limit: lifting the front's shows
what the rest of the stack carries. Per-group limits stay.
"""

from __future__ import annotations

import os

from bot.__main__ import main

if __name__ == "__main__":
    os.environ["OUTGOING_PER_SECOND"] = "0"  # read when main() builds the settings
    main([])
