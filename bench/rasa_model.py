"""``python -m bench.rasa_model MODEL``: ``stack.run rasa`` with a given trained model.

For measuring while the data changes faster than training (``--model``);
``make bench`` uses the model of the current data.
"""

from __future__ import annotations

import sys
from pathlib import Path

from stack import run


def main() -> None:
    model = Path(sys.argv[1])
    run.model_path = lambda: model  # the one thing rasa_command() takes from the data
    sys.argv = [sys.argv[0], "rasa"]
    run.main()


if __name__ == "__main__":
    main()
