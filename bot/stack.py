"""The whole product on one machine: prepare (migrate, index, train) and start every process.

`prepare` does only what changed since last time: migrations are idempotent, the knowledge base
is re-indexed only when its sources change, and Rasa trains only when config, domain or
training data change (the model is named by their hash and kept in a cache folder).
"""

import hashlib
import logging
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bot.processes import ManagedProcess, StartupError

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent
RASA_INPUTS = ("config.yml", "domain.yml", "data/nlu.yml", "data/rules.yml", "data/stories.yml")
KB_SOURCES = (REPO_ROOT / "data" / "kb",)
KB_LABELLED = REPO_ROOT / "data" / "kb_questions.csv"


@dataclass(frozen=True)
class StackConfig:
    """Where everything lives and listens for one running copy of the product."""

    var_dir: Path
    database_url: str
    host: str = "127.0.0.1"
    gateway_port: int = 8000
    rasa_port: int = 5005
    actions_port: int = 5055
    rasa_bin: Path = REPO_ROOT / ".venv-rasa" / "bin" / "rasa"
    python_bin: Path = Path(sys.executable)
    model_cache_dir: Path = Path(os.environ.get("DESKMATE_CACHE_DIR", Path.home() / ".cache" / "deskmate")) / "models"
    rasa_timeout_seconds: float = 15.0

    @property
    def kb_index_dir(self) -> Path:
        return self.var_dir / "kb_index"

    def url(self, port: int) -> str:
        return f"http://{self.host}:{port}"

    def environment(self) -> dict[str, str]:
        """Variables every process of this stack shares."""
        return {
            "DESKMATE_VAR_DIR": str(self.var_dir),
            "DESKMATE_DATABASE_URL": self.database_url,
            "DESKMATE_KB_INDEX_DIR": str(self.kb_index_dir),
            "DESKMATE_RASA_URL": self.url(self.rasa_port),
            "DESKMATE_ACTION_SERVER_URL": self.url(self.actions_port),
            "DESKMATE_PUBLIC_URL": os.environ.get("DESKMATE_PUBLIC_URL") or self.url(self.gateway_port),
            "DESKMATE_HOST": self.host,
            "DESKMATE_PORT": str(self.gateway_port),
            "DESKMATE_RASA_TIMEOUT_SECONDS": str(self.rasa_timeout_seconds),
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "TOKENIZERS_PARALLELISM": "false",
            "RASA_TELEMETRY_ENABLED": "false",
            "PYTHONUNBUFFERED": "1",
        }


