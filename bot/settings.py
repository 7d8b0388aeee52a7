"""Gateway settings, read once from the environment (prefix `DESKMATE_`) or `.env`."""

from functools import lru_cache
from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Everything the gateway and `python -m bot run` can be told."""

    model_config = SettingsConfigDict(env_prefix="DESKMATE_", env_file=".env", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    # The address customers' browsers use to reach the gateway (for the demo page's script tag).
    public_url: str = ""
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_port: int = 5005
    action_server_url: str = "http://127.0.0.1:5055"
    action_server_port: int = 5055
    # How long a customer waits for the bot before we apologise and hand off.
    rasa_timeout_seconds: float = 15.0
    max_message_chars: int = 2000
    var_dir: Path = REPO_ROOT / "var"
    # How long a delivery is retried before the reply is marked undelivered.
    outbox_give_up_seconds: float = 3600.0
    outbox_poll_seconds: float = 0.5
    # How often SLA states, time-based escalation and auto-close are checked.
    sla_check_seconds: float = 30.0
    # Lead dashboard (bot/dashboard_cache.py): a view's build is served for this long, then
    # rebuilt in the background; one not asked for within the second number is built on request.
    # 0 turns the cache off (every request builds).
    dashboard_fresh_seconds: float = 60.0
    dashboard_stale_seconds: float = 900.0
    # Prometheus: when set, /metrics answers only a scraper sending it as a bearer token.
    metrics_token: SecretStr = SecretStr("")
    log_level: str = "INFO"
    # Sites allowed to embed the widget (CORS); "*" lets any site talk to the widget API.
    widget_allowed_origins: list[str] = ["*"]
    # Telegram channel (docs/telegram.md): off while the token is empty.
    telegram_bot_token: SecretStr = SecretStr("")
    # The Bot API server; a self-hosted one, or a stand-in in the tests. The file URL is derived.
    telegram_base_url: str = "https://api.telegram.org/bot"
    # Long-polling wait per getUpdates call, and how long a reply is retried before it is failed.
    telegram_poll_timeout: float = 25.0
    telegram_give_up_seconds: float = 3600.0
    # Agent console (bot/console): how long a sign-in lasts, and the lockout after failed sign-ins.
    console_session_hours: float = 12.0
    console_login_max_failures: int = 5
    console_login_ip_max_failures: int = 30
    console_login_window_seconds: float = 900.0
    # Send the console's cookie only over HTTPS; on by default when public_url is https.
    console_secure_cookie: bool | None = None

    def base_url(self) -> str:
        """The public base URL, or the local one."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")


@lru_cache
def get_settings() -> Settings:
    """Settings for this process (the environment is read once)."""
    return Settings()
