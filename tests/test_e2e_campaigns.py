"""Campaign links through the real stack (issue 15): ``/start <code>`` before
consent, then consent, profile and booking, each stage counted for the
campaign in /stats and in the export; an unknown code starts a normal
conversation and counts nothing; a refuser is only counted as started."""

from __future__ import annotations

import asyncio
import csv
import io
import sys
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from bot import consent
from cnam import clock, funnel, privacy
from cnam.keys import person_key
from cnam.settings import get_settings
from tests.e2e import ADVISER, ADVISERS_GROUP, LiveBot, Person, button_titles, said, texts

pytestmark = pytest.mark.stack

ROOT = Path(__file__).resolve().parents[1]
FUNNEL_HEADER = "Campagnes, 30 derniers jours"


@pytest.fixture
async def store(live_bot: LiveBot):  # type: ignore[no-untyped-def]
    client = aioredis.from_url(live_bot.stack.redis.url, decode_responses=True)
    yield client
    await client.close()


async def funnel_today(store: aioredis.Redis) -> funnel.Funnel:
    return await funnel.last_days(store, 30)


async def stats_lines(live_bot: LiveBot) -> list[str]:
    """The lines of the campaigns' message(s) /stats posts in the advisers' group
    (none when no campaign link was opened in 30 days)."""
    fake = live_bot.fake
    before = len(fake.messages(ADVISERS_GROUP))
    fake.send_text(ADVISERS_GROUP, "/stats", user_id=ADVISER, chat_type="supergroup")
    # The chart comes last: once it is there, every text of /stats is.
    await fake.wait_for(lambda: any(m.get("photo") for m in fake.messages(ADVISERS_GROUP)[before:]), 60)
    found = [m.get("text") or "" for m in fake.messages(ADVISERS_GROUP)[before:]]
    assert all(len(t) <= 350 for t in found), found
    # The summary's messages come first, then the campaigns' from their header on.
    first = next((i for i, t in enumerate(found) if t.startswith(FUNNEL_HEADER)), len(found))
    funnel_texts = [t for t in found[first:] if t]
    return [line for t in funnel_texts for line in t.splitlines()]


async def exported_funnel(live_bot: LiveBot) -> dict[tuple[str, str], dict[str, str]]:
    """``python -m bot export --funnel`` for today, rows by (level, code or commune)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "export", "--funnel", "--since", clock.now().date().isoformat(),
        cwd=ROOT, env=live_bot.stack.env,  # the stack's Redis and prefix
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode()
    rows = csv.DictReader(io.StringIO(out.decode()))
    return {(r["level"], r["code"] or r["commune"]): r for r in rows}


def stages(row: dict[str, str]) -> list[int]:
    return [int(row[s]) for s in funnel.STAGES]


def counts(found: funnel.Funnel, code: str) -> list[int]:
    return [found.by_campaign.get(code, {}).get(s, 0) for s in funnel.STAGES]


async def profile_then_booking(person: Person) -> None:
    """A job seeker from Koungou: the profile to the recommendations, then an appointment."""
    await person.press("Trouver une formation")
    await person.say("Anli")
    await person.press("18 à 25 ans")
    await person.say("chui au chomage a koungou g le bac pro")
    await person.press("BTP, construction")
    await person.press("En alternance (école + entreprise)")
    final = await person.press("En journée")
    assert "Prendre rendez-vous" in button_titles(final[-1]), texts(final)
    confirmed = await person.book_first_slot()
    assert any(m.get("document") for m in confirmed), texts(confirmed)  # the .ics: booked


async def test_a_poster_link_counted_at_each_stage(live_bot: LiveBot, store: aioredis.Redis) -> None:
    before = await funnel_today(store)
    person = live_bot.person(683001)
    prompt = await person.say("/start koungou_affiche")
    assert texts(prompt) == [m.text for m in consent.consent_prompt()]
    # Nothing about the person before they agree, but the link's opening is counted.
    assert await privacy.person_keys(store, person.chat_id) == []
    assert counts(await funnel_today(store), "koungou_affiche")[:2] == [
        counts(before, "koungou_affiche")[0] + 1, counts(before, "koungou_affiche")[1],
    ]
    accepted = await person.press("J'accepte")
    assert said(accepted[1:], "utter_greet"), texts(accepted)
    tag = await store.hgetall(funnel.tag_key(person.chat_id))
    assert tag["code"] == "koungou_affiche" and tag["commune"] == "Koungou"
    assert 0 < await store.ttl(funnel.tag_key(person.chat_id)) <= get_settings().retention_seconds

    await profile_then_booking(person)

    expected = [a + b for a, b in zip(counts(before, "koungou_affiche"), [1, 1, 1, 1, 0], strict=True)]
    assert counts(await funnel_today(store), "koungou_affiche") == expected
    arrow = " → ".join(map(str, expected))
    lines = await stats_lines(live_bot)
    assert f"• Affiche à Koungou : {arrow}" in lines, lines
    koungou = [a + b for a, b in zip(
        [before.by_commune.get("Koungou", {}).get(s, 0) for s in funnel.STAGES], [1, 1, 1, 1, 0], strict=True,
    )]
    assert f"• Koungou : {' → '.join(map(str, koungou))}" in lines, lines
    exported = await exported_funnel(live_bot)
    assert stages(exported[("campagne", "koungou_affiche")]) == expected
    assert stages(exported[("commune", "Koungou")]) == koungou

    # The tag is the person's: in their export, gone with their erasure; the counts stay.
    data = await privacy.export_person(store, person.chat_id)
    assert data["donnees"]["campaign"]["code"] == "koungou_affiche"
    await person.say("/supprimer")
    await person.press("Oui, tout effacer")
    assert not await store.exists(funnel.tag_key(person.chat_id))
    assert counts(await funnel_today(store), "koungou_affiche") == expected


async def test_an_unknown_code_is_a_normal_start(live_bot: LiveBot, store: aioredis.Redis) -> None:
    before = await funnel_today(store)
    person = live_bot.person(683002)
    prompt = await person.say("/start zzz_inconnu")
    assert texts(prompt) == [m.text for m in consent.consent_prompt()]
    accepted = await person.press("J'accepte")
    assert said(accepted[1:], "utter_greet"), texts(accepted)
    assert not await store.exists(funnel.tag_key(person.chat_id))
    after = await funnel_today(store)
    assert (after.by_campaign, after.by_commune) == (before.by_campaign, before.by_commune)
    assert "zzz_inconnu" not in " ".join(await stats_lines(live_bot))


async def test_a_refuser_with_a_code_is_only_started(live_bot: LiveBot, store: aioredis.Redis) -> None:
    before = await funnel_today(store)
    person = live_bot.person(683003)
    await person.say("/start radio_spot")
    refused = await person.press("Je refuse")
    assert texts(refused)[0] == consent.REFUSED.text
    await person.say("c koi la vae ?")  # answered without memory, nothing counted
    assert await privacy.person_keys(store, person.chat_id) == [
        person_key(privacy.CONSENT, person.chat_id)
    ]
    expected = [a + b for a, b in zip(counts(before, "radio_spot"), [1, 0, 0, 0, 0], strict=True)]
    assert counts(await funnel_today(store), "radio_spot") == expected
    assert f"• Spot radio : {' → '.join(map(str, expected))}" in await stats_lines(live_bot)
