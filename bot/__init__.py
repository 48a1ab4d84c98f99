"""The Telegram front: handlers, rendering, the terminal chat (see README)."""
