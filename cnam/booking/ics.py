"""The .ics file sent with a confirmation, so the phone's calendar adds the
appointment in one tap.

Times are written in UTC (``...Z``): every calendar app reads them, and no
VTIMEZONE block for Indian/Mayotte is needed. The UID is the booking id, and
SEQUENCE grows when the appointment moves, so a second import updates the
event instead of adding one.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

from icalendar import Alarm, Calendar, Event

from cnam.booking import wording
from cnam.booking.config import AdvisersConfig
from cnam.booking.reservations import Booking

FILENAME = "rendez-vous-cnam.ics"
UID_DOMAIN = "cnam-mayotte.orientation"


def location(config: AdvisersConfig, booking: Booking) -> str:
    if booking.mode == "site":
        return config.lieu
    return wording.MODE_PHRASES[booking.mode].capitalize()


def booking_ics(config: AdvisersConfig, booking: Booking, now: datetime) -> bytes:
    event = Event()
    event.add("uid", f"{booking.id}@{UID_DOMAIN}")
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", booking.start.astimezone(UTC))
    event.add("dtend", booking.end.astimezone(UTC))
    event.add("sequence", booking.sequence)
    event.add("summary", f"Rendez-vous CNAM Mayotte avec {booking.adviser_name}")
    event.add("location", location(config, booking))
    event.add("description", "\n".join([
        wording.arrangement(config, booking.mode, booking.telephone),
        wording.to_bring(config),
    ]))
    event.add("status", "CONFIRMED")

    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", "Rendez-vous CNAM dans 1 heure")
    alarm.add("trigger", timedelta(hours=-1))
    event.add_component(alarm)

    calendar = Calendar()
    calendar.add("prodid", "-//CNAM Mayotte//Assistant d'orientation//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add_component(event)
    return calendar.to_ical()


def document_payload(config: AdvisersConfig, booking: Booking, now: datetime) -> dict:
    """The custom payload the front turns into sendDocument."""
    content = base64.b64encode(booking_ics(config, booking, now)).decode("ascii")
    return {"document": {"filename": FILENAME, "content_b64": content}}
