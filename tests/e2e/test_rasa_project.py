"""The Rasa project at the root is a normal one: it validates, and its test stories pass."""

import os
import subprocess
from pathlib import Path

from bot.stack import REPO_ROOT
from tests.e2e.conftest import RunningStack

RASA = REPO_ROOT / ".venv-rasa" / "bin" / "rasa"


def _rasa(*args: str, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    return subprocess.run([str(RASA), *args], cwd=cwd, env=env, capture_output=True, text=True, check=False)


def test_rasa_data_validates_without_warnings() -> None:
    result = _rasa("data", "validate", "--fail-on-warnings", "--data", "data/nlu.yml", "data/rules.yml",
                   "data/stories.yml")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_rasa_test_stories_pass(stack: RunningStack, tmp_path: Path) -> None:
    result = _rasa("test", "core", "--stories", "tests/rasa", "--model", str(stack.model),
                   "--out", str(tmp_path), "--fail-on-prediction-errors")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert not (tmp_path / "failed_test_stories.yml").read_text().strip().startswith("- story")
