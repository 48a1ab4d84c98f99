"""Rasa component: entity values as the contract spells them.

Placed after the entity extractors. Each extracted value is mapped to its
canonical value (``entity_values.yml``) or dropped; values the text clearly
states but the model missed are added; the user's own text and offsets are
restored if ``TextNormalizer`` rewrote them.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from rasa_ext.entity_values import EntityTable, default_table
from rasa_ext.normalizer import ORIGINAL_TEXT, normalized_view


def canonicalize(entities: list[dict[str, Any]], text: str,
                 table: EntityTable, extractor: str) -> list[dict[str, Any]]:
    """Canonical entities for ``text``: extracted ones mapped, missed ones spotted.

    A stated form that strictly covers extracted spans replaces them. Offsets
    are those of ``text``. A value repeated in one message is kept once.
    """
    kept: list[dict[str, Any]] = []
    for entity in entities:
        surface = text[entity["start"]:entity["end"]] or str(entity.get("value", ""))
        found = table.relabel(entity["entity"], surface)
        if found is None:
            found = table.relabel(entity["entity"], str(entity.get("value", "")))
        if found:
            kept.append({**entity, "entity": found[0], "value": found[1]})
    for spotted in table.spot(text):
        overlapping = [e for e in kept if spotted.start < e["end"] and e["start"] < spotted.end]
        # A stated form that covers the model's shorter span says more ("plus au
        # lycée" is not "au lycée"); any other overlap leaves the model's span.
        if any(e["start"] < spotted.start or spotted.end < e["end"] for e in overlapping):
            continue
        if any(e["end"] - e["start"] == spotted.end - spotted.start for e in overlapping):
            continue
        kept = [e for e in kept if e not in overlapping]
        kept.append({
            "entity": spotted.entity, "value": spotted.value,
            "start": spotted.start, "end": spotted.end, "extractor": extractor,
        })
    unique: dict[tuple[str, str], dict[str, Any]] = {}
    for entity in sorted(kept, key=lambda e: e["start"]):
        unique.setdefault((entity["entity"], entity["value"]), entity)
    return list(unique.values())


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class EntityCanonicalizer(GraphComponent, EntityExtractorMixin):
    """Maps, filters and completes entities; restores the user's text."""

    def __init__(self, table: EntityTable) -> None:
        self.table = table

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> EntityCanonicalizer:
        return cls(default_table())

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._process_one(message)
        return messages

    def _process_one(self, message: Message) -> None:
        text = message.get(TEXT)
        if not text:
            return
        view = normalized_view(message)
        entities = [dict(e) for e in message.get(ENTITIES) or []]
        if view is not None:
            # Back to the user's own words before matching: ``fold`` and the
            # tables already absorb case and accents.
            text = view.original
            for entity in entities:
                entity["start"], entity["end"] = view.to_original(entity["start"], entity["end"])
            for token in message.get(TOKENS_NAMES[TEXT]) or []:
                token.start, token.end = view.to_original(token.start, token.end)
            message.set(TEXT, text)
            message.set(ORIGINAL_TEXT, None)
        message.set(
            ENTITIES, canonicalize(entities, text, self.table, self.__class__.__name__),
            add_to_output=True,
        )
