"""The actions write to the database through their own sessions: give them a file of their own."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from handoff.migrate import upgrade_database
from handoff.settings import get_settings


@pytest.fixture(scope="session")
def actions_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated SQLite file for the action server's sessions (they commit)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('actions') / 'actions.db'}"
    upgrade_database(url)
    return url


@pytest.fixture(autouse=True)
def action_server_database(actions_database: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Every action test runs against `actions_database`, never the product's own file."""
    monkeypatch.setenv("DESKMATE_DATABASE_URL", actions_database)
    get_settings.cache_clear()
    yield actions_database
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def kb_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The six fixture articles of the kb_index tests, ingested once."""
    from kb_index import ingest  # noqa: PLC0415  (loads the embedding model)

    index_dir = tmp_path_factory.mktemp("kb-index")
    ingest([Path(__file__).parent.parent / "kb_index" / "fixtures" / "kb"], index_dir)
    return index_dir
