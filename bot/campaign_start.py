"""``/start <code>``: a conversation opened by a campaign link (``cnam/campaigns.py``).

Telegram sends the link's code with ``/start``. A known code counts at once
as "started", anonymously (``cnam/funnel.py``); the person is tagged with it
only once they agree:

- already agreed: tagged now (their consent counts for the campaign too);
- not decided yet: the code waits in this process's memory, like their first
  message (``bot/consent.py``), and is written when they press "J'accepte";
- refused, or under 16: nothing but that anonymous count.

An unknown code (or a broken campaigns file) is ignored: a normal start.
``accept`` and ``refuse`` wrap the consent front actions (``bot/app.py``).
"""

from __future__ import annotations

import logging

from bot import consent
from bot.messages import OutMessage
from cnam import funnel
from cnam.campaigns import Campaign, CampaignsFileError, get_campaigns
from cnam.store import get_redis

log = logging.getLogger(__name__)

# chat id → the code of the link they opened before deciding (first one wins).
PENDING = consent.FirstMessages()


def code_of(text: str) -> str | None:
    """``"/start koungou_affiche"`` (or ``/start@NomDuBot …``) → ``"koungou_affiche"``."""
    command, _, rest = text.strip().partition(" ")
    if command.split("@")[0].lower() != "/start":
        return None
    return rest.strip() or None


def _campaign(code: str) -> Campaign | None:
    try:
        return get_campaigns().get(code)
    except CampaignsFileError as exc:
        log.error("campaign links ignored, the file is invalid: %s", exc)
        return None


async def arrive(chat_id: int, text: str) -> None:
    """Count and remember the campaign of a ``/start <code>`` command, if any."""
    code = code_of(text)
    campaign = _campaign(code) if code else None
    if campaign is None:
        if code:
            log.info("unknown campaign code: a normal start")  # the code is the person's text
        return
    redis = get_redis()
    current = await consent.status(chat_id)
    if current.may_keep:
        if await funnel.tag(redis, chat_id, campaign):
            await funnel.started(redis, campaign)
        return
    if not current.decided:
        known = PENDING.take(chat_id)
        PENDING.keep(chat_id, known or code)
        if known == code:
            return  # the same link opened again before deciding: one start
    await funnel.started(redis, campaign)


async def accept(chat_id: int, arg: str) -> list[OutMessage]:
    """"J'accepte": the consent, then the campaign tag if a link brought them."""
    messages = await consent.accept(chat_id, arg)
    code = PENDING.take(chat_id)
    campaign = _campaign(code) if code else None
    if campaign is not None and (await consent.status(chat_id)).may_keep:
        await funnel.tag(get_redis(), chat_id, campaign)
    return messages


async def refuse(chat_id: int, arg: str) -> list[OutMessage]:
    """"Je refuse": the code is forgotten, and someone who had agreed leaves the funnel."""
    PENDING.drop(chat_id)
    await funnel.withdraw(get_redis(), chat_id)
    return await consent.refuse(chat_id, arg)
