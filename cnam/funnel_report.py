"""The campaign funnel (``cnam/funnel.py``) in words for /stats and as rows
for the export (``python -m bot export --funnel``)."""

from __future__ import annotations

from typing import Any

from cnam.campaigns import Campaigns
from cnam.funnel import NO_COMMUNE, STAGES, Funnel
from cnam.packing import pack

STAGE_NAMES = "commencé → accord → profil complet → rendez-vous → venu"
NO_COMMUNE_LABEL = "sans commune"
COLUMNS = ["level", "code", "label", "commune", *STAGES]


def _codes(funnel: Funnel, campaigns: Campaigns) -> list[str]:
    """The file's campaigns in its order, then codes counted but no longer in it."""
    listed = [c.code for c in campaigns.campaigns]
    return listed + sorted(set(funnel.by_campaign) - set(listed))


def _communes(funnel: Funnel, campaigns: Campaigns) -> list[str]:
    known = {c.commune or NO_COMMUNE for c in campaigns.campaigns} | set(funnel.by_commune)
    return sorted(known - {NO_COMMUNE}) + ([NO_COMMUNE] if NO_COMMUNE in known else [])


def _stages(funnel: dict[str, dict[str, int]], name: str) -> list[int]:
    counts = funnel.get(name, {})
    return [counts.get(stage, 0) for stage in STAGES]


def _commune_label(commune: str) -> str:
    return NO_COMMUNE_LABEL if commune == NO_COMMUNE else commune


def format_funnel(funnel: Funnel, campaigns: Campaigns, days: int) -> list[str]:
    """The /stats messages about campaigns, each within 350 characters (cnam/packing.py);
    none when no campaign link was opened in the period."""
    if not funnel.by_campaign:
        return []
    codes = _codes(funnel, campaigns)
    lines = [f"Campagnes, {days} derniers jours ({STAGE_NAMES}) :"]
    for code in codes:
        campaign = campaigns.get(code)
        name = campaign.label if campaign else code
        lines.append(f"• {name} : " + " → ".join(map(str, _stages(funnel.by_campaign, code))))
    lines.append(f"Par commune de la campagne, {days} derniers jours :")
    for commune in _communes(funnel, campaigns):
        counts = " → ".join(map(str, _stages(funnel.by_commune, commune)))
        lines.append(f"• {_commune_label(commune)} : {counts}")
    return pack(lines)


def rows(funnel: Funnel, campaigns: Campaigns) -> list[dict[str, Any]]:
    """One row per campaign, then one per commune, with the count of each stage."""
    found = []
    for code in _codes(funnel, campaigns):
        campaign = campaigns.get(code)
        found.append({
            "level": "campagne", "code": code, "label": campaign.label if campaign else "",
            "commune": (campaign.commune or "") if campaign else "",
            **dict(zip(STAGES, _stages(funnel.by_campaign, code), strict=True)),
        })
    for commune in _communes(funnel, campaigns):
        found.append({
            "level": "commune", "code": "", "label": "",
            "commune": "" if commune == NO_COMMUNE else commune,
            **dict(zip(STAGES, _stages(funnel.by_commune, commune), strict=True)),
        })
    return found
