"""Start one server of the stack (used by the Procfile and the tests).

``python -m stack.run rasa``     Rasa server on 127.0.0.1, API behind RASA_TOKEN,
                                 run in this process after the speed-ups of
                                 ``rasa_ext/speedups.py`` are installed.
``python -m stack.run actions``  action server on 127.0.0.1.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Collection
from pathlib import Path
from urllib.parse import urlparse

from cnam.settings import get_settings
from rasa_ext import speedups
from stack.train import ROOT, model_path


def server_env() -> dict[str, str]:
    settings = get_settings()
    return {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "PYTHONPATH": str(ROOT),
        # endpoints.yml reads it; the default must exist for Rasa's substitution.
        "ACTION_SERVER_URL": settings.action_server_url,
        "SANIC_HOST": "127.0.0.1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }


def rasa_args(model: Path | None = None) -> list[str]:
    """``rasa`` command-line arguments of the server."""
    settings = get_settings()
    model = model or model_path()
    if not model.exists():
        sys.exit("Aucun modèle entraîné pour ces données : lancez `make train`.")
    port = urlparse(settings.rasa_url).port or 5005
    return [
        "run", "--enable-api", "--auth-token", settings.rasa_token,
        "-i", "127.0.0.1", "-p", str(port),
        "--model", str(model),
        "--endpoints", str(ROOT / "endpoints.yml"),
        "--credentials", str(ROOT / "credentials.yml"),
    ]


def actions_command() -> list[str]:
    port = urlparse(get_settings().action_server_url).port or 5055
    return [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "-p", str(port)]


def serve_rasa(model: Path | None = None, *, stock: Collection[str] = ()) -> None:
    """Run the Rasa server in this process, with the speed-ups (but ``stock``,
    a benchmark's what-if) installed first."""
    args = rasa_args(model)
    os.environ.update(server_env())
    os.chdir(ROOT)
    speedups.install(stock)
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *args]
    rasa_main()


def main() -> None:
    if sys.argv[1:] == ["rasa"]:
        serve_rasa()
        return
    if sys.argv[1:] != ["actions"]:
        sys.exit("usage: python -m stack.run rasa|actions")
    command = actions_command()
    os.chdir(ROOT)
    os.execvpe(command[0], command, server_env())


if __name__ == "__main__":
    main()
