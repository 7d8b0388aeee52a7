"""Settings of the help-desk core, read once from the environment.

Every process (gateway, action server, CLI) that touches tickets reads the same variables, so
the database URL and SLA targets are configured in one place: the environment or `.env`.
"""

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class HandoffSettings(BaseSettings):
    """Database and ticket policy settings (environment prefix `DESKMATE_`)."""

    model_config = SettingsConfigDict(env_prefix="DESKMATE_", env_file=".env", extra="ignore")

    var_dir: Path = REPO_ROOT / "var"
    database_url: str = ""
    rules_file: Path = Path(__file__).resolve().parent / "defaults" / "rules.yml"
    helpdesk_file: Path = Path(__file__).resolve().parent / "defaults" / "helpdesk.yml"
    # Signs customers' ticket status links; must be set to a long random value in production.
    secret_key: str = "development-only-secret-change-me"
    # Where customers reach the gateway (for links in messages); shared with the gateway's settings.
    public_url: str = ""
    # SLA targets in minutes by priority: first response and resolution.
    sla_first_response_minutes: dict[str, int] = {
        "urgent": 30,
        "high": 60,
        "normal": 240,
        "low": 480,
    }
    sla_resolution_minutes: dict[str, int] = {
        "urgent": 240,
        "high": 480,
        "normal": 1440,
        "low": 4320,
    }

    def resolved_database_url(self) -> str:
        """The configured URL, or the embedded SQLite file under `var/`."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.var_dir / 'deskmate.db'}"


@lru_cache
def get_settings() -> HandoffSettings:
    """Settings for this process (cached: the environment is read once)."""
    return HandoffSettings()
