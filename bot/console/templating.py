"""The console's Jinja environment: autoescaping everywhere, a few display filters, page rendering.

Everything customers, agents or the knowledge base wrote reaches templates as plain strings and
is escaped by Jinja; no template marks user content as safe. Links from the knowledge base go
through `safe_url`, so only http(s) addresses ever land in an href.
"""

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from handoff import STATE_LABELS

PACKAGE_DIR = Path(__file__).resolve().parent.parent
TEMPLATE_DIR = PACKAGE_DIR / "templates" / "console"
STATIC_DIR = PACKAGE_DIR / "static"
ASSETS = ("console/console.css", "console/console.js", "vendor/htmx.min.js")


def safe_url(value: object) -> str:
    """The address if it is http(s) or a local path; otherwise nothing (no javascript: links)."""
    url = str(value or "").strip()
    if url.startswith("/") and not url.startswith("//"):
        return url
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else ""


def format_time(value: datetime | None) -> str:
    """A UTC time as 2026-05-04 14:05 UTC (the browser shows it in local time)."""
    if value is None:
        return ""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def iso_time(value: datetime | None) -> str:
    return value.astimezone(UTC).isoformat() if value is not None else ""


def state_label(state: str) -> str:
    return STATE_LABELS.get(state, state.replace("_", " ").capitalize())


def _asset_version() -> str:
    digest = hashlib.sha256()
    for name in ASSETS:
        path = STATIC_DIR / name
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def build_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["safe_url"] = safe_url
    env.filters["time"] = format_time
    env.filters["iso"] = iso_time
    env.filters["state_label"] = state_label
    env.globals["asset_version"] = _asset_version()
    return env


environment = build_environment()


def render_fragment(name: str, **context: Any) -> str:
    """A template rendered to a string (live-stream fragments, partial responses)."""
    return environment.get_template(name).render(**context)


def render_page(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """A console page or fragment with the signed-in agent and the CSRF token filled in."""
    values: dict[str, Any] = {
        "request": request,
        "agent": getattr(request.state, "console_viewer", None),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "is_htmx": request.headers.get("HX-Request") == "true",
    }
    values.update(context or {})
    html = environment.get_template(name).render(**values)
    return HTMLResponse(html, status_code=status_code, headers=headers)
