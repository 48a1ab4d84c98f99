"""The campaigns' funnel counters (cnam/funnel.py), their report
(cnam/funnel_report.py) and the front's part (bot/campaign_start.py)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from bot import adviser_group, campaign_start, consent
from cnam import clock, funnel, privacy, stats
from cnam.campaigns import Campaign, Campaigns
from cnam.funnel_report import COLUMNS, format_funnel, rows
from cnam.keys import person_key, shared_key
from cnam.settings import get_settings

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=get_settings().tz)
POSTER = Campaign(code="koungou_affiche", label="Affiche à Koungou", commune="Koungou")
RADIO = Campaign(code="radio_spot", label="Spot radio")
FILE = Campaigns(campaigns=[POSTER, RADIO])
PERSON = 683501


@pytest.fixture(autouse=True)
def _fixed_clock_and_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)
    monkeypatch.setattr(campaign_start, "PENDING", consent.FirstMessages())


async def stages(redis: aioredis.Redis, code: str, now: datetime = NOW) -> list[int]:
    found = await funnel.last_days(redis, 30, now)
    return [found.by_campaign.get(code, {}).get(s, 0) for s in funnel.STAGES]


async def test_each_stage_counts_a_tagged_person_once(redis) -> None:
    await funnel.started(redis, POSTER, NOW)
    assert await funnel.tag(redis, PERSON, POSTER, NOW)
    for _ in range(2):  # a second profile, a second appointment: the same person
        await stats.record(redis, "profile_completed", PERSON, now=NOW, domaines=["btp"])
        await stats.record(redis, "appointment", PERSON, now=NOW + timedelta(days=1))
    # Marked absent first, then corrected to came: the funnel reaches "attended" once.
    await stats.record(redis, "no_show", PERSON, now=NOW + timedelta(days=3))
    await stats.recount(redis, "no_show", "attended", PERSON, NOW + timedelta(days=3))
    await stats.recount(redis, "attended", "no_show", PERSON, NOW + timedelta(days=3))
    await stats.recount(redis, "no_show", "attended", PERSON, NOW + timedelta(days=3))
    assert await stages(redis, "koungou_affiche", NOW + timedelta(days=3)) == [1, 1, 1, 1, 1]
    # Each on the day it happened.
    assert (await funnel.totals(redis, NOW.date(), NOW.date())).by_campaign["koungou_affiche"] == {
        "started": 1, "consent": 1, "profile": 1, "booked": 0, "attended": 0,
    }
    tag = await redis.hgetall(funnel.tag_key(PERSON))
    assert tag == {"code": "koungou_affiche", "commune": "Koungou", "consent": "2026-11-28",
                   "profile": "2026-11-28", "booked": "2026-11-29", "attended": "2026-12-01"}


async def test_someone_without_a_tag_moves_nothing(redis) -> None:
    await stats.record(redis, "profile_completed", PERSON, now=NOW)
    await stats.record(redis, "appointment", PERSON, now=NOW)
    await stats.record(redis, "conversation", PERSON, now=NOW)
    assert await redis.hgetall(shared_key("funnel", NOW.date().isoformat())) == {}
    assert not await redis.exists(funnel.tag_key(PERSON))  # not created by a stage


async def test_the_first_campaign_stays(redis) -> None:
    assert await funnel.tag(redis, PERSON, POSTER, NOW)
    assert not await funnel.tag(redis, PERSON, RADIO, NOW)
    assert await stages(redis, "radio_spot") == [0, 0, 0, 0, 0]
    assert (await redis.hgetall(funnel.tag_key(PERSON)))["code"] == "koungou_affiche"


async def test_per_commune_of_the_campaign(redis) -> None:
    await funnel.started(redis, POSTER, NOW)
    await funnel.started(redis, RADIO, NOW)
    await funnel.tag(redis, PERSON, RADIO, NOW)
    found = await funnel.last_days(redis, 7, NOW)
    assert found.by_commune["Koungou"]["started"] == 1
    assert found.by_commune[funnel.NO_COMMUNE] == {
        "started": 1, "consent": 1, "profile": 0, "booked": 0, "attended": 0,
    }


async def test_counters_are_anonymous_and_expire(redis) -> None:
    await funnel.started(redis, POSTER, NOW)
    await funnel.tag(redis, PERSON, POSTER, NOW)
    key = shared_key("funnel", NOW.date().isoformat())
    assert str(PERSON) not in repr(await redis.hgetall(key)) and str(PERSON) not in key
    assert 390 * 86400 < await redis.ttl(key) <= funnel.DAY_TTL


async def test_the_tag_is_the_persons_exported_and_erased(redis) -> None:
    await funnel.tag(redis, PERSON, POSTER, NOW)
    assert 0 < await redis.ttl(funnel.tag_key(PERSON)) <= get_settings().retention_seconds
    exported = await privacy.export_person(redis, PERSON)
    assert exported["donnees"]["campaign"]["code"] == "koungou_affiche"
    await privacy.erase_person(redis, PERSON, NOW)
    assert await privacy.person_keys(redis, PERSON) == []
    await stats.record(redis, "appointment", PERSON, now=NOW)  # after erasure: not brought back
    assert not await redis.exists(funnel.tag_key(PERSON))
    assert await stages(redis, "koungou_affiche") == [0, 1, 0, 0, 0]  # the counts stay


async def test_a_minor_is_taken_back_to_started(redis) -> None:
    await funnel.started(redis, POSTER, NOW - timedelta(days=2))
    await funnel.tag(redis, PERSON, POSTER, NOW - timedelta(days=2))
    await stats.record(redis, "profile_completed", PERSON, now=NOW)
    await privacy.forget_profile(PERSON)  # says they are 15, after all
    assert await stages(redis, "koungou_affiche") == [1, 0, 0, 0, 0]
    assert not await redis.exists(funnel.tag_key(PERSON))


def test_the_stats_text_per_campaign_and_commune() -> None:
    found = funnel.Funnel(NOW.date(), NOW.date(), by_campaign={
        "koungou_affiche": dict(zip(funnel.STAGES, [3, 2, 1, 1, 0], strict=True)),
        "old_code": dict.fromkeys(funnel.STAGES, 1),
    }, by_commune={"Koungou": dict(zip(funnel.STAGES, [3, 2, 1, 1, 0], strict=True))})
    [text] = format_funnel(found, FILE, 30)
    lines = text.splitlines()
    assert lines[0].startswith("Campagnes, 30 derniers jours (commencé → accord → profil complet")
    assert lines[1:4] == ["• Affiche à Koungou : 3 → 2 → 1 → 1 → 0", "• Spot radio : 0 → 0 → 0 → 0 → 0",
                          "• old_code : 1 → 1 → 1 → 1 → 1"]
    assert lines[-2:] == ["• Koungou : 3 → 2 → 1 → 1 → 0", "• sans commune : 0 → 0 → 0 → 0 → 0"]
    assert format_funnel(funnel.Funnel(NOW.date(), NOW.date()), FILE, 30) == []  # nothing opened


def test_many_campaigns_are_several_short_messages() -> None:
    many = Campaigns(campaigns=[Campaign(code=f"affiche_{i:02}", label="Affiche " + "x" * 40) for i in range(12)])
    one = {"affiche_00": dict.fromkeys(funnel.STAGES, 1)}
    messages = format_funnel(funnel.Funnel(NOW.date(), NOW.date(), by_campaign=one), many, 30)
    assert len(messages) > 1 and all(len(m) <= 350 for m in messages)
    assert sum(m.count("• Affiche") for m in messages) == 12


def test_export_rows() -> None:
    found = funnel.Funnel(NOW.date(), NOW.date(), by_campaign={
        "koungou_affiche": dict(zip(funnel.STAGES, [3, 2, 1, 1, 0], strict=True)),
    }, by_commune={"Koungou": dict(zip(funnel.STAGES, [3, 2, 1, 1, 0], strict=True))})
    table = rows(found, FILE)
    assert all(list(row) == COLUMNS for row in table)
    assert table[0] == {"level": "campagne", "code": "koungou_affiche", "label": "Affiche à Koungou",
                        "commune": "Koungou", "started": 3, "consent": 2, "profile": 1, "booked": 1,
                        "attended": 0}
    assert [(r["level"], r["commune"]) for r in table[2:]] == [("commune", "Koungou"), ("commune", "")]


# The front: /start <code>, then the consent decision (in process, Rasa stubbed).

async def test_link_before_consent_then_accepted(pipeline, rasa_stub, redis) -> None:
    await campaign_start.arrive(PERSON, "/start koungou_affiche")
    assert await pipeline.handle(PERSON, "/greet", trusted=True) == consent.consent_prompt()
    assert await privacy.person_keys(redis, PERSON) == []  # nothing kept before the decision
    await campaign_start.arrive(PERSON, "/start koungou_affiche")  # the link opened twice: one start
    assert await stages(redis, "koungou_affiche") == [1, 0, 0, 0, 0]
    await pipeline.handle(PERSON, consent.ACCEPT, trusted=True)
    assert (await redis.hgetall(funnel.tag_key(PERSON)))["code"] == "koungou_affiche"
    assert await stages(redis, "koungou_affiche") == [1, 1, 0, 0, 0]


async def test_link_then_refused_is_only_started(pipeline, rasa_stub, redis) -> None:
    await campaign_start.arrive(PERSON, "/start@CnamMayotteBot radio_spot")
    await pipeline.handle(PERSON, "/greet", trusted=True)
    await pipeline.handle(PERSON, consent.REFUSE, trusted=True)
    await pipeline.handle(PERSON, consent.ACCEPT, trusted=True)  # "Finalement, j'accepte": code forgotten
    await campaign_start.arrive(PERSON + 1, "/start radio_spot")  # a minor: only started
    await privacy.record_consent(redis, PERSON + 1, privacy.ACCEPTED)
    await redis.set(person_key(privacy.MINOR, PERSON + 1), 1, ex=60)
    await campaign_start.arrive(PERSON + 1, "/start radio_spot")
    assert not await redis.exists(funnel.tag_key(PERSON))
    assert not await redis.exists(funnel.tag_key(PERSON + 1))
    assert await stages(redis, "radio_spot") == [3, 0, 0, 0, 0]


async def test_someone_who_agreed_is_tagged_at_once_and_leaves_by_refusing(pipeline, redis) -> None:
    await privacy.record_consent(redis, PERSON, privacy.ACCEPTED)
    await campaign_start.arrive(PERSON, "/start koungou_affiche")
    await campaign_start.arrive(PERSON, "/start koungou_affiche")  # already tagged: counted once
    assert await stages(redis, "koungou_affiche") == [1, 1, 0, 0, 0]
    await pipeline.handle(PERSON, consent.REFUSE, trusted=True)  # an older prompt's "Je refuse"
    assert await stages(redis, "koungou_affiche") == [1, 0, 0, 0, 0]
    assert await privacy.person_keys(redis, PERSON) == [person_key(privacy.CONSENT, PERSON)]


@pytest.mark.parametrize("text", ["/start zzz_inconnu", "/start", "/start KOUNGOU_AFFICHE", "/rdv koungou_affiche"])
async def test_unknown_codes_and_other_commands_count_nothing(redis, text: str) -> None:
    await campaign_start.arrive(PERSON, text)
    assert await redis.hgetall(shared_key("funnel", NOW.date().isoformat())) == {}
    assert campaign_start.PENDING.take(PERSON) is None


async def test_a_broken_file_is_a_normal_start(redis, monkeypatch, tmp_path: Path, caplog) -> None:
    (tmp_path / "campaigns.yaml").write_text("campaigns: [{code: A}]\n", encoding="utf-8")
    monkeypatch.setattr(get_settings(), "catalog_dir", str(tmp_path))
    with caplog.at_level(logging.ERROR):
        await campaign_start.arrive(PERSON, "/start koungou_affiche")
    assert "campaign links ignored" in caplog.text
    assert await redis.hgetall(shared_key("funnel", NOW.date().isoformat())) == {}


async def test_stats_says_when_the_file_is_broken(redis, monkeypatch, tmp_path: Path) -> None:
    await funnel.started(redis, POSTER, NOW)
    assert (await adviser_group._funnel_messages(30))[0].startswith("Campagnes, 30 derniers jours")
    (tmp_path / "campaigns.yaml").write_text("campaigns: [{code: A}]\n", encoding="utf-8")
    monkeypatch.setattr(get_settings(), "catalog_dir", str(tmp_path))
    [said] = await adviser_group._funnel_messages(30)
    assert said.startswith("Campagnes : le fichier catalog/campaigns.yaml est invalide")
