import base64
from datetime import UTC, timedelta

from icalendar import Calendar

from cnam.booking import ics, reservations
from tests.calendar_config import NOW, at, make_config

CONFIG = make_config()


async def _event(redis, chat_id, slot, mode, **kwargs):
    made = (await reservations.reserve(redis, CONFIG, chat_id, slot, mode, NOW, **kwargs)).booking
    calendar = Calendar.from_ical(ics.booking_ics(CONFIG, made, NOW))
    [event] = calendar.walk("VEVENT")
    return made, calendar, event


async def test_ics_parses_back_with_utc_times(redis) -> None:
    made, calendar, event = await _event(redis, 801, "adv1|2026-12-03T14:30", "site")
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    start = event.decoded("DTSTART")
    assert start.tzinfo is not None and start.utcoffset() == timedelta(0)
    assert start == at("2026-12-03", "14:30") and start.hour == 11  # 14:30 in Mayotte
    assert event.decoded("DTEND") - start == timedelta(minutes=30)
    assert str(event["UID"]) == f"{made.id}@{ics.UID_DOMAIN}"
    assert str(event["SUMMARY"]) == "Rendez-vous CNAM Mayotte avec Zaïnaba"
    assert str(event["LOCATION"]) == "CNAM Mayotte, Mamoudzou (Kawéni)"
    assert "une pièce d'identité" in str(event["DESCRIPTION"])
    assert event.decoded("DTSTAMP") == NOW.astimezone(UTC)
    [alarm] = event.walk("VALARM")
    assert alarm.decoded("TRIGGER") == timedelta(hours=-1)
    raw = ics.booking_ics(CONFIG, made, NOW)
    assert b"DTSTART:20261203T113000Z" in raw and b"\r\n" in raw


async def test_phone_appointment_has_no_address_and_moves_keep_uid(redis) -> None:
    made, _, event = await _event(redis, 802, "adv1|2026-12-03T14:30", "telephone",
                                  telephone="0639123456")
    assert str(event["LOCATION"]) == "Par téléphone"
    assert "0639 12 34 56" in str(event["DESCRIPTION"])
    moved = (await reservations.reserve(redis, CONFIG, 802, "adv1|2026-12-07T09:00", "telephone", NOW,
                                   telephone="0639123456", replacing=made.id)).booking
    [again] = Calendar.from_ical(ics.booking_ics(CONFIG, moved, NOW)).walk("VEVENT")
    assert str(again["UID"]) == str(event["UID"])
    assert again.decoded("SEQUENCE") == 1 and event.decoded("SEQUENCE") == 0


async def test_document_payload_for_the_front(redis) -> None:
    made = (await reservations.reserve(redis, CONFIG, 803, "adv1|2026-12-03T14:30", "video",
                                  NOW)).booking
    document = ics.document_payload(CONFIG, made, NOW)["document"]
    assert document["filename"] == "rendez-vous-cnam.ics"
    content = base64.b64decode(document["content_b64"])
    [event] = Calendar.from_ical(content).walk("VEVENT")
    assert str(event["LOCATION"]) == "En visio"
