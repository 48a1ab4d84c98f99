"""Domain logic of the CNAM Mayotte orientation assistant.

No Rasa and no Telegram import here: both the action server (``actions/``)
and the Telegram front (``bot/``) call these functions.
"""
