"""Simulated people: a 12-turn orientation conversation, buttons and SMS-style text.

A person does not follow a fixed script: each turn they read what the
assistant just said, recognise the question by its buttons (the titles
of domain/*.yml), and answer it by pressing a button or by typing, as
people in Mayotte write on a phone. Some ask a practical question in the
middle of the profile questions. Once the profile is complete they ask
practical questions, then for an appointment, and answer the booking
questions (first button offered). Twelve turns end the conversation
wherever it is. Adults only: the minor path (data erased after each
turn) is not the common case.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field

TURNS = 12
# Share of closed questions answered by typing rather than pressing a button.
TYPING_SHARE = 0.4
# Share of people asking a practical question in the middle of the profile questions.
INTERRUPTING_SHARE = 0.3

FIRST_MESSAGES = [
    "bjr", "slt", "bonjour", "jéjé", "kwezi", "Bonjour", "salam", "akory",
    "slt je cherche une formation", "bjr je veux faire une frm",
]
FIRST_NAMES = [
    "Fatima", "Anli", "Zaïnaba", "Moussa", "Ibrahim", "Naïma", "Soilihi", "Echati",
    "Dhoirfia", "Ansufati", "Kamal", "Roukia",
]
# A question of the profile form, recognised by one of its button titles.
# Button titles the person may press, and what they may type instead.
FORM: dict[str, tuple[str, list[str], list[str]]] = {
    "age": ("18 à 25 ans", ["18 à 25 ans", "26 ans ou plus"],
            ["j'ai 22 ans", "19 ans", "jai 31 ans", "24"]),
    "situation": ("Lycéen, lycéenne", ["Je cherche un emploi", "Salarié, salariée",
                                       "J'ai arrêté mes études", "Agent du rectorat"],
                  ["chui au chomage a koungou", "je travaille au rectorat", "je suis salarié",
                   "j'ai arrêté les cours", "inscrit a pole emploi"]),
    "niveau": ("Pas le bac", ["Le bac (pro, techno, général)", "Bac+2 (BTS, DUT, DEUST)",
                              "Pas le bac", "Bac+3 (licence)"],
               ["g le bac pro", "j'ai un bts", "pas de diplome", "j'ai eu mon bac", "licence"]),
    "domaine": ("Informatique", ["Informatique", "BTP, construction", "Gestion, comptabilité",
                                 "Commerce, vente", "Santé, social", "Je ne sais pas encore"],
                ["l'informatique", "le btp", "la compta", "je veux bosser dans le commerce",
                 "la cybersécurité"]),
    "commune": ("Koungou", ["Mamoudzou", "Koungou", "Dembéni", "Sada", "Dzaoudzi"],
                ["mamoudzou", "a kaweni", "Dembeni", "koungou", "je suis a sada"]),
    "modalite": ("À distance", ["À distance", "Le soir ou le week-end", "Peu importe",
                                "En alternance (école + entreprise)"],
                 ["a distance", "le soir", "en alternance", "peu importe"]),
    "disponibilite": ("En journée", ["En journée", "Le soir et le week-end", "Les deux"],
                      ["le soir", "en journée", "les deux"]),
}
CONSENT = "J'accepte"
MENU = "Trouver une formation"
NAME_QUESTION = "Je préfère ne pas le dire"  # the button under "Quel est votre prénom ?"
SKIP = "Passer cette question"  # under every explanation of a form question
PRACTICAL = [
    "c payant ?", "c'est où le cnam", "les cours c le soir ?", "faut le bac ?",
    "je peux utiliser mon CPF ?", "c quoi le cnam", "adresse svp", "c'est à distance ?",
]
BOOKING = ["prendre rendez-vous", "je veux un rdv", "Prendre rendez-vous"]
NEXT_STEPS = "Prendre rendez-vous"
# Buttons of the keyboards that offer next steps rather than ask a question.
MENUS = {NEXT_STEPS, MENU, "Poser une question", "Poser une autre question",
         "Voir les formations pour moi", "En parler à un conseiller"}
PHONE_QUESTION = "quel numéro"
PHONES = ["0639 12 34 56", "0639 45 67 89", "06 39 01 02 03"]


@dataclass(frozen=True)
class Reply:
    """One message of the assistant, whatever the transport."""

    text: str
    buttons: tuple[str, ...] = ()  # titles
    # The handle needed to press one of them: Telegram message id, or title → payload.
    message_id: int = 0
    payloads: tuple[str, ...] = ()


@dataclass(frozen=True)
class Move:
    """What the person does: type ``text``, or press ``button`` on ``reply``."""

    question: str  # what they answer, for the report ("age", "practical"…)
    text: str = ""
    button: str = ""
    reply: Reply | None = None

    @property
    def kind(self) -> str:
        return "button" if self.button else "text"


@dataclass
class Person:
    chat_id: int
    seed: float
    rng: random.Random = field(init=False)
    turns_done: int = 0
    form_seen: bool = False  # a profile question was asked
    # Before which profile question this person asks a practical question ("" : never).
    interrupts_at: str = ""
    asked: dict[str, int] = field(default_factory=dict)
    closing: list[str] = field(default_factory=list)
    booking: bool = False  # asked for an appointment
    consented: bool = False  # the front asks first otherwise

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        if self.rng.random() < INTERRUPTING_SHARE:
            self.interrupts_at = self.rng.choice(list(FORM))

    @property
    def done(self) -> bool:
        return self.turns_done >= TURNS

    def next_move(self, replies: list[Reply]) -> Move:
        """The answer to what the assistant just said."""
        if self.turns_done == 0:
            return Move("first", text=self.rng.choice(FIRST_MESSAGES))
        keyboard = next((r for r in reversed(replies) if r.buttons), None)
        titles = set(keyboard.buttons) if keyboard else set()
        texts = " ".join(r.text for r in replies)
        if CONSENT in titles:
            return Move("consent", button=CONSENT, reply=keyboard)
        for question, (marker, buttons, typed) in FORM.items():
            if marker in titles:
                self.form_seen = True
                if question == self.interrupts_at:
                    self.interrupts_at = ""
                    return Move("practical", text=self.rng.choice(PRACTICAL))
                return self._answer(question, keyboard, buttons, typed)
        if NAME_QUESTION in titles or "prénom" in texts:
            self.form_seen = True
            return Move("prenom", text=self._name())
        if SKIP in titles and keyboard is not None:
            return Move("skip", button=SKIP, reply=keyboard)
        if MENU in titles and not self.form_seen and keyboard is not None:
            if self._types():
                return Move("menu", text="je cherche une formation")
            return Move("menu", button=MENU, reply=keyboard)
        if PHONE_QUESTION in texts:
            return Move("booking", text=self.rng.choice(PHONES))
        if keyboard is not None and self._open_question(keyboard):
            # A question this script does not know (discovery, booking steps): first button.
            step = "booking" if self.booking else "other"
            return Move(step, button=keyboard.buttons[0], reply=keyboard)
        return self._closing(keyboard)

    def _answer(self, question: str, keyboard: Reply | None, buttons: list[str], typed: list[str]) -> Move:
        self.asked[question] = self.asked.get(question, 0) + 1
        # Asked again: the typed answer was not understood, so press a button this time.
        if self._types() and self.asked[question] == 1:
            return Move(question, text=self.rng.choice(typed))
        return Move(question, button=self.rng.choice(buttons), reply=keyboard)

    def _closing(self, keyboard: Reply | None) -> Move:
        """After the profile: practical questions, then an appointment."""
        if not self.closing:
            self.closing = [*self.rng.sample(PRACTICAL, 2), self.rng.choice(BOOKING)]
        text = self.closing.pop(0) if self.closing else self.rng.choice(PRACTICAL)
        self.booking = self.booking or text in BOOKING
        if text == NEXT_STEPS and keyboard is not None and NEXT_STEPS in keyboard.buttons:
            return Move("booking", button=NEXT_STEPS, reply=keyboard)
        return Move("booking" if text in BOOKING else "practical", text=text)

    @staticmethod
    def _open_question(keyboard: Reply) -> bool:
        return not MENUS & set(keyboard.buttons)

    def _types(self) -> bool:
        return self.rng.random() < TYPING_SHARE

    def _name(self) -> str:
        name = self.rng.choice(FIRST_NAMES)
        return self.rng.choice([name, name.lower(), f"moi c {name}", f"je m'appelle {name}"])


class People:
    """New people on demand, each with a chat id of their own and a seeded behaviour."""

    def __init__(self, seed: int, first_chat_id: int):
        self._rng = random.Random(seed)
        self._ids = itertools.count(first_chat_id)

    def new(self) -> Person:
        return Person(next(self._ids), self._rng.random())

    def twin(self, person: Person) -> Person:
        """Someone who will make the same moves as ``person`` given the same answers."""
        return Person(next(self._ids), person.seed)
