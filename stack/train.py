"""``make train``: train the Rasa model only when its inputs changed.

The model is named by a fingerprint of everything that shapes it (NLU data,
stories and rules, domain, config, custom NLU components, the lock file).
Trained models are also kept in a cache outside the clone, so a fresh clone
with unchanged data (CI) copies the model instead of retraining for minutes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
# cnam/text.py: the folding the NLU components use.
INPUTS = ["config.yml", "domain", "nlu", "stories", "rasa_ext", "cnam/text.py", "requirements.lock"]
# Files under INPUTS that the trained model does not depend on.
NOT_INPUTS = {
    "rasa_ext/stores.py", "rasa_ext/action_validation.py", "rasa_ext/model_loading.py",
    "rasa_ext/event_types.py", "rasa_ext/speedups.py", "rasa_ext/review_collector.py",
    "rasa_ext/action_calls.py",
}


def cache_dir() -> Path:
    default = Path.home() / ".cache" / "cnam-mayotte" / "models"
    return Path(os.environ.get("MODEL_CACHE_DIR", default))


def _files(inputs: list[str]) -> list[Path]:
    found: list[Path] = []
    for name in inputs:
        path = ROOT / name
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(
                p for p in path.rglob("*")
                if p.is_file() and "__pycache__" not in p.parts and p.suffix in {".yml", ".yaml", ".py", ".txt"}
            )
    return sorted(p for p in found if str(p.relative_to(ROOT)) not in NOT_INPUTS)


def fingerprint(inputs: list[str] | None = None) -> str:
    digest = hashlib.sha256()
    for path in _files(inputs or INPUTS):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def model_path() -> Path:
    return MODELS / f"{fingerprint()}.tar.gz"


def ensure_model() -> Path:
    """Return the model for the current inputs, training it if needed."""
    target = model_path()
    if target.exists():
        print(f"Modèle à jour : {target.relative_to(ROOT)} (pas de réentraînement).")
        return target
    MODELS.mkdir(exist_ok=True)
    cached = cache_dir() / target.name
    if cached.exists():
        shutil.copy2(cached, target)
        print(f"Modèle repris du cache : {cached}")
        return target
    print("Les données ont changé : entraînement du modèle (quelques minutes)…", flush=True)
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [
            sys.executable, "-m", "rasa", "train",
            "--config", "config.yml", "--domain", "domain",
            "--data", "nlu", "stories",
            "--out", str(MODELS), "--fixed-model-name", target.name.removesuffix(".tar.gz"),
        ],
        cwd=ROOT, env=env, check=True,
    )
    cached.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(target, cached)
    return target


def main() -> None:
    ensure_model()


if __name__ == "__main__":
    main()
