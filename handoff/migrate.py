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


def upgrade_database(database_url: str | None = None) -> None:
    """Bring the database schema up to the newest revision."""
    command.upgrade(alembic_config(database_url), "head")
