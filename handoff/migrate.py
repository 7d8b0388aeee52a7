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
    if seed:
        from handoff.db import session_scope  # noqa: PLC0415  (after the schema exists)
        from handoff.helpdesk_config import seed_defaults  # noqa: PLC0415

        with session_scope(database_url) as session:
            seed_defaults(session)
