"""Starting, health-checking and stopping the product's processes (Rasa, actions, gateway).

Used by `python -m bot run` and by the end-to-end tests, so both run the same start-up.
"""

import logging
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

logger = logging.getLogger(__name__)


class StartupError(RuntimeError):
    """A process did not become healthy in time; the message says which and where its log is."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ManagedProcess:
    """One child process with its health URL and log file."""

    name: str
    command: list[str]
    health_url: str
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        logger.info("starting %s: %s", self.name, " ".join(self.command))
        self.process = subprocess.Popen(
            self.command, stdout=log, stderr=subprocess.STDOUT, cwd=self.cwd,
            env={**os.environ, **self.env}, start_new_session=True,
        )
        log.close()

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def wait_healthy(self, timeout_seconds: float) -> None:
        """Poll the health URL until it answers 200; fail early if the process exits."""
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            if not self.is_running():
                raise StartupError(f"{self.name} exited during start-up; see {self.log_path}:\n{self.log_tail()}")
            try:
                if httpx.get(self.health_url, timeout=5.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise StartupError(f"{self.name} not healthy after {timeout_seconds:.0f}s; see {self.log_path}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout_seconds: float = 10.0) -> None:
        """SIGTERM the process group, then SIGKILL if it does not exit in time."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=timeout_seconds)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        except ProcessLookupError:
            pass
