"""The gateway web app: widget API, agent API, health, demo page; started by uvicorn.

    uvicorn bot.app:create_app --factory
"""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import OperationalError

from bot import console, observability
from bot.channels.telegram_app import telegram_channel
from bot.channels.web import WebSender
from bot.conversation_flow import ConversationFlow
from bot.dashboard_cache import DashboardCache, DashboardWarmer
from bot.live import LiveHub
from bot.outbox_worker import OutboxWorker
from bot.rasa_client import RasaClient
from bot.routes import agent, dashboard_api, health, pages, queues, status_page, templates, tickets, widget
from bot.scheduler import SlaScheduler
from bot.settings import get_settings
from handoff import session_scope

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start the outbox worker, the SLA scheduler and channels with the app; stop them cleanly."""
    app.state.hub.bind(asyncio.get_running_loop())
    worker: OutboxWorker = app.state.outbox_worker
    task = asyncio.create_task(worker.run(), name="outbox-worker")
    scheduler: SlaScheduler = app.state.sla_scheduler
    scheduler_task = asyncio.create_task(scheduler.run(), name="sla-scheduler")
    warmer: DashboardWarmer = app.state.dashboard_warmer
    warmer_task = asyncio.create_task(warmer.run(), name="dashboard-warmer")
    if app.state.telegram:  # Telegram: polling and its own delivery worker (bot/channels/telegram_app.py)
        await app.state.telegram.start()
    try:
        yield
    finally:
        if app.state.telegram:
            await app.state.telegram.stop()
        worker.stop()
        scheduler.stop()
        warmer.stop()
        await asyncio.gather(task, scheduler_task, warmer_task)
        app.state.rasa.close()


async def database_unavailable(_request: Request, error: Exception) -> JSONResponse:
    """The database is down or locked: say so plainly instead of a bare 500."""
    logger.error("database unavailable: %s", error)
    return JSONResponse(
        status_code=503,
        content={"detail": "The service is temporarily unavailable. Please try again in a moment."},
    )


def create_app() -> FastAPI:
    """Build the gateway with its routers, the live hub, the bot client and the outbox worker."""
    settings = get_settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = FastAPI(
        title="Deskmate gateway",
        description="Widget API (what the chat widget uses) and agent API of the Deskmate support bot.",
        version="0.1.0",
        lifespan=lifespan,
    )
    hub = LiveHub()
    rasa = RasaClient(settings.rasa_url, settings.rasa_timeout_seconds)
    metrics = observability.GatewayMetrics()
    app.state.hub = hub
    app.state.rasa = rasa
    app.state.flow = ConversationFlow(rasa, hub, metrics)
    app.state.outbox_worker = OutboxWorker(
        [WebSender(hub)],
        poll_seconds=settings.outbox_poll_seconds,
        give_up_after=timedelta(seconds=settings.outbox_give_up_seconds),
        metrics=metrics,
    )
    app.state.sla_scheduler = SlaScheduler(settings.sla_check_seconds)
    app.state.dashboard_cache = DashboardCache(
        fresh_seconds=settings.dashboard_fresh_seconds,
        stale_seconds=settings.dashboard_stale_seconds,
        open_session=lambda: session_scope(read_only=True),
    )
    app.state.dashboard_warmer = DashboardWarmer(app.state.dashboard_cache, settings.dashboard_fresh_seconds)
    app.state.telegram = telegram_channel(settings, app.state.flow, hub, metrics)
    app.add_exception_handler(OperationalError, database_unavailable)
    # The widget is embedded on the team's own site, another origin; it sends no cookies.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.widget_allowed_origins,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", "X-Conversation-Token", "Last-Event-ID"],
    )
    app.include_router(widget.router)
    app.include_router(agent.router)
    app.include_router(tickets.router)
    app.include_router(queues.router)
    app.include_router(templates.router)
    app.include_router(dashboard_api.router)
    app.include_router(status_page.router)
    app.include_router(health.router)
    app.include_router(pages.router)
    console.install(app, settings)  # the agent console under /console (bot/console)
    observability.install(app, metrics)  # GET /metrics for Prometheus, request latencies
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
