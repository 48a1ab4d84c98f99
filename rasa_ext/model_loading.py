"""Load trained TensorFlow models (DIET) without Rasa's dummy training step.

Rasa 3.6 builds a model's variables before restoring its weights by running
one training step (``model.fit`` on one example): TensorFlow then traces the
whole training graph with its gradients, about 25 of the 30 seconds the Rasa
server takes to start here (BENCHMARKS.md, "Start"). A forward pass of the
loss on the same example creates the same variables, eagerly and without
gradients; the weights are then restored over them, and the prediction
function is traced on an example as before. Fine-tuning (which needs the
optimizer's state) keeps Rasa's own way. tests/test_model_loading.py checks
that both ways give the same parses.
"""

from __future__ import annotations

from typing import Any


def install() -> None:
    """Replace ``RasaModel.load`` in this process (idempotent)."""
    # Imported here: TensorFlow and Rasa take seconds to import.
    from rasa.utils.tensorflow.data_generator import RasaBatchDataGenerator
    from rasa.utils.tensorflow.models import RasaModel

    rasa_load = RasaModel.load.__func__  # type: ignore[attr-defined]
    if getattr(rasa_load, "without_training_step", False):
        return

    def load(
        cls: type[RasaModel],
        model_file_name: str,
        model_data_example: Any,
        predict_data_example: Any = None,
        finetune_mode: bool = False,
        *args: Any,
        **kwargs: Any,
    ) -> RasaModel:
        if finetune_mode:
            return rasa_load(cls, model_file_name, model_data_example, predict_data_example,
                             finetune_mode, *args, **kwargs)
        model = cls(*args, **kwargs)
        batch, _ = RasaBatchDataGenerator(model_data_example, batch_size=1)[0]
        model.batch_loss(batch)  # creates every variable the checkpoint holds but the optimizer's
        model.load_weights(model_file_name).expect_partial()
        if predict_data_example:
            model.run_inference(predict_data_example)  # traces the prediction function now
        return model

    load.without_training_step = True  # type: ignore[attr-defined]
    RasaModel.load = classmethod(load)  # type: ignore[method-assign, assignment]
