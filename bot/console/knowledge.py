"""The knowledge base from the admin pages: uploaded articles, re-ingest, the last ingest report.

Uploads are kept under `var/kb_uploads/` (never in the repository). A re-ingest runs
`python -m kb_index ingest` on the sample sources and the uploads in a child process, so the
gateway stays responsive; the new index version is picked up by the running processes, and its
report is kept in `var/console/last_ingest.json` for every gateway to show.
"""

import json
import logging
import os
import re
import subprocess
import sys
import threading
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.settings import REPO_ROOT

logger = logging.getLogger(__name__)

SAMPLE_SOURCES = (REPO_ROOT / "data" / "kb",)
UPLOAD_SUFFIXES = (".md", ".markdown", ".html", ".htm")
MAX_UPLOAD_BYTES = 1_000_000
INGEST_TIMEOUT_SECONDS = 1800
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class UploadError(ValueError):
    """An uploaded file that is not accepted."""


def uploads_dir(var_dir: Path) -> Path:
    return var_dir / "kb_uploads"


def report_path(var_dir: Path) -> Path:
    return var_dir / "console" / "last_ingest.json"


def safe_filename(name: str) -> str:
    """A plain file name: no folders, no leading dot, only letters, digits, '.', '-' and '_'."""
    base = _UNSAFE.sub("-", Path(name.replace("\\", "/")).name).strip(".-")[:100]
    if not base or not base.lower().endswith(UPLOAD_SUFFIXES):
        raise UploadError(f"Upload a Markdown or HTML article ({', '.join(UPLOAD_SUFFIXES)}).")
    return base


def save_upload(var_dir: Path, *, filename: str, content: bytes) -> Path:
    """Keep an uploaded article (UTF-8 text, at most 1 MB) for the next ingest."""
    name = safe_filename(filename)
    if len(content) > MAX_UPLOAD_BYTES:
        raise UploadError("The file is larger than 1 MB.")
    try:
        content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UploadError("The file is not UTF-8 text.") from error
    folder = uploads_dir(var_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content)
    logger.info("knowledge-base upload saved: %s", path)
    return path


def uploaded_files(var_dir: Path) -> list[Path]:
    folder = uploads_dir(var_dir)
    if not folder.is_dir():
        return []
    return sorted(
        path for path in folder.iterdir() if path.is_file() and path.suffix.lower() in UPLOAD_SUFFIXES
    )


@dataclass
class IngestRun:
    """One re-ingest: when, how it went, and the report kb_index printed."""

    state: str  # running | done | failed
    started_at: str
    finished_at: str | None = None
    report: dict[str, Any] = field(default_factory=dict)
    error: str = ""


def last_run(var_dir: Path) -> IngestRun | None:
    path = report_path(var_dir)
    try:
        return IngestRun(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def _save(var_dir: Path, run: IngestRun) -> None:
    path = report_path(var_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(run), indent=1), encoding="utf-8")
    tmp.replace(path)


def default_index_dir() -> Path:
    """Where kb_index keeps the index (as `kb_index.store.default_index_dir`, without importing
    kb_index: its import loads the embedding model's libraries, seconds the gateway need not spend)."""
    env = os.environ.get("DESKMATE_KB_INDEX_DIR")
    return Path(env).expanduser() if env else REPO_ROOT / "var" / "kb_index"


def ingest_command(var_dir: Path, index_dir: Path | None = None) -> list[str]:
    sources = [str(path) for path in SAMPLE_SOURCES]
    if uploaded_files(var_dir):
        sources.append(str(uploads_dir(var_dir)))
    return [
        sys.executable,
        "-m",
        "kb_index",
        "ingest",
        *sources,
        "--index",
        str(index_dir or default_index_dir()),
        "--json",
    ]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class IngestRunner:
    """Runs one re-ingest at a time per gateway process, in a background thread."""

    def __init__(self, var_dir: Path, command: list[str] | None = None) -> None:
        self.var_dir = var_dir
        self._command = command
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> bool:
        """Start a re-ingest; False if one is already running."""
        with self._lock:
            if self.running:
                return False
            run = IngestRun(state="running", started_at=_now())
            _save(self.var_dir, run)
            self._thread = threading.Thread(target=self._run, args=(run,), name="kb-ingest", daemon=True)
            self._thread.start()
            return True

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self, run: IngestRun) -> None:
        command = self._command or ingest_command(self.var_dir)
        logger.info("knowledge-base re-ingest: %s", " ".join(command))
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=INGEST_TIMEOUT_SECONDS,
                cwd=REPO_ROOT,
                check=False,
            )
            if done.returncode == 0:
                run.state, run.report = "done", json.loads(done.stdout or "{}")
            else:
                run.state, run.error = "failed", (done.stderr or done.stdout).strip()[-2000:]
        except (OSError, ValueError, subprocess.TimeoutExpired) as error:
            run.state, run.error = "failed", str(error)[-2000:]
        run.finished_at = _now()
        _save(self.var_dir, run)
        logger.info("knowledge-base re-ingest %s", run.state)
