"""Rasa component: hand the tokenizer plain French instead of SMS spellings.

Runs first in the pipeline, on training data and on every message alike.
The user's own text and the offset map are kept on the message so that
``EntityCanonicalizer`` can restore them after entity extraction.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_ext.text_forms import NormalizedText, normalize

# Message keys (not part of the parse output).
ORIGINAL_TEXT = "cnam_original_text"
PIECES = "cnam_normalized_pieces"


def normalized_view(message: Message) -> NormalizedText | None:
    """The normalisation applied to ``message``, if any."""
    original = message.get(ORIGINAL_TEXT)
    if original is None:
        return None
    return NormalizedText(original, message.get(TEXT), tuple(message.get(PIECES)))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class TextNormalizer(GraphComponent):
    """Rewrites TEXT (SMS forms, elisions, case, accents) before tokenisation."""

    def __init__(self, keep_accents: bool = False) -> None:
        self.keep_accents = keep_accents

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # Word vectors (spaCy) know "étudiant", not "etudiant": keep accents for them.
        return {"keep_accents": False}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TextNormalizer:
        return cls(keep_accents=config["keep_accents"])

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            self._rewrite(message)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._rewrite(message)
        return messages

    def _rewrite(self, message: Message) -> None:
        text = message.get(TEXT)
        if not text or message.get(ORIGINAL_TEXT) is not None:
            return
        normalized = normalize(text, self.keep_accents)
        for entity in message.get(ENTITIES) or []:
            entity["start"], entity["end"] = normalized.to_normalized(
                entity["start"], entity["end"]
            )
        message.set(ORIGINAL_TEXT, text)
        message.set(PIECES, list(normalized.pieces))
        message.set(TEXT, normalized.text)
