"""The profile form: which questions to ask, and how each answer is understood.

Each slot receives an NLU entity, a button value or the raw text while it is
asked; ``validate_<slot>`` turns it into a canonical value or explains. After
two answers that do not fit, the question is explained and can be skipped.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.consent import may_keep
from actions.form_domain import DomainFromFiles
from cnam.orientation.discovery import choice_for_text, discover_domaines
from cnam.orientation.profile import SKIPPED
from cnam.orientation.ways_in import neighbour_domains
from cnam.text import fold
from cnam.vocabulary import COMMUNES, DOMAINE, DOMAINES, MODALITES, NIVEAUX, SITUATIONS
from rasa_ext.entity_values import default_table

# Asked only when the person does not know their field (cnam/orientation/discovery.py).
DISCOVERY_SLOTS = ("gout_1", "gout_2")
SLOTS = ["prenom", "tranche_age", "situation", "niveau", "domaine", "commune", "modalite",
         "disponibilite"]
# Everything the form and the recommendations remember about the person.
PROFILE_SLOTS = [*SLOTS, *DISCOVERY_SLOTS, "decouverte", "echecs", "offres_vues"]
DONT_KNOW = re.compile(
    r"\b(jsp|j ?sais ?pas|je ne sais pas|je sais pas|sais pas|ch[eé] ?pa|aucune id[ée]e|"
    r"pas d'id[ée]e|je ne sai pas|idk|je c pas|jcp|ne sais pas|hésite|hesite)\b"
)
NAME_PREFIXES = re.compile(
    r"^(je m'?appel+e?|je m appel+e?|moi c'?est|moi c|c'?est|mon pr[ée]nom (c'?est|est)|"
    r"wami hiriwa|wami uhiriwa|appelez-moi)\s+", re.IGNORECASE,
)
# Requests with their own rule inside the form (stories/): asked the first name,
# such a message is a name only if it looks like one, else the rule answers it.
DIGRESSIONS = {
    "ask_offers", "ask_prerequisites", "ask_funding", "ask_cnam", "ask_format", "ask_location",
    "ask_vae", "book_appointment", "cancel_appointment", "reschedule_appointment", "ask_human",
    "restart", "restart_confirm", "delete_data", "help", "skip", "bot_challenge", "goodbye",
}
# Entities that are a fact about the person, never part of a name ("pilote de ligne").
FACT_ENTITIES = {"situation", "niveau", "domaine", "modalite", "tranche_age", "disponibilite"}
NOT_NAMES = {
    "bonjour", "salut", "slt", "bjr", "merci", "oui", "non", "ok", "ewa", "aha", "jeje",
    "kwezi", "akory", "cc", "coucou", "hello", "bonsoir", "mrc", "marahaba", "quoi", "pourquoi",
}


def canonical(entity: str, value: Any, text: str, allowed: list[str]) -> str | None:
    """The canonical value meant by a slot value or, failing that, by the text."""
    if isinstance(value, str) and value in allowed:
        return value
    table = default_table()
    for surface in (value if isinstance(value, str) else "", text):
        found = table.canonical(entity, surface) if surface else None
        if found in allowed:
            return found
        spotted = [s.value for s in table.spot(surface) if s.entity == entity]
        if spotted and spotted[0] in allowed:
            return spotted[0]
    return None


def age_bracket(text: str) -> str | None:
    match = re.search(r"\b(\d{1,2})\s*(ans?|an)?\b", text)
    if not match:
        return None
    age = int(match.group(1))
    if not 5 <= age <= 99:
        return None
    if age < 16:
        return "moins_16"
    if age < 18:
        return "16_17"
    return "18_25" if age <= 25 else "26_plus"


def first_name(text: str) -> str | None:
    cleaned = NAME_PREFIXES.sub("", text.strip()).strip(" .!,")
    words = cleaned.split()
    if not 1 <= len(words) <= 3 or len(cleaned) > 40:
        return None
    if not all(re.fullmatch(r"[^\W\d_]+(?:[-'][^\W\d_]+)*", w) for w in words):
        return None
    if fold(words[0]) in NOT_NAMES:
        return None
    return " ".join(w[:1].upper() + w[1:] for w in words)


def looks_like_name(text: str, entities: list[dict[str, Any]]) -> bool:
    """A short answer made of name-like words that states no fact about the person."""
    if not first_name(text) or DONT_KNOW.search(fold(text)):
        return False
    stated = {e.get("entity") for e in entities} | {s.entity for s in default_table().spot(text)}
    return not stated & FACT_ENTITIES


def explain_wishes(dispatcher: CollectingDispatcher, domaines: list[str]) -> None:
    """Say kindly that the CNAM does not teach a wished field, where it is taught, and
    which close fields it does teach (their offers come with the recommendations)."""
    for wish in domaines:
        neighbours = neighbour_domains(wish)
        if neighbours:
            dispatcher.utter_message(text=neighbours.message)


def availability(text: str) -> str | None:
    folded = fold(text)
    if re.search(r"les deux|peu importe|tout le temps|n'importe|indifferent|flexible", folded):
        return "indifferent"
    evening = re.search(r"soir|week|we\b|samedi|dimanche|apres le (taf|travail|boulot)", folded)
    day = re.search(r"journee|jour\b|matin|aprem|apres-midi|apres midi|en semaine", folded)
    if evening and day:
        return "indifferent"
    if evening:
        return "soir_weekend"
    return "journee" if day else None


class ValidateProfileForm(DomainFromFiles, FormValidationAction):
    def name(self) -> str:
        return "validate_profile_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher,
        tracker: Tracker, domain: DomainDict,
    ) -> list[str]:
        if not may_keep(tracker):
            # Under 16 (the CNAM is not the place) or no consent to keep the answers:
            # nothing to ask, action_recommend says what comes instead.
            return []
        discovering = tracker.get_slot("decouverte") and not tracker.get_slot("domaine")
        return [s for s in domain_slots if discovering or s not in DISCOVERY_SLOTS]

    def _text(self, tracker: Tracker) -> str:
        return tracker.latest_message.get("text") or ""

    def _fail(self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        if set(tracker.slots_to_validate()) & set(SLOTS) - {slot}:
            # The message answered another question ("je veux être pilote" when asked
            # the age): that answer was heard, this question simply comes again.
            return {slot: None}
        failures = dict(tracker.get_slot("echecs") or {})
        failures[slot] = failures.get(slot, 0) + 1
        if failures[slot] >= 2:
            dispatcher.utter_message(response=f"utter_explain_{slot}")
        else:
            dispatcher.utter_message(response="utter_not_understood_answer")
        return {slot: None, "echecs": failures}

    def _dont_know(self, value: Any, tracker: Tracker) -> bool:
        """The typed answer itself (not an entity found in it) says "je ne sais pas"."""
        text = self._text(tracker)
        return value == text and bool(DONT_KNOW.search(fold(text)))

    def _ok(self, slot: str, value: Any, tracker: Tracker, **more: Any) -> dict[str, Any]:
        failures = dict(tracker.get_slot("echecs") or {})
        failures.pop(slot, None)
        return {slot: value, "echecs": failures, **more}

    def _canonical_slot(
        self, slot: str, value: Any, allowed: list[str], dispatcher: CollectingDispatcher,
        tracker: Tracker,
    ) -> dict[str, Any]:
        if value == SKIPPED or self._dont_know(value, tracker):
            return self._ok(slot, SKIPPED, tracker)
        found = canonical(slot, value, self._text(tracker), allowed)
        return self._ok(slot, found, tracker) if found else self._fail(slot, dispatcher, tracker)

    async def extract_prenom(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> dict[str, Any]:
        """While the name is asked, an answer that looks like a name is the name whatever
        the intent ("Mariama Abdou" once read as a funding question)."""
        text = self._text(tracker)
        asked = tracker.active_loop_name == "profile_form" and tracker.get_slot("requested_slot") == "prenom"
        if not asked or not text or text.startswith("/") or "prenom" in tracker.slots_to_validate():
            return {}
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if looks_like_name(text, tracker.latest_message.get("entities") or []) or intent not in DIGRESSIONS:
            return {"prenom": text}
        return {}  # nothing extracted: the form steps aside and the request's rule answers

    async def validate_prenom(self, value: Any, dispatcher: CollectingDispatcher,
                              tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if value == SKIPPED or self._dont_know(value, tracker):
            return self._ok("prenom", SKIPPED, tracker)
        name = first_name(str(value))
        typed = value == self._text(tracker)  # not the NLU's prenom entity
        if name and (not typed or looks_like_name(str(value), tracker.latest_message.get("entities") or [])):
            dispatcher.utter_message(text=f"Enchanté, {name} !")
            return self._ok("prenom", name, tracker)
        return self._fail("prenom", dispatcher, tracker)

    async def validate_tranche_age(self, value: Any, dispatcher: CollectingDispatcher,
                                   tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        brackets = ["moins_16", "16_17", "18_25", "26_plus", SKIPPED]
        if self._dont_know(value, tracker):
            return self._ok("tranche_age", SKIPPED, tracker)
        bracket = value if value in brackets else age_bracket(str(value))
        if not bracket:
            return self._fail("tranche_age", dispatcher, tracker)
        return self._ok("tranche_age", bracket, tracker)

    async def validate_situation(self, value: Any, dispatcher: CollectingDispatcher,
                                 tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return self._canonical_slot("situation", value, SITUATIONS, dispatcher, tracker)

    async def validate_niveau(self, value: Any, dispatcher: CollectingDispatcher,
                              tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return self._canonical_slot("niveau", value, NIVEAUX, dispatcher, tracker)

    async def validate_commune(self, value: Any, dispatcher: CollectingDispatcher,
                               tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return self._canonical_slot("commune", value, COMMUNES, dispatcher, tracker)

    async def validate_modalite(self, value: Any, dispatcher: CollectingDispatcher,
                                tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if value == "indifferent" or re.search(r"peu importe|n'importe|indiff", fold(str(value))):
            return self._ok("modalite", "indifferent", tracker)
        result = self._canonical_slot("modalite", value, MODALITES, dispatcher, tracker)
        if result.get("modalite") == "soir_weekend" and not tracker.get_slot("disponibilite"):
            result["disponibilite"] = "soir_weekend"
        return result

    async def validate_disponibilite(self, value: Any, dispatcher: CollectingDispatcher,
                                     tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        allowed = ["journee", "soir_weekend", "indifferent", SKIPPED]
        if self._dont_know(value, tracker):
            return self._ok("disponibilite", SKIPPED, tracker)
        found = value if value in allowed else availability(str(value))
        if not found:
            return self._fail("disponibilite", dispatcher, tracker)
        return self._ok("disponibilite", found, tracker)

    async def validate_domaine(self, value: Any, dispatcher: CollectingDispatcher,
                               tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        values = value if isinstance(value, list) else [value]
        if SKIPPED in values:
            return self._ok("domaine", [SKIPPED], tracker)
        text = self._text(tracker)
        if "je_ne_sais_pas" in values or DONT_KNOW.search(fold(text)):
            dispatcher.utter_message(text="Pas de souci, on va chercher ensemble.")
            return self._ok("domaine", None, tracker, decouverte=True)
        found = [v for v in values if v in DOMAINES]
        if not found:
            spotted = canonical("domaine", None, text, DOMAINES)
            found = [spotted] if spotted else []
        if not found:
            return self._fail("domaine", dispatcher, tracker)
        explain_wishes(dispatcher, found)
        return self._ok("domaine", list(dict.fromkeys(found)), tracker)

    async def validate_gout_1(self, value: Any, dispatcher: CollectingDispatcher,
                              tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if value == SKIPPED:
            return self._ok("gout_1", SKIPPED, tracker)
        choice = choice_for_text("gout_1", str(value))
        return self._ok("gout_1", choice, tracker) if choice else self._fail("gout_1", dispatcher, tracker)

    async def validate_gout_2(self, value: Any, dispatcher: CollectingDispatcher,
                              tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        choice = SKIPPED if value == SKIPPED else choice_for_text("gout_2", str(value))
        if not choice:
            return self._fail("gout_2", dispatcher, tracker)
        answers = [c for c in (tracker.get_slot("gout_1"), choice) if c and c != SKIPPED]
        found = discover_domaines(answers)
        if not found:
            return self._ok("gout_2", choice, tracker, domaine=[SKIPPED])
        names = ", ".join(DOMAINE.get(d, d).lower() for d in found)
        dispatcher.utter_message(text=f"D'après vos réponses, ces domaines pourraient vous plaire : {names}.")
        return self._ok("gout_2", choice, tracker, domaine=found)
