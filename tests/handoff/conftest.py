"""Fixtures for the help-desk tests that need a database of their own (migrations move its schema)."""

import itertools
from pathlib import Path

import pytest

from tests.utils.postgres import PostgresServer

_names = itertools.count()


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of its own, on SQLite and on the suite's PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'fresh.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database(f"fresh_{next(_names)}")
