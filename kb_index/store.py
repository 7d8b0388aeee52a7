"""Index versions on disk: one folder per version and a CURRENT file naming the live one.

A new version is written into a staging folder, renamed into place, and only then does CURRENT
change (write-then-rename, atomic on POSIX). A reader therefore sees either the old index or
the new one, never half of each, and running processes notice the swap by CURRENT's mtime.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

POINTER = "CURRENT"
VERSIONS = "versions"
KEEP_VERSIONS = 3


def default_index_dir() -> Path:
    """`DESKMATE_KB_INDEX_DIR` if set, else `var/kb_index` at the repository root."""
    env = os.environ.get("DESKMATE_KB_INDEX_DIR")
    if env:
        return Path(env).expanduser()
    return Path(__file__).resolve().parent.parent / "var" / "kb_index"


def write_json(path: Path, data: Any) -> None:
    """Write JSON via a temporary file and rename, so a crash never leaves half a file."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def read_json(path: Path) -> Any:
    """Counterpart of `write_json`."""
    return json.loads(path.read_text(encoding="utf-8"))


def pointer_path(index_dir: Path) -> Path:
    """The CURRENT file of an index directory."""
    return Path(index_dir) / POINTER


def pointer_stamp(index_dir: Path) -> int | None:
    """mtime (ns) of CURRENT, or None: a stat call is cheap enough to make once a second."""
    try:
        return pointer_path(index_dir).stat().st_mtime_ns
    except FileNotFoundError:
        return None


def current_version_dir(index_dir: Path) -> Path | None:
    """The folder of the live version, or None when nothing was ingested yet."""
    try:
        name = pointer_path(index_dir).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    folder = Path(index_dir) / VERSIONS / name
    return folder if name and folder.is_dir() else None


@contextlib.contextmanager
def writer_lock(index_dir: Path) -> Iterator[None]:
    """Only one ingest or calibrate may publish at a time; readers never lock."""
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def new_staging_dir(index_dir: Path) -> Path:
    """An empty folder to write the next version into."""
    versions = Path(index_dir) / VERSIONS
    versions.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    staging = versions / f".staging-{stamp}-{uuid.uuid4().hex[:6]}"
    staging.mkdir()
    return staging


def publish(index_dir: Path, staging: Path) -> str:
    """Move a finished staging folder into place and point CURRENT at it."""
    name = staging.name.removeprefix(".staging-")
    final = staging.with_name(name)
    os.replace(staging, final)
    pointer = pointer_path(index_dir)
    tmp = pointer.with_name(f".{POINTER}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(name + "\n", encoding="utf-8")
    os.replace(tmp, pointer)
    logger.info("published index version %s", name)
    prune(index_dir, keep=KEEP_VERSIONS)
    return name


def link_or_copy(src: Path, dst: Path) -> None:
    """Hard-link unchanged files into a new version (a copy where links are not allowed)."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def prune(index_dir: Path, *, keep: int) -> None:
    """Remove old versions; processes that loaded them keep their copy in memory."""
    versions = Path(index_dir) / VERSIONS
    live = current_version_dir(index_dir)
    done = sorted(
        (p for p in versions.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.name,
    )
    for old in done[:-keep]:
        if live is None or old.resolve() != live.resolve():
            shutil.rmtree(old, ignore_errors=True)
