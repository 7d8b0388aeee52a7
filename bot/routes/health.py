"""Health: is the gateway up, can it reach the database, Rasa and the action server."""

import asyncio
import logging

import httpx
from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy import text

from handoff import pending_count, session_scope

from bot.deps import SettingsDep

logger = logging.getLogger(__name__)

router = APIRouter(tags=["health"])


def _database_check() -> dict[str, object]:
    try:
        with session_scope(read_only=True) as session:
            session.execute(text("SELECT 1"))
            return {"ok": True, "outbox_pending": pending_count(session)}
    except Exception as error:  # any failure means "down"; the detail says why
        return {"ok": False, "error": str(error)[:200]}


async def _http_check(client: httpx.AsyncClient, url: str) -> dict[str, object]:
    try:
        response = await client.get(url)
        return {"ok": response.status_code == 200}
    except httpx.HTTPError as error:
        return {"ok": False, "error": str(error)[:200] or type(error).__name__}


@router.get("/health")
async def read_health(settings: SettingsDep) -> JSONResponse:
    """200 when the gateway and its database work; the other parts are reported alongside."""
    database = await run_in_threadpool(_database_check)
    async with httpx.AsyncClient(timeout=1.0) as client:
        rasa, actions = await asyncio.gather(
            _http_check(client, settings.rasa_url.rstrip("/") + "/"),
            _http_check(client, settings.action_server_url.rstrip("/") + "/health"),
        )
    healthy = bool(database["ok"])
    body = {
        "status": "ok" if healthy and rasa["ok"] and actions["ok"] else ("degraded" if healthy else "down"),
        "database": database,
        "rasa": rasa,
        "action_server": actions,
    }
    return JSONResponse(body, status_code=200 if healthy else 503)
