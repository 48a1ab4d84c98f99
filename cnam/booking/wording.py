"""What the person reads about an appointment (French, ``vous``, short).

Each function returns one message of one idea, under 350 characters.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from cnam.booking.calendar import Refusal, Slot
from cnam.booking.config import AdvisersConfig
from cnam.booking.dates import format_day, format_fr, format_time
from cnam.booking.phone import format_phone
from cnam.booking.reservations import Booking

MODE_PHRASES = {"site": "sur place au CNAM", "telephone": "par téléphone", "video": "en visio"}
NOTHING_CANCELLED = "D'accord, rien n'est annulé."


def when(moment: datetime) -> str:
    """``mardi 3 décembre à 14 h 30, heure de Mayotte``."""
    return f"{format_fr(moment)}, heure de Mayotte"


def booking_line(booking: Booking) -> str:
    """``mardi 3 décembre à 14 h 30, par téléphone``: one line of a list."""
    return f"{format_fr(booking.start)}, {MODE_PHRASES[booking.mode]}"


def arrangement(config: AdvisersConfig, mode: str, telephone: str | None) -> str:
    """Where to go, or who calls whom (text of the calendar file)."""
    shown = format_phone(telephone) if telephone else ""
    return config.modes[mode].arrangement.format(lieu=config.lieu, telephone=shown)  # type: ignore[index]


def summary(config: AdvisersConfig, slot: Slot, mode: str, telephone: str | None,
            moving: Booking | None = None) -> str:
    adviser = config.adviser(slot.adviser_id)
    name = f" avec {adviser.first_name}" if adviser else ""
    text = f"Je récapitule : rendez-vous {MODE_PHRASES[mode]}, {when(slot.start)}{name}."
    if mode == "telephone" and telephone:
        text += f" Numéro à appeler : {format_phone(telephone)}."
    if moving:
        text += f" Il remplace celui du {format_fr(moving.start)}."
    return text + " Je confirme ?"


def confirmation(booking: Booking) -> str:
    return (
        f"C'est confirmé : rendez-vous {MODE_PHRASES[booking.mode]} le "
        f"{when(booking.start)}, avec {booking.adviser_name}."
    )


def to_bring(config: AdvisersConfig) -> str:
    return "À préparer pour le rendez-vous : " + ", ".join(config.to_bring) + "."


def reminders_note() -> str:
    return (
        "Je vous enverrai un rappel la veille et 1 heure avant. "
        "Pour voir, déplacer ou annuler ce rendez-vous, tapez /rdv."
    )


def _relative_day(moment: datetime, now: datetime) -> str:
    days = (moment.date() - now.astimezone(moment.tzinfo).date()).days
    if days == 0:
        return f"aujourd'hui à {format_time(moment)}"
    if days == 1:
        return f"demain, {format_day(moment.date())}, à {format_time(moment)}"
    return format_fr(moment)


def reminder(config: AdvisersConfig, booking: Booking, now: datetime) -> str:
    soon = booking.start - now <= timedelta(hours=2)
    moment = (f"dans moins de 2 heures, à {format_time(booking.start)}" if soon
              else _relative_day(booking.start, now))
    return (
        f"Rappel : rendez-vous CNAM {MODE_PHRASES[booking.mode]} {moment} "
        f"(heure de Mayotte), avec {booking.adviser_name}. "
        f"{arrangement(config, booking.mode, booking.telephone)} "
        "Un empêchement ? Tapez /rdv pour déplacer ou annuler."
    )


def cancel_question(booking: Booking) -> str:
    return f"Annuler votre rendez-vous du {booking_line(booking)} ?"


def cancelled(booking: Booking) -> str:
    return f"C'est annulé : votre rendez-vous du {format_fr(booking.start)} est supprimé."


def confirmed_by_person(booking: Booking) -> str:
    """The answer to "Je confirme" on the day-before reminder."""
    return f"Merci, c'est noté : votre rendez-vous du {format_fr(booking.start)} est confirmé. À bientôt !"


def refusal(config: AdvisersConfig, why: Refusal) -> str:
    """One sentence saying why a day or a slot cannot be booked."""
    texts = {
        "past": "Ce moment est déjà passé.",
        "too_soon": f"Il faut réserver au moins {config.min_notice_hours:g} heures à l'avance.",
        "too_far": f"Je ne peux réserver que dans les {config.horizon_days} prochains jours.",
        "closed": f"Le CNAM est fermé ce jour-là ({why.detail}).",
        "no_hours": "Aucun conseiller ne reçoit à ce moment-là.",
        "mode": "Ce conseiller ne fait pas ce type de rendez-vous.",
        "unknown": "Ce créneau n'existe plus.",
        "taken": "Ce créneau vient d'être pris par quelqu'un d'autre.",
        "full": "Il n'y a plus de place libre ce jour-là.",
    }
    return texts[why.code]
