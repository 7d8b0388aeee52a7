"""Apply the Alembic migrations, so every start-up and every test runs on the real schema."""

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config

from handoff.settings import get_settings

logger = logging.getLogger(__name__)

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str | None = None) -> Config:
    """An Alembic configuration for our migrations and the given (or configured) database."""
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["database_url"] = database_url or get_settings().resolved_database_url()
    return config


def upgrade_database(database_url: str | None = None, *, seed: bool = True) -> None:
    """Bring the schema up to the newest revision and seed an empty help desk from its set-up file."""
    command.upgrade(alembic_config(database_url), "head")
    refresh_statistics(database_url)
    if seed:
        from handoff.db import session_scope  # noqa: PLC0415  (after the schema exists)
        from handoff.helpdesk_config import seed_defaults  # noqa: PLC0415

        with session_scope(database_url) as session:
            seed_defaults(session)


def refresh_statistics(database_url: str | None = None) -> None:
    """Give SQLite's query planner table statistics (PostgreSQL's autovacuum keeps its own).

    Without them SQLite guesses, and on a large history it picks the wrong index for the
    console's lists and the dashboard's period scans (measured: seconds instead of
    milliseconds). `analysis_limit` samples each index, so this takes milliseconds at any size.
    """
    from handoff.db import make_engine  # noqa: PLC0415

    engine = make_engine(database_url or get_settings().resolved_database_url())
    try:
        if engine.dialect.name != "sqlite":
            return
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA analysis_limit=400")
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
    finally:
        engine.dispose()
