"""Start one server of the stack (used by the Procfile and the tests).

``python -m stack.run rasa``     Rasa server on 127.0.0.1, API behind RASA_TOKEN.
``python -m stack.run actions``  action server on 127.0.0.1.
"""

from __future__ import annotations

import os
import sys
from urllib.parse import urlparse

from cnam.settings import get_settings
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


def rasa_command() -> list[str]:
    settings = get_settings()
    model = model_path()
    if not model.exists():
        sys.exit("Aucun modèle entraîné pour ces données : lancez `make train`.")
    port = urlparse(settings.rasa_url).port or 5005
    return [
        sys.executable, "-m", "rasa", "run",
        "--enable-api", "--auth-token", settings.rasa_token,
        "-i", "127.0.0.1", "-p", str(port),
        "--model", str(model),
        "--endpoints", str(ROOT / "endpoints.yml"),
        "--credentials", str(ROOT / "credentials.yml"),
    ]


def actions_command() -> list[str]:
    port = urlparse(get_settings().action_server_url).port or 5055
    return [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "-p", str(port)]


def main() -> None:
    commands = {"rasa": rasa_command, "actions": actions_command}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        sys.exit("usage: python -m stack.run rasa|actions")
    command = commands[sys.argv[1]]()
    os.chdir(ROOT)
    os.execvpe(command[0], command, server_env())


if __name__ == "__main__":
    main()
