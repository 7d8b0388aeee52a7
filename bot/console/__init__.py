"""The agent console: server-rendered pages (Jinja2 and htmx) on the help-desk core.

`install(app)` adds its routers, error pages, security headers and per-process state.
"""

from fastapi import FastAPI

from bot.console.errors import install_error_handlers
from bot.console.headers import ConsoleHeadersMiddleware
from bot.console.presence import TypingBoard
from bot.console.routes import admin, admin_content, board, dashboard, live, login, ticket, tickets
from bot.console.throttle import LoginThrottle
from bot.settings import Settings


def install(app: FastAPI, settings: Settings) -> None:
    """Mount the console on the gateway."""
    window = settings.console_login_window_seconds
    app.state.console_login_by_email = LoginThrottle(
        limit=settings.console_login_max_failures, window_seconds=window
    )
    app.state.console_login_by_address = LoginThrottle(
        limit=settings.console_login_ip_max_failures, window_seconds=window
    )
    app.state.console_typing = TypingBoard()
    install_error_handlers(app)
    app.add_middleware(ConsoleHeadersMiddleware)
    for module in (login, tickets, live, ticket, board, admin, admin_content, dashboard):
        app.include_router(module.router)
