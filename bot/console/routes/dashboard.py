"""The lead dashboard: figures against the previous period, charts with their tables, CSV, KB gaps.

Leads and admins only (agents get the 403 page). The figures come from `handoff.metrics`, the
KB gaps from `handoff.kb_gaps`; both are read through a read-only session. The KB gaps load
after the page (htmx), so clustering never holds up the figures; without JavaScript a link
opens them as a page of their own.
"""

import hashlib
import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.console.auth import ConsoleRefusal, LeadAgent, check_csrf, not_found
from bot.console.dashboard_view import (
    PartitionView,
    gap_view,
    partition_view,
    section_views,
    table_csv,
    with_params,
)
from bot.console.templating import STATIC_DIR, render_page
from bot.dashboard_request import (
    CHANNELS,
    PRESET_DAYS,
    DashboardQuery,
    DashboardQueryError,
    build_query,
    categories,
    parse_date,
    parse_int,
)
from bot.deps import DashboardCacheDep, SessionDep
from bot.read_session import ReadSessionDep
from handoff import Agent
from handoff.kb_gap_articles import indexed_articles
from handoff.kb_gaps import find_gap_report, mark_cluster_handled
from handoff.models import SkillGroup

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/console/dashboard", include_in_schema=False, dependencies=[Depends(check_csrf)])

PAGE = "/console/dashboard"
GAP_LIMIT = 20
QUERY_FIELDS = ("days", "from", "to", "channel", "category", "group", "agent")
DASH = "\N{EN DASH}"
ASSETS = ("console/dashboard.css", "console/dashboard.js", "vendor/chart.umd.min.js")


def _assets_version() -> str:
    digest = hashlib.sha256()
    for name in ASSETS:
        path = STATIC_DIR / name
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


ASSETS_VERSION = _assets_version()


def console_query(session: Session, params: Mapping[str, str]) -> DashboardQuery:
    """The period and filters from the page's form or a link; a 422 page says what is wrong.

    The form sends days=custom with the two dates; any other days value ignores the dates
    (the date fields keep their last values when a preset is picked again).
    """
    values = {name: params.get(name, "")[:40] for name in QUERY_FIELDS}
    try:
        custom = values["days"] == "custom" or (not values["days"] and bool(values["from"] or values["to"]))
        return build_query(
            session,
            days=None if custom else parse_int(values["days"], "number of days"),
            first=parse_date(values["from"], "start") if custom else None,
            last=parse_date(values["to"], "end") if custom else None,
            channel=values["channel"],
            category=values["category"],
            group=values["group"],
            agent_id=parse_int(values["agent"], "agent"),
        )
    except DashboardQueryError as error:
        raise ConsoleRefusal(422, "Invalid input", str(error)) from error


def _release_write_lock(session: Session) -> None:
    """End the sign-in check's transaction: on SQLite it holds the write lock until committed."""
    session.commit()


def _span_text(start: datetime, end: datetime, *, whole_days: bool) -> str:
    """A period in words: whole UTC days (inclusive), or a rolling window to the minute."""
    if whole_days:
        return f"{start:%d %b %Y} {DASH} {end - timedelta(microseconds=1):%d %b %Y} (UTC days)"
    return f"{start:%d %b %Y %H:%M} {DASH} {end:%d %b %Y %H:%M} UTC"


def _period_texts(query: DashboardQuery) -> tuple[str, str]:
    """The period and the one it is compared with."""
    whole_days = query.days is None
    previous = query.period.previous()
    return (
        _span_text(query.period.start, query.period.end, whole_days=whole_days),
        _span_text(previous.start, previous.end, whole_days=whole_days),
    )


def _generated_text(generated_at: datetime) -> str:
    """When the figures were built, as the page shows it: "2026-11-23 07:31 UTC"."""
    return generated_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _filter_choices(session: Session) -> dict[str, object]:
    return {
        "channels": CHANNELS,
        "categories": categories(),
        "groups": list(session.scalars(select(SkillGroup.name).order_by(SkillGroup.name))),
        "agents": list(
            session.execute(select(Agent.id, Agent.display_name).order_by(Agent.display_name)).tuples()
        ),
        "presets": PRESET_DAYS,
    }


