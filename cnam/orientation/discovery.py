"""Finding a field for people who do not know theirs: two questions about what
they like, each answered with a button, mapped to one to three canonical
``domaine`` values.

The question ids are the profile form's slots (``gout_1``, ``gout_2``); a
button sends the choice id. Typed answers are matched on keywords.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from cnam.text import fold
from cnam.vocabulary import DOMAINES


@dataclass(frozen=True)
class Choice:
    id: str
    label: str  # button text
    domaines: dict[str, int]  # points given to each field
    keywords: tuple[str, ...]  # regex fragments, matched at a word start, on folded text


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    choices: tuple[Choice, ...]


QUESTIONS = (
    Question("gout_1", "Qu'est-ce qui vous plaît le plus ?", (
        Choice("ordinateurs", "💻 Les ordinateurs", {"informatique": 3, "cybersecurite": 2},
               ("ordi", "informati", "internet", "numerique", "jeux? video", "programm",
                "code", "telephone")),
        Choice("construire", "🔨 Construire, réparer", {"btp": 3, "energie": 2},
               ("constru", "batiment", "btp", "chantier", "bricol", "repar", "macon",
                "mecani")),
        Choice("aider", "🤝 Aider les gens", {"sante_social": 3, "enseignement": 2},
               ("aider", "soign", "social", "enfants?", "personnes agees", "gens",
                "infirm", "malade")),
        Choice("chiffres", "🔢 Les chiffres", {"gestion_comptabilite": 3, "management": 1},
               ("chiffre", "calcul", "maths?", "compta", "argent", "gestion")),
        Choice("mer", "🌊 La mer, le lagon", {"economie_bleue": 3, "tourisme": 1},
               (r"mer\b", "lagon", "peche", "pecheur", "bateau", "plong", "poisson",
                "ocean")),
        Choice("nature", "🌱 La nature, les animaux",
               {"agriculture": 3, "economie_bleue": 1, "energie": 1},
               ("nature", "anima", "plante", "jardin", "agricult", "champs?", "ferme",
                "shamba", "cultiv")),
    )),
    Question("gout_2", "Et au travail, vous aimeriez plutôt…", (
        Choice("vendre", "🗣️ Vendre, parler aux clients", {"commerce": 3, "tourisme": 1},
               ("vend", "commerce", "client", "parler", "magasin", "boutique", "negoc")),
        Choice("organiser", "📋 Organiser, diriger",
               {"management": 3, "rh": 2, "transport_logistique": 1},
               ("organis", "diriger", "chef", "gerer", "equipe", "manag", "planifi",
                "recrut")),
        Choice("voyager", "✈️ Bouger, voyager", {"transport_logistique": 3, "tourisme": 2},
               ("voyag", "bouger", "avion", "transport", "conduire", "camion", "aeroport",
                "touris")),
        Choice("transmettre", "📚 Expliquer, transmettre", {"enseignement": 3, "rh": 1},
               ("expliqu", "transmett", "enseign", "apprendre", "prof", "former", "ecole")),
        Choice("planete", "🌍 Protéger la planète",
               {"energie": 3, "agriculture": 1, "economie_bleue": 1},
               ("planete", "environnement", "ecolo", "climat", "energie", "solaire",
                "recycl")),
        Choice("securite", "🛡️ Protéger, sécuriser", {"cybersecurite": 3, "informatique": 1},
               ("secur", "proteger", "hacker", "pirat", "cyber", "surveill")),
    )),
)

_CHOICES = {choice.id: choice for q in QUESTIONS for choice in q.choices}
MAX_DOMAINES = 3


def question(question_id: str) -> Question:
    return next(q for q in QUESTIONS if q.id == question_id)


def choice_for_text(question_id: str, text: str) -> str | None:
    """The choice id a button or a typed answer stands for, or None."""
    choices = question(question_id).choices
    stripped = text.strip()
    for choice in choices:
        if stripped in (choice.id, choice.label):
            return choice.id
    folded = fold(stripped)
    hits = {
        choice.id: sum(bool(re.search(rf"\b{k}", folded)) for k in choice.keywords)
        for choice in choices
    }
    best = max(hits, key=lambda c: hits[c])  # first choice wins a tie
    return best if hits[best] else None


def discover_domaines(choice_ids: Iterable[str]) -> list[str]:
    """One to three fields for these answers (none if no answer), strongest first.

    Fields within one point of the best one are kept; ties follow the
    contract's order, so the same answers always give the same fields.
    """
    points: Counter[str] = Counter()
    for choice_id in choice_ids:
        if choice_id not in _CHOICES:
            raise ValueError(f"unknown discovery choice: {choice_id!r}")
        points.update(_CHOICES[choice_id].domaines)
    if not points:
        return []
    ranked = sorted(points, key=lambda d: (-points[d], DOMAINES.index(d)))
    best = points[ranked[0]]
    return [d for d in ranked if points[d] >= best - 1][:MAX_DOMAINES]
