import asyncio
import csv
import io
import json
import os
import sys
from datetime import date, datetime
from pathlib import Path

from bot import export
from cnam import handoff
from cnam.handoff import HandoffRecord, Offer
from cnam.settings import get_settings

ROOT = Path(__file__).resolve().parents[1]
TZ = get_settings().tz


async def _store(redis, chat_id: int, when: datetime, **fields) -> HandoffRecord:
    record = HandoffRecord(chat_id=chat_id, created_at=when, reason="demande_conseiller", **fields)
    await handoff.publish(redis, record)
    return record


async def _three(redis) -> list[HandoffRecord]:
    return [
        await _store(redis, 1, datetime(2025, 10, 31, 23, 0, tzinfo=TZ), prenom="Avant"),
        await _store(
            redis, 2, datetime(2025, 11, 20, 9, 0, tzinfo=TZ), prenom="=HYPERLINK(\"x\")",
            domaines=["btp", "energie"], offers=[Offer(id="deust", title="DEUST, BTP")],
            last_messages=["bjr", "ligne 1\nligne 2"],
        ),
        await _store(redis, 3, datetime(2025, 11, 1, 0, 0, tzinfo=TZ), prenom="Zaïna"),
    ]


async def test_csv_since_day_oldest_first_without_chat_id(redis) -> None:
    await _three(redis)
    records = await export.records_since(redis, date(2025, 11, 1))
    rows = list(csv.DictReader(io.StringIO(export.render(records, "csv"))))
    assert [r["prenom"] for r in rows] == ["Zaïna", "'=HYPERLINK(\"x\")"]
    assert list(rows[0]) == export.COLUMNS + export.OUTCOMES and "chat_id" not in rows[0]
    second = rows[1]
    assert second["domaines"] == "btp | energie"
    assert second["offers"] == "DEUST, BTP (deust)"
    assert second["last_messages"] == "bjr | ligne 1\nligne 2"
    assert second["created_at"].startswith("2025-11-20T09:00:00+03:00")
    assert second["status"] == "nouveau" and second["appointment"] == ""


async def test_json_keeps_structure(redis) -> None:
    await _three(redis)
    records = await export.records_since(redis, date(2025, 11, 2))
    (row,) = json.loads(export.render(records, "json"))
    assert row["offers"] == [{"id": "deust", "title": "DEUST, BTP"}]
    assert row["prenom"] == '=HYPERLINK("x")'  # JSON is data, not a spreadsheet
    assert "chat_id" not in row


async def _cli(*args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "export", *args,
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    return process.returncode, out.decode(), err.decode()


async def test_command_line_writes_file_and_stdout(redis, tmp_path) -> None:
    await _three(redis)
    out = tmp_path / "demandes.csv"
    assert (await _cli("--since", "2025-11-01", "--out", str(out)))[0] == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM, for Excel
    assert len(list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))) == 2
    code, shown, _ = await _cli("--since", "2025-11-01", "--format", "json")
    assert code == 0
    assert [r["prenom"] for r in json.loads(shown)] == ["Zaïna", '=HYPERLINK("x")']
    code, _, err = await _cli("--since", "1er novembre")
    assert code == 2 and "--since" in err
