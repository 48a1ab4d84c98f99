from datetime import date, timedelta
from pathlib import Path

import pytest

from cnam.booking.calendar import (
    Window,
    day_refusal,
    nearest,
    one_per_time,
    open_slots,
    parse_slot_id,
    slot_refusal,
)
from cnam.booking.config import AdvisersFileError, get_advisers, load_advisers
from cnam.booking.holidays import holiday_name, public_holidays
from tests.calendar_config import NOW, at, by_day, make_config

CONFIG = make_config()


def test_holidays_include_mayotte_and_easter_based_days() -> None:
    h2026 = public_holidays(2026)  # Easter Sunday 2026: 5 April
    assert h2026[date(2026, 4, 6)] == "lundi de Pâques"
    assert h2026[date(2026, 5, 14)] == "Ascension"
    assert h2026[date(2026, 5, 25)] == "lundi de Pentecôte"
    h2027 = public_holidays(2027)  # Easter Sunday 2027: 28 March
    assert h2027[date(2027, 3, 29)] == "lundi de Pâques"
    assert h2027[date(2027, 5, 6)] == "Ascension"
    for year in (2026, 2027, 2030):
        assert holiday_name(date(year, 4, 27)) == "abolition de l'esclavage à Mayotte"
        assert holiday_name(date(year, 7, 14)) == "fête nationale"
        assert holiday_name(date(year, 12, 25)) == "Noël"
    assert len(h2026) == 12
    assert holiday_name(date(2026, 4, 3)) is None  # Good Friday: only Alsace-Moselle


def test_no_slot_before_minimum_notice_nor_beyond_horizon() -> None:
    slots = open_slots(CONFIG, "site", NOW)
    assert slots[0].start == at("2026-11-30", "11:00")  # 9:00 + 2 h
    assert all(s.start >= NOW + timedelta(hours=2) for s in slots)
    assert max(s.day for s in slots) <= date(2026, 12, 21)
    assert max(s.day for s in slots) == date(2026, 12, 21)  # a Monday, inside the horizon


def test_slots_follow_opening_hours_and_slot_length() -> None:
    tuesday = by_day(open_slots(CONFIG, "site", NOW))[date(2026, 12, 1)]
    times = [s.start.strftime("%H:%M") for s in tuesday]
    assert times[0] == "08:00" and times[7] == "11:30" and times[8] == "13:30"
    assert times[-1] == "15:30"  # 15:30-16:00 is the last one
    assert all(s.end - s.start == timedelta(minutes=30) for s in tuesday)
    longer = make_config(slot_minutes=45)
    tuesday45 = by_day(open_slots(longer, "site", NOW))[date(2026, 12, 1)]
    assert [s.start.strftime("%H:%M") for s in tuesday45][:7] == [
        "08:00", "08:45", "09:30", "10:15", "11:00", "13:30", "14:15"
    ]


def test_closures_weekends_and_modes() -> None:
    days = by_day(open_slots(CONFIG, "site", NOW))
    assert date(2026, 12, 4) not in days  # closure
    assert date(2026, 12, 5) not in days  # Saturday: only adv2, who does no site visit
    assert date(2026, 12, 6) not in days  # Sunday
    phone_days = by_day(open_slots(CONFIG, "telephone", NOW))
    assert date(2026, 12, 5) in phone_days
    assert {s.adviser_id for s in phone_days[date(2026, 12, 5)]} == {"adv2"}


def test_closure_of_one_adviser_keeps_the_others() -> None:
    config = make_config(closures=[{"start": "2026-12-07", "reason": "congés", "advisers": ["adv1"]}])
    monday = by_day(open_slots(config, "telephone", NOW))[date(2026, 12, 7)]
    assert {s.adviser_id for s in monday} == {"adv2"}
    assert day_refusal(config, date(2026, 12, 7), "site", NOW).code == "closed"
    assert day_refusal(config, date(2026, 12, 7), "telephone", NOW) is None


def test_day_refusals_say_why() -> None:
    assert day_refusal(CONFIG, date(2026, 11, 29), "site", NOW).code == "past"
    assert day_refusal(CONFIG, date(2026, 12, 22), "site", NOW).code == "too_far"
    closed = day_refusal(CONFIG, date(2026, 12, 4), "site", NOW)
    assert (closed.code, closed.detail) == ("closed", "journée pédagogique")
    assert day_refusal(CONFIG, date(2026, 12, 6), "site", NOW).code == "no_hours"
    late = NOW.replace(hour=15)
    assert day_refusal(CONFIG, date(2026, 11, 30), "site", late).code == "too_soon"
    assert day_refusal(CONFIG, date(2026, 12, 1), "site", NOW) is None


