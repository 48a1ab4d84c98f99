"""The test stories, run by Rasa itself against the trained model."""

from __future__ import annotations

import os
import subprocess
import sys

from stack.train import ROOT, model_path


def test_stories_predicted_without_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "test", "core", "--model", str(model_path()),
         "--stories", "tests/stories", "--fail-on-prediction-errors", "--out", str(tmp_path),
         "--endpoints", "endpoints.yml"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    failed = tmp_path / "failed_test_stories.yml"
    details = failed.read_text() if failed.exists() else ""
    assert result.returncode == 0, f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}\n{details}"
