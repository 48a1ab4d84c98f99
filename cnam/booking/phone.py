"""Phone numbers for phone appointments: Mayotte (and La Réunion, same +262
code) and mainland France, normalised to E.164.

Accepted: ``0639 12 34 56``, ``+262 639 12 34 56``, ``00262639123456``,
``06 12 34 56 78``, ``+33 6 12 34 56 78``, and the digits Telegram gives for
a shared contact (``262639123456``, without the ``+``). The CNAM calls from
Mayotte, so numbers abroad (Comoros +269 included) and premium-rate 08
numbers are refused.
"""

from __future__ import annotations

import re

# First digits of the 9-digit national number, per country code.
# +262: Mayotte mobiles 639 and landlines 269; La Réunion 692/693 and 262/263.
# +33: mainland landlines 1-5, mobiles 6-7, VoIP 9; the 6xx/5xx ranges of the
# other overseas departments have their own country codes and are left out.
_REUNION_MAYOTTE = ("639", "269", "692", "693", "262", "263")
_OTHER_OVERSEAS = ("690", "691", "694", "696", "697", "590", "594", "596")
_SEPARATORS = re.compile(r"[\s.\-()/]")


def _national_ok(country: str, nsn: str) -> bool:
    if len(nsn) != 9 or not nsn.isdigit():
        return False
    if country == "262":
        return nsn.startswith(_REUNION_MAYOTTE)
    return nsn[0] in "1234679" and not nsn.startswith(_OTHER_OVERSEAS + _REUNION_MAYOTTE)


def normalize_phone(text: str) -> str | None:
    """E.164 (``+262639123456``), or None when it is not a number we can call."""
    raw = _SEPARATORS.sub("", text or "")
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    if re.fullmatch(r"0\d{9}", raw):
        nsn = raw[1:]
        country = "262" if nsn.startswith(_REUNION_MAYOTTE) else "33"
        return f"+{country}{nsn}" if _national_ok(country, nsn) else None
    digits = raw.removeprefix("+")
    if not digits.isdigit():
        return None
    for country in ("262", "33"):
        if digits.startswith(country):
            nsn = digits[len(country):]
            if len(nsn) == 10 and nsn.startswith("0"):  # "+262 0639…": a stray trunk 0
                nsn = nsn[1:]
            return f"+{country}{nsn}" if _national_ok(country, nsn) else None
    return None


def format_phone(e164: str) -> str:
    """How people read it: ``0639 12 34 56`` in Mayotte, ``06 12 34 56 78`` in France."""
    national = "0" + e164.removeprefix("+262").removeprefix("+33")
    if e164.startswith("+262"):
        return f"{national[:4]} {national[4:6]} {national[6:8]} {national[8:]}"
    return " ".join(national[i:i + 2] for i in range(0, 10, 2))
