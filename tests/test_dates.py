from datetime import UTC, date, datetime, time, timedelta

import pytest

from cnam.booking.dates import format_day_short, format_fr, format_time, parse_wish, wish_window
from tests.calendar_config import NOW, TZ, at

# NOW is Monday 30 November 2026, 9:00 in Mayotte.


@pytest.mark.parametrize(("text", "day", "at_", "approx", "period"), [
    ("jeudi prochain vers 10h", date(2026, 12, 3), time(10, 0), True, None),
    ("demain aprem", date(2026, 12, 1), None, False, "apres_midi"),
    ("lundi matin", date(2026, 12, 7), None, False, "matin"),
    ("Jeudi 14h30", date(2026, 12, 3), time(14, 30), False, None),
    ("jeudi à 14:30", date(2026, 12, 3), time(14, 30), False, None),
    ("dem1 9h", date(2026, 12, 1), time(9, 0), False, None),
    ("auj 15h", date(2026, 11, 30), time(15, 0), False, None),
    ("apres demain", date(2026, 12, 2), None, False, None),
    ("après-demain après-midi", date(2026, 12, 2), None, False, "apres_midi"),
    ("le 12", date(2026, 12, 12), None, False, None),
    ("mardi 8", date(2026, 12, 8), None, False, None),
    ("3 déc à 14h", date(2026, 12, 3), time(14, 0), False, None),
    ("le 3 décembre", date(2026, 12, 3), None, False, None),
    ("3/12", date(2026, 12, 3), None, False, None),
    ("dans 3 jours", date(2026, 12, 3), None, False, None),
    ("semaine prochaine", date(2026, 12, 7), None, False, None),
    ("jeudi de la semaine prochaine", date(2026, 12, 10), None, False, None),
    ("ven 15h", date(2026, 12, 4), time(15, 0), False, None),
    ("plutôt jeudi svp", date(2026, 12, 3), None, False, None),
    ("ce soir", None, None, False, "soir"),
    ("vers midi", None, time(12, 0), True, None),
    ("2026-12-03", date(2026, 12, 3), None, False, None),
    ("hier", date(2026, 11, 29), None, False, None),  # in the past: the caller says so
    # whole sentences: only the date words reach dateparser ("un" is not the 1st)
    ("je veux un rdv jeudi aprem", date(2026, 12, 3), None, False, "apres_midi"),
    ("décaler mon rdv à mardi 10h", date(2026, 12, 1), time(10, 0), False, None),
    ("un rendez-vous dans 2 semaines", date(2026, 12, 14), None, False, None),
])
def test_french_wishes(text, day, at_, approx, period) -> None:
    wish = parse_wish(text, NOW, TZ)
    assert (wish.day, wish.at, wish.approximate, wish.period) == (day, at_, approx, period)


@pytest.mark.parametrize("text", ["bonjour", "je sais pas", "ok", "", "2026-13-45",
                                  "tous les jours", "un rdv svp"])
def test_no_wish_in_text(text) -> None:
    assert parse_wish(text, NOW, TZ) is None


def test_relative_to_the_injected_now_not_the_wall_clock() -> None:
    other_now = datetime(2027, 2, 17, 10, 0, tzinfo=TZ)  # a Wednesday
    assert parse_wish("demain", other_now, TZ).day == date(2027, 2, 18)
    assert parse_wish("jeudi prochain", other_now, TZ).day == date(2027, 2, 18)
    assert parse_wish("mercredi", other_now, TZ).day == date(2027, 2, 24)  # not today
    # 21:30 UTC on Sunday is already 0:30 on Monday in Mayotte
    utc_sunday = datetime(2026, 11, 29, 21, 30, tzinfo=UTC)
    assert parse_wish("demain", utc_sunday, TZ).day == date(2026, 12, 1)


def test_windows_of_wishes() -> None:
    wish = parse_wish("demain aprem", NOW, TZ)
    window = wish_window(wish, NOW, TZ)
    assert (window.start, window.end) == (at("2026-12-01", "13:00"), at("2026-12-01", "17:00"))
    ten = wish_window(parse_wish("10h", NOW, TZ), NOW, TZ)
    assert ten.start == ten.end == at("2026-11-30", "10:00")
    # 10:00 today is within the notice: tomorrow 10:00 is meant
    ten_tomorrow = wish_window(parse_wish("10h", NOW, TZ), NOW, TZ, notice=timedelta(hours=2))
    assert ten_tomorrow.start == at("2026-12-01", "10:00")
    # a time alone applies to the day already chosen
    on_day = wish_window(parse_wish("plutôt 15h", NOW, TZ), NOW, TZ, default_day=date(2026, 12, 3))
    assert on_day.start == at("2026-12-03", "15:00")


def test_french_formatting_without_locale() -> None:
    assert format_fr(at("2026-12-03", "14:30")) == "jeudi 3 décembre à 14 h 30"
    assert format_fr(at("2026-12-01", "09:00")) == "mardi 1er décembre à 9 h"
    assert format_fr(at("2027-08-15", "08:05")) == "dimanche 15 août à 8 h 05"
    assert format_time(time(14, 0)) == "14 h"
    assert format_day_short(date(2027, 2, 3)) == "mer. 3 févr."
    # a moment is written in its own zone: callers give local times
    assert format_fr(at("2026-12-03", "14:30").astimezone(UTC)) == "jeudi 3 décembre à 11 h 30"
