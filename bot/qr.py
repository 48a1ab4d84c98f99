"""``python -m bot qr <code> [--out FICHIER] [--bot NomDuBot]``: the QR code of a
campaign link (``cnam/campaigns.py``), as a PNG to print on a poster.

segno draws and writes the PNG itself: pure Python, no Pillow to install.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import segno

from cnam.campaigns import CampaignsFileError, campaigns_path, get_campaigns, link
from cnam.settings import get_settings

UNKNOWN_CODE_EXIT = 2


def _parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bot qr", description="QR code d'un lien de campagne, en PNG."
    )
    parser.add_argument("code", help="le code de la campagne (catalog/campaigns.yaml)")
    parser.add_argument("--out", type=Path, help="fichier PNG (par défaut qr-<code>.png)")
    parser.add_argument("--bot", help="nom du bot, sans @ (par défaut TELEGRAM_BOT_USERNAME)")
    return parser.parse_args(argv)


def _fail(text: str) -> int:
    print(text, file=sys.stderr)
    return UNKNOWN_CODE_EXIT


def main(argv: list[str]) -> int:
    args = _parse_args(argv)
    try:
        campaign = get_campaigns().get(args.code)
    except CampaignsFileError as exc:
        return _fail(f"Fichier des campagnes invalide : {exc}")
    if campaign is None:
        return _fail(f"Code de campagne inconnu : {args.code} (voir {campaigns_path()}).")
    bot = args.bot or get_settings().telegram_bot_username
    if not bot:
        return _fail("Nom du bot inconnu : ajoutez --bot NomDuBot ou réglez TELEGRAM_BOT_USERNAME.")
    url = link(bot, campaign.code)
    out = args.out or Path(f"qr-{campaign.code}.png")
    # "m": a poster survives a little dirt or a crease (15 % of the code).
    segno.make(url, error="m").save(out, kind="png", scale=10, border=4)
    print(f"QR code de « {campaign.label} » : {out}\nLien : {url}")
    return 0
