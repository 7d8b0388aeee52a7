"""A real PostgreSQL server from Debian's packages, in a temporary folder on a free port."""

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from bot.processes import free_port


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(
            "PostgreSQL is not installed: run `make test-setup` (it installs Debian's postgresql)"
        )
    return found[-1]


class PostgresServer:
    """initdb + pg_ctl in a temp dir; run as the `postgres` user when we are root."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="deskmate-pg-"))
        self.data = self.dir / "data"
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.dir, user.pw_uid, user.pw_gid)
            self._as_user = ["runuser", "-u", "postgres", "--"]

    def _run(self, *command: str) -> None:
        subprocess.run([*self._as_user, *command], check=True, capture_output=True)

    def start(self) -> None:
        self._run(_pg_bin("initdb"), "-D", str(self.data), "--auth=trust", "-U", "postgres", "-E", "UTF8")
        self.start_server()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                self.create_database("postgres_ready_check")
                return
            except subprocess.CalledProcessError:
                time.sleep(0.3)
        raise RuntimeError(f"PostgreSQL did not start; see {self.dir / 'server.log'}")

    def start_server(self) -> None:
        """Start (or restart) the server on the same folder and port."""
        self._run(
            _pg_bin("pg_ctl"), "-D", str(self.data), "-w", "-l", str(self.dir / "server.log"),
            "-o", f"-p {self.port} -k {self.dir} -h 127.0.0.1 -c fsync=off -c max_connections=200",
            "start",
        )

    def stop_server(self) -> None:
        """Stop the server but keep its data (to test what happens while the database is down)."""
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def create_database(self, name: str) -> str:
        """Create a database and return its SQLAlchemy URL."""
        self._run(_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return self.url(name)

    def url(self, name: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        try:
            self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
