"""Export of handoff records for the CNAM's spreadsheet.

``python -m bot export --since YYYY-MM-DD --format csv|json [--out FILE]``

Records created since that day (Mayotte time), oldest first, with the
fields of ``cnam.handoff.HandoffRecord`` except the chat id and the card's
message id: the file leaves the system, and the Telegram id would only let
its readers trace the person's account. Then what became of the case's
appointment (``cnam/booking/outcomes.py``): attendance, the follow-up's
usefulness (1–5) and next step, empty when not known. CSV has a header row, lists joined
with " | "; written to a file it starts with a byte-order mark so that
Excel reads the accents right.

``--funnel`` exports instead the campaigns' funnel over the same days (one
row per campaign, then per commune of the campaign: ``cnam/funnel_report.py``),
anonymous counts only.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis

from cnam import clock, funnel, funnel_report, handoff
from cnam.booking import aftercare, outcomes
from cnam.campaigns import get_campaigns
from cnam.handoff import HandoffRecord
from cnam.settings import get_settings
from cnam.store import get_redis

COLUMNS = [
    "handoff_id", "created_at", "reason", "status", "prenom", "tranche_age", "situation",
    "niveau", "domaines", "commune", "modalite", "disponibilite", "appointment", "offers",
    "funding", "last_messages", "claimed_by", "claimed_at",
]
OUTCOMES = ["attendance", "usefulness", "next"]
# A cell starting with one of these is a formula for a spreadsheet, and the
# person wrote it: prefixed with ' so it stays text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _row(record: HandoffRecord, outcome: dict[str, str]) -> dict[str, Any]:
    data = json.loads(record.json())
    return {column: data[column] for column in COLUMNS} | {name: outcome.get(name) for name in OUTCOMES}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = " | ".join(
            f"{v['title']} ({v['id']})" if isinstance(v, dict) else str(v) for v in value
        )
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


async def records_since(redis: aioredis.Redis, since: date) -> list[HandoffRecord]:
    start = datetime.combine(since, datetime.min.time(), tzinfo=get_settings().tz)
    found = [r async for r in handoff.all_records(redis) if r.created_at >= start]
    return sorted(found, key=lambda r: r.created_at)


async def outcomes_by_case(redis: aioredis.Redis, records: list[HandoffRecord]) -> dict[str, dict[str, str]]:
    """handoff id → the outcomes of the appointment whose attendance was asked on it."""
    found: dict[str, dict[str, str]] = {}
    for chat_id in {r.chat_id for r in records}:
        for booking_id, handoff_id in (await aftercare.cases(redis, chat_id)).items():
            found[handoff_id] = await outcomes.of(redis, chat_id, booking_id)
    return found


def render(records: list[HandoffRecord], fmt: str, by_case: dict[str, dict[str, str]] | None = None) -> str:
    rows = [_row(r, (by_case or {}).get(r.handoff_id, {})) for r in records]
    return render_rows(rows, COLUMNS + OUTCOMES, fmt)


def render_rows(rows: list[dict[str, Any]], columns: list[str], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows([_cell(row[c]) for c in columns] for row in rows)
    return out.getvalue()


async def funnel_since(redis: aioredis.Redis, since: date) -> list[dict[str, Any]]:
    """Rows of the campaigns' funnel from ``since`` to today (``--funnel``)."""
    found = await funnel.totals(redis, since, clock.now().date())
    return funnel_report.rows(found, get_campaigns())


def _parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bot export", description="Exporte les demandes de conseiller."
    )
    parser.add_argument("--since", required=True, type=date.fromisoformat,
                        help="premier jour inclus, AAAA-MM-JJ")
    parser.add_argument("--format", choices=["csv", "json"], default="csv")
    parser.add_argument("--funnel", action="store_true",
                        help="le parcours par campagne et par commune, au lieu des demandes")
    parser.add_argument("--out", type=Path, help="fichier de sortie (sinon la sortie standard)")
    return parser.parse_args(argv)


async def _export(args: argparse.Namespace) -> str:
    redis = get_redis()
    try:
        if args.funnel:
            rows = await funnel_since(redis, args.since)
            return render_rows(rows, funnel_report.COLUMNS, args.format)
        records = await records_since(redis, args.since)
        return render(records, args.format, await outcomes_by_case(redis, records))
    finally:
        await redis.close()


def main(argv: list[str]) -> None:
    args = _parse_args(argv)
    text = asyncio.run(_export(args))
    if args.out is None:
        sys.stdout.write(text)
    else:
        encoding = "utf-8-sig" if args.format == "csv" else "utf-8"
        args.out.write_text(text, encoding=encoding, newline="")