@pytest.mark.parametrize(("now", "day", "reason"), [
    (at("2026-12-20", "09:00"), date(2026, 12, 25), "Noël"),
    (at("2027-04-20", "09:00"), date(2027, 4, 27), "abolition de l'esclavage à Mayotte"),
    (at("2027-05-01", "09:00"), date(2027, 5, 6), "Ascension"),
])
def test_public_holidays_close_the_centre(now, day, reason) -> None:
    refusal = day_refusal(CONFIG, day, "telephone", now)
    assert (refusal.code, refusal.detail) == ("closed", reason)
    assert day not in by_day(open_slots(CONFIG, "telephone", now))


def test_slot_refusal_for_stale_or_forged_buttons() -> None:
    ok = parse_slot_id("adv1|2026-12-03T14:30", CONFIG)
    assert ok.start == at("2026-12-03", "14:30") and ok.id == "adv1|2026-12-03T14:30"
    assert slot_refusal(CONFIG, ok, "site", NOW) is None
    assert slot_refusal(CONFIG, ok, "site", at("2026-12-03", "15:00")).code == "past"
    assert slot_refusal(CONFIG, ok, "site", at("2026-12-03", "13:00")).code == "too_soon"
    misaligned = parse_slot_id("adv1|2026-12-03T14:10", CONFIG)
    assert slot_refusal(CONFIG, misaligned, "site", NOW).code == "no_hours"
    lunch = parse_slot_id("adv1|2026-12-03T12:30", CONFIG)
    assert slot_refusal(CONFIG, lunch, "site", NOW).code == "no_hours"
    adv2 = parse_slot_id("adv2|2026-12-07T14:00", CONFIG)
    assert slot_refusal(CONFIG, adv2, "site", NOW).code == "mode"
    closed = parse_slot_id("adv1|2026-12-04T09:00", CONFIG)
    assert slot_refusal(CONFIG, closed, "site", NOW).detail == "journée pédagogique"
    for bad in ("adv9|2026-12-03T14:30", "adv1-2026-12-03", "adv1|demain"):
        with pytest.raises(ValueError):
            parse_slot_id(bad, CONFIG)


def test_one_button_per_time_and_nearest_first() -> None:
    monday = by_day(open_slots(CONFIG, "telephone", NOW))[date(2026, 12, 7)]
    assert sum(1 for s in monday if s.start == at("2026-12-07", "14:00")) == 2
    distinct = one_per_time(monday)
    assert len({s.start for s in distinct}) == len(distinct)
    assert next(s for s in distinct if s.start == at("2026-12-07", "14:00")).adviser_id == "adv1"
    afternoon = Window(at("2026-12-07", "13:00"), at("2026-12-07", "17:00"))
    picked = nearest(monday, afternoon, 3)
    assert [s.start for s in picked] == [
        at("2026-12-07", "13:30"), at("2026-12-07", "14:00"), at("2026-12-07", "14:30")
    ]
    ten = Window(at("2026-12-07", "10:05"), at("2026-12-07", "10:05"))
    assert nearest(monday, ten, 1)[0].start == at("2026-12-07", "10:00")


def test_shipped_calendar_loads() -> None:
    config = get_advisers()
    assert config.slot_minutes == 30 and config.horizon_days == 21
    assert config.min_notice_hours == 2 and config.tz.key == "Indian/Mayotte"
    assert config.lieu == "CNAM Mayotte, Mamoudzou (Kawéni)"
    assert set(config.offered_modes()) == {"site", "telephone", "video"}


def test_invalid_calendar_names_file_and_field(tmp_path: Path) -> None:
    source = Path("catalog/advisers.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "advisers.yaml"
    broken.write_text(source.replace('"08:00-12:00"', '"12:00-08:00"', 1), encoding="utf-8")
    with pytest.raises(AdvisersFileError) as error:
        load_advisers(broken)
    assert str(broken) in str(error.value) and "advisers.0.hours" in str(error.value)
    broken.write_text(source.replace("slot_minutes: 30", "slot_minutes: trente"), encoding="utf-8")
    with pytest.raises(AdvisersFileError, match="slot_minutes"):
        load_advisers(broken)
    broken.write_text(source.replace("modes: [telephone, video]", "modes: [fax]"), encoding="utf-8")
    with pytest.raises(AdvisersFileError, match=r"advisers\.1\.modes"):
        load_advisers(broken)