def hash_files(paths: list[Path]) -> str:
    """A short content hash over files (names and bytes), in a stable order."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        # Repository files by relative name, so every clone of one commit has the same hash.
        name = path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path
        digest.update(str(name).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def rasa_model_hash() -> str:
    """Hash of everything that changes the trained model, including the Rasa lock file."""
    inputs = [REPO_ROOT / name for name in RASA_INPUTS] + [REPO_ROOT / "requirements" / "rasa.lock"]
    return hash_files(inputs)


def _run_step(description: str, command: list[str], env: dict[str, str]) -> None:
    logger.info("%s: %s", description, " ".join(command))
    result = subprocess.run(command, cwd=REPO_ROOT, env={**os.environ, **env}, check=False)
    if result.returncode != 0:
        raise StartupError(f"{description} failed (exit {result.returncode}): {' '.join(command)}")


def ensure_rasa_model(config: StackConfig) -> Path:
    """The trained model for the current inputs; trains only when no model has their hash."""
    name = f"deskmate-{rasa_model_hash()}"
    models_dir = REPO_ROOT / "models"
    model = models_dir / f"{name}.tar.gz"
    cached = config.model_cache_dir / model.name
    if model.exists():
        return model
    models_dir.mkdir(exist_ok=True)
    if cached.exists():
        shutil.copy2(cached, model)
        logger.info("Rasa model %s taken from the cache", model.name)
        return model
    if not config.rasa_bin.exists():
        raise StartupError(f"Rasa is not installed at {config.rasa_bin}; run `make venvs` first")
    _run_step(
        "training the Rasa model (inputs changed)",
        [str(config.rasa_bin), "train", "--config", "config.yml", "--domain", "domain.yml",
         "--data", "data/nlu.yml", "data/rules.yml", "data/stories.yml",
         "--out", str(models_dir), "--fixed-model-name", name],
        config.environment(),
    )
    config.model_cache_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(model, cached)
    return model


def ensure_knowledge_base(config: StackConfig) -> None:
    """Ingest and calibrate the sample knowledge base when its files changed."""
    # The sample KB plus whatever admins uploaded in the console, so neither drops out.
    folders = list(KB_SOURCES)
    uploads = config.var_dir / "kb_uploads"
    if uploads.is_dir() and any(uploads.iterdir()):
        folders.append(uploads)
    sources = [path for folder in folders for path in folder.rglob("*") if path.is_file()]
    stamp = config.kb_index_dir / "source-hash.txt"
    current = hash_files([*sources, KB_LABELLED])
    if stamp.exists() and stamp.read_text().strip() == current:
        return
    env = config.environment()
    python = str(config.python_bin)
    _run_step("indexing the knowledge base",
              [python, "-m", "kb_index", "ingest", *map(str, folders), "--index", str(config.kb_index_dir)], env)
    _run_step("calibrating the knowledge base",
              [python, "-m", "kb_index", "calibrate", "--index", str(config.kb_index_dir),
               "--labelled", str(KB_LABELLED)], env)
    _run_step("training the ticket category classifier",
              [python, "-m", "handoff", "retrain-classifier", "--index", str(config.kb_index_dir)], env)
    stamp.write_text(current + "\n")


def migrate(config: StackConfig) -> None:
    """Apply database migrations."""
    _run_step("migrating the database", [str(config.python_bin), "-m", "handoff", "migrate"], config.environment())


def write_rasa_endpoints(config: StackConfig) -> Path:
    """Rasa's endpoints file for this stack: our action server and a tracker store on disk."""
    path = config.var_dir / "run" / "endpoints.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    tracker_db = config.var_dir / "rasa_tracker.db"
    path.write_text(
        "action_endpoint:\n"
        f"  url: \"{config.url(config.actions_port)}/webhook\"\n"
        "tracker_store:\n"
        "  type: SQL\n"
        "  dialect: sqlite\n"
        f"  db: \"{tracker_db}\"\n"
    )
    return path


def build_processes(config: StackConfig, model: Path) -> list[ManagedProcess]:
    """The three processes, in start order: action server, Rasa, gateway."""
    env = config.environment()
    logs = config.var_dir / "log"
    endpoints = write_rasa_endpoints(config)
    actions = ManagedProcess(
        name="action server",
        command=[str(config.python_bin), "-m", "rasa_sdk", "--actions", "actions",
                 "--port", str(config.actions_port)],
        health_url=f"{config.url(config.actions_port)}/health",
        log_path=logs / "actions.log", env=env, cwd=REPO_ROOT,
    )
    rasa = ManagedProcess(
        name="Rasa server",
        command=[str(config.rasa_bin), "run", "--enable-api", "--model", str(model),
                 "--port", str(config.rasa_port), "-i", config.host,
                 "--endpoints", str(endpoints), "--credentials", str(REPO_ROOT / "credentials.yml")],
        health_url=f"{config.url(config.rasa_port)}/status",
        log_path=logs / "rasa.log", env=env, cwd=REPO_ROOT,
    )
    gateway = ManagedProcess(
        name="gateway",
        command=[str(config.python_bin), "-m", "uvicorn", "bot.app:create_app", "--factory",
                 "--host", config.host, "--port", str(config.gateway_port)],
        health_url=f"{config.url(config.gateway_port)}/health",
        log_path=logs / "gateway.log", env=env, cwd=REPO_ROOT,
    )
    return [actions, rasa, gateway]


def prepare(config: StackConfig) -> Path:
    """Everything before start-up; returns the Rasa model to serve."""
    config.var_dir.mkdir(parents=True, exist_ok=True)
    migrate(config)
    ensure_knowledge_base(config)
    return ensure_rasa_model(config)


def start_all(processes: list[ManagedProcess], timeout_seconds: float = 180.0) -> None:
    """Start every process and wait until each is healthy; stop them all if one fails."""
    try:
        for process in processes:
            process.start()
        for process in processes:
            process.wait_healthy(timeout_seconds)
    except BaseException:
        stop_all(processes)
        raise


def stop_all(processes: list[ManagedProcess]) -> None:
    """Stop in reverse start order."""
    for process in reversed(processes):
        process.stop()