@router.get("")
def read_dashboard(
    request: Request, session: SessionDep, read_session: ReadSessionDep, _lead: LeadAgent,
    cache: DashboardCacheDep,
) -> Response:
    """Every figure for the chosen period and filters, against the period before."""
    _release_write_lock(session)
    query = console_query(read_session, request.query_params)
    dashboard = cache.dashboard(read_session, query, fresh=request.query_params.get("fresh") == "1")
    params = query.params()
    partition: PartitionView | None = None
    if any(table.key == "bot_outcomes" for table in dashboard.tables):
        partition = partition_view(dashboard.table("bot_outcomes"))
    period_text, previous_text = _period_texts(query)
    handled = parse_int_or_none(request.query_params.get("handled", ""))
    return render_page(
        request,
        "dashboard.html",
        {
            "active_page": "dashboard",
            "query": query,
            "params": params,
            "sections": section_views(dashboard, lambda key: with_params(f"{PAGE}/export/{key}.csv", params)),
            "partition": partition,
            "period_text": period_text,
            "previous_text": previous_text,
            "gaps_url": with_params(f"{PAGE}/gaps", params),
            "generated_text": _generated_text(dashboard.generated_at),
            "refresh_url": with_params(PAGE, {**params, "fresh": "1"}),
            "notice": f"Marked {handled} question{'s' if handled != 1 else ''} as handled."
            if handled is not None
            else "",
            "dashboard_assets": ASSETS_VERSION,
            **_filter_choices(read_session),
        },
    )


def parse_int_or_none(text: str) -> int | None:
    try:
        return parse_int(text, "count")
    except DashboardQueryError:
        return None


@router.get("/export/{table_key}.csv")
def export_table(
    request: Request, table_key: str, session: SessionDep, read_session: ReadSessionDep, _lead: LeadAgent,
    cache: DashboardCacheDep,
) -> Response:
    """One table of the dashboard as CSV, for the same period and filters as the page."""
    _release_write_lock(session)
    query = console_query(read_session, request.query_params)
    dashboard = cache.dashboard(read_session, query)
    try:
        table = dashboard.table(table_key)
    except KeyError:
        raise not_found(f"The dashboard has no table {table_key[:64]!r}.") from None
    filename = f"deskmate-{table.key}-{query.file_label()}.csv"
    return Response(
        table_csv(table).encode("utf-8-sig"),  # the byte-order mark makes spreadsheets read UTF-8
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/gaps")
def read_gaps(
    request: Request, session: SessionDep, read_session: ReadSessionDep, _lead: LeadAgent
) -> Response:
    """The KB-gap clusters of the period: the list for the dashboard (htmx) or a page of its own."""
    _release_write_lock(session)
    query = console_query(read_session, request.query_params)
    report = find_gap_report(read_session, period=query.period, filters=query.filters)
    article_urls = {article_id: article.url for article_id, article in indexed_articles().by_id.items()}
    context = {
        "active_page": "dashboard",
        "gaps": [gap_view(cluster, article_urls) for cluster in report.clusters[:GAP_LIMIT]],
        "gap_questions": report.questions,
        "gap_clusters": len(report.clusters),
        "other_questions": report.other_questions,
        "skipped_questions": report.skipped_questions,
        "query": query,
        "params": query.params(),
        "dashboard_url": with_params(PAGE, query.params()),
        "dashboard_assets": ASSETS_VERSION,
    }
    if request.headers.get("HX-Request") == "true":
        return render_page(request, "_dashboard_gaps.html", context)
    return render_page(request, "dashboard_gaps.html", context)


FormText = Annotated[str, Form(max_length=64)]


@router.post("/gaps/{key}/handled")
def mark_gap_handled(
    *,
    key: str,
    session: SessionDep,
    lead: LeadAgent,
    days: FormText = "",
    date_from: Annotated[str, Form(alias="from", max_length=64)] = "",
    date_to: Annotated[str, Form(alias="to", max_length=64)] = "",
    channel: FormText = "",
    category: FormText = "",
    group: FormText = "",
    agent: FormText = "",
) -> Response:
    """Mark a cluster's questions as handled (an article was written or the topic dismissed).

    The form carries the page's period and filters: a cluster is a cluster of those questions.
    """
    query = console_query(
        session,
        {
            "days": days,
            "from": date_from,
            "to": date_to,
            "channel": channel,
            "category": category,
            "group": group,
            "agent": agent,
        },
    )
    try:
        count = mark_cluster_handled(
            session, period=query.period, filters=query.filters, key=key[:128], agent=lead
        )
    except KeyError:
        session.rollback()
        raise not_found("That KB gap is no longer in this period's list; reload the dashboard.") from None
    session.commit()
    logger.info("agent %s marked KB gap %s handled (%s questions)", lead.id, key, count)
    target = with_params(PAGE, {**query.params(), "handled": str(count)})
    return RedirectResponse(f"{target}#kb-gaps", status_code=303)
