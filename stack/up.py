"""``make run``: Redis check, then the servers through honcho and the Procfile.

With TELEGRAM_BOT_TOKEN: honcho runs all three processes (Rasa, actions,
bot) in the foreground. Without it: Rasa and the action server run in the
background (logs in .run/services.log) and the terminal chat runs here,
in the foreground, through the same front code as Telegram.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from urllib.parse import urlparse

from cnam.settings import get_settings
from stack.health import check_actions, check_rasa, check_redis
from stack.train import ROOT

HONCHO = [sys.executable, "-m", "honcho", "start", "-f", str(ROOT / "Procfile")]


def ensure_redis() -> None:
    if asyncio.run(check_redis()).ok:
        return
    url = urlparse(get_settings().redis_url)
    local = url.hostname in {"127.0.0.1", "localhost", "::1"}
    binary = shutil.which("redis-server")
    if not (local and binary):
        sys.exit(
            "Redis ne répond pas à REDIS_URL. Installez-le avec `sudo apt-get install "
            "redis-server` (ou corrigez REDIS_URL), puis relancez `make run`."
        )
    print("Redis ne répond pas : démarrage d'un redis-server local…")
    subprocess.run(
        [binary, "--port", str(url.port or 6379), "--bind", "127.0.0.1",
         "--daemonize", "yes", "--save", "", "--appendonly", "no"],
        check=True,
    )
    for _ in range(50):
        if asyncio.run(check_redis()).ok:
            return
        time.sleep(0.1)
    sys.exit("Le redis-server local n'a pas démarré : voyez `make doctor`.")


def wait_ready(timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rasa, actions = asyncio.run(_both())
        if rasa.ok and actions.ok:
            return
        time.sleep(2)
    sys.exit("Rasa ou le serveur d'actions n'a pas démarré : voyez .run/services.log et `make doctor`.")


async def _both():  # type: ignore[no-untyped-def]
    return await asyncio.gather(check_rasa(), check_actions())


def main() -> None:
    ensure_redis()
    if get_settings().telegram_bot_token:
        os.execv(HONCHO[0], HONCHO)
    log_dir = ROOT / ".run"
    log_dir.mkdir(exist_ok=True)
    with open(log_dir / "services.log", "ab") as log:
        services = subprocess.Popen(
            [*HONCHO, "rasa", "actions"], stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True, cwd=ROOT,
        )
    try:
        print("Démarrage de l'assistant (Rasa met une quinzaine de secondes à charger le modèle)…")
        wait_ready()
        subprocess.run([sys.executable, "-m", "bot"], cwd=ROOT, check=False)
    except KeyboardInterrupt:
        pass
    finally:
        os.killpg(services.pid, signal.SIGTERM)
        services.wait(timeout=30)


if __name__ == "__main__":
    main()
