"""The lead dashboard as JSON: every figure and table, one at a time or all at once, and the KB gaps.

Same figures, periods, filters and refusals as the console page (`bot.dashboard_request`), for
scripts and other tools. Leads and admins only, with the agent API's bearer token; agents get
403, a bad period or filter 422 with a sentence saying what to change.
"""

import logging
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from bot.dashboard_cache import DashboardCache
from bot.dashboard_request import MAX_DAYS, DashboardQuery, DashboardQueryError, build_query
from bot.deps import CurrentLead, DashboardCacheDep, SessionDep
from bot.read_session import ReadSessionDep
from handoff.kb_gaps import GapCluster, find_gap_report, mark_cluster_handled
from handoff.metrics import FIGURE_KEYS, TABLE_KEYS

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api/dashboard", tags=["dashboard"])

FigureKey = StrEnum("FigureKey", {key: key for key in FIGURE_KEYS})  # type: ignore[misc]
TableKey = StrEnum("TableKey", {key: key for key in TABLE_KEYS})  # type: ignore[misc]
Number = float | int | None
Cell = str | int | float | None


class PeriodPublic(BaseModel):
    """A half-open period [start, end) in UTC."""

    start: datetime
    end: datetime


class FiltersPublic(BaseModel):
    """The filters every figure honours; empty means not filtered."""

    channel: str = Field(description="the customer's channel: web or telegram")
    category: str = Field(description="the ticket category")
    group: str = Field(description="the skill group's name")
    agent_id: int | None = Field(description="the assigned agent's id")


class FigurePublic(BaseModel):
    """One figure for the period, the same figure for the period before, and what it means."""

    key: str = Field(description="stable machine name: " + ", ".join(FIGURE_KEYS))
    label: str = Field(description="the figure's name as the dashboard shows it")
    value: Number = Field(
        description="null when there was nothing to measure in the period (never 0 for that)"
    )
    previous: Number = Field(description="the same figure for the period of the same length just before")
    change: Number = Field(description="value - previous, null if either is null")
    unit: str = Field(
        description="ratio (0..1), count, minutes (business minutes of the SLA calendar), "
        "seconds (wall clock) or score (CSAT 1..5)"
    )
    help: str = Field(description="the definition in one sentence")


class TablePublic(BaseModel):
    """The rows behind one chart of the dashboard."""

    key: str = Field(description="stable machine name: " + ", ".join(TABLE_KEYS))
    title: str
    columns: list[str]
    rows: list[list[Cell]] = Field(description="one list per row, in the order of `columns`; shares are 0..1")
    chart: str | None = Field(description="bar, line, stacked_bar, pie, or null for a plain table")
    label_column: int = Field(description="the column that names each row")
    value_columns: list[int] = Field(description="the columns the chart draws")


class DashboardPublic(BaseModel):
    """Every figure and table for one period and one set of filters."""

    period: PeriodPublic
    previous_period: PeriodPublic
    filters: FiltersPublic
    generated_at: datetime
    figures: list[FigurePublic]
    tables: list[TablePublic]


class FigureResponse(BaseModel):
    period: PeriodPublic
    previous_period: PeriodPublic
    filters: FiltersPublic
    figure: FigurePublic


class TableResponse(BaseModel):
    period: PeriodPublic
    filters: FiltersPublic
    table: TablePublic


class WeekCount(BaseModel):
    week: date = Field(description="the Monday of the ISO week")
    questions: int


class GapClusterPublic(BaseModel):
    """Questions the bot could not answer (or that got "didn't help"), grouped by meaning."""

    key: str = Field(description="stable for the same set of questions; used to mark the gap handled")
    size: int = Field(description="questions in the period")
    previous_size: int = Field(description="questions of the same topic in the previous period (the trend)")
    weekly: list[WeekCount]
    representatives: list[str] = Field(
        description="up to 3 of the most typical questions, as customers typed them"
    )
    nearest_article_id: str | None
    nearest_article_title: str | None
    nearest_score: float | None = Field(description="similarity of the nearest existing article (0..1)")
    suggested_title: str = Field(description="a title for the article to write")
    query_ids: list[int] = Field(description="ids of the knowledge-base questions in the cluster")


class GapsPublic(BaseModel):
    period: PeriodPublic
    filters: FiltersPublic
    data: list[GapClusterPublic]
    count: int
    questions: int = Field(description="gap questions of the period placed by meaning (in a gap or not)")
    clusters: int = Field(description="gaps found in the period (data holds the largest `limit` of them)")
    other_questions: int = Field(
        description="gap questions in no gap: asked once, or rephrased within one conversation only"
    )
    skipped_questions: int = Field(
        description="gap questions recorded without an embedding, left out until "
        "`python -m handoff embed-gap-questions` embeds them"
    )


class GapHandledPublic(BaseModel):
    key: str
    marked: int = Field(description="how many questions were marked handled")


def dashboard_query(
    session: ReadSessionDep,
    *,
    days: Annotated[
        int | None, Query(ge=1, le=MAX_DAYS, description="the last N days up to now (default 30)")
    ] = None,
    date_from: Annotated[
        date | None, Query(alias="from", description="first UTC day of a custom period")
    ] = None,
    date_to: Annotated[
        date | None, Query(alias="to", description="last UTC day of a custom period (included)")
    ] = None,
    channel: Annotated[str, Query(max_length=32, description="web or telegram")] = "",
    category: Annotated[str, Query(max_length=64, description="a ticket category of the rules")] = "",
    group: Annotated[str, Query(max_length=64, description="a skill group's name")] = "",
    agent: Annotated[int | None, Query(ge=1, description="an agent's id")] = None,
) -> DashboardQuery:
    """The period and filters of the request; 422 with the reason when they cannot be answered."""
    try:
        return build_query(
            session,
            days=days,
            first=date_from,
            last=date_to,
            channel=channel,
            category=category,
            group=group,
            agent_id=agent,
        )
    except DashboardQueryError as error:
        raise HTTPException(status_code=422, detail=str(error)) from error


QueryDep = Annotated[DashboardQuery, Depends(dashboard_query)]


def _release_write_lock(session: Session) -> None:
    """End the token check's transaction: on SQLite it holds the write lock until committed."""
    session.commit()


FreshParam = Annotated[
    bool,
    Query(description="build the figures now; by default a build up to a minute old is served "
                      "(its time is `generated_at`) and rebuilt in the background"),
]


def _dashboard(cache: DashboardCache, session: Session, query: DashboardQuery, fresh: bool) -> dict[str, Any]:
    return cache.dashboard(session, query, fresh=fresh).to_dict()


@router.get("", response_model=DashboardPublic)
def read_dashboard(
    _lead: CurrentLead, session: SessionDep, read_session: ReadSessionDep, query: QueryDep,
    cache: DashboardCacheDep, fresh: FreshParam = False,
) -> DashboardPublic:
    """Every figure (with the previous period's value) and every table of the lead dashboard."""
    _release_write_lock(session)
    return DashboardPublic.model_validate(_dashboard(cache, read_session, query, fresh))


@router.get("/figures/{key}", response_model=FigureResponse)
def read_figure(
    key: FigureKey, _lead: CurrentLead, session: SessionDep, read_session: ReadSessionDep, query: QueryDep,
    cache: DashboardCacheDep, fresh: FreshParam = False,
) -> FigureResponse:
    """One figure, with its value for the previous period and its definition."""
    _release_write_lock(session)
    data = _dashboard(cache, read_session, query, fresh)
    figure = next(item for item in data["figures"] if item["key"] == key.value)
    return FigureResponse.model_validate({**data, "figure": figure})


@router.get("/tables/{key}", response_model=TableResponse)
def read_table(
    key: TableKey, _lead: CurrentLead, session: SessionDep, read_session: ReadSessionDep, query: QueryDep,
    cache: DashboardCacheDep, fresh: FreshParam = False,
) -> TableResponse:
    """One table (the rows behind a chart; the console exports the same rows as CSV)."""
    _release_write_lock(session)
    data = _dashboard(cache, read_session, query, fresh)
    table = next(item for item in data["tables"] if item["key"] == key.value)
    return TableResponse.model_validate({**data, "table": table})


def _gap_public(cluster: GapCluster) -> GapClusterPublic:
    return GapClusterPublic(
        key=cluster.key,
        size=cluster.size,
        previous_size=cluster.previous_size,
        weekly=[WeekCount(week=week, questions=count) for week, count in cluster.weekly],
        representatives=list(cluster.representatives),
        nearest_article_id=cluster.nearest_article_id,
        nearest_article_title=cluster.nearest_article_title,
        nearest_score=cluster.nearest_score,
        suggested_title=cluster.suggested_title,
        query_ids=list(cluster.query_ids),
    )


@router.get("/gaps", response_model=GapsPublic)
def read_gaps(
    _lead: CurrentLead,
    session: SessionDep,
    read_session: ReadSessionDep,
    query: QueryDep,
    limit: Annotated[int, Query(ge=1, le=100, description="at most this many gaps, largest first")] = 20,
) -> GapsPublic:
    """The KB gaps of the period: what the bot could not answer, grouped by meaning, largest first."""
    _release_write_lock(session)
    report = find_gap_report(read_session, period=query.period, filters=query.filters)
    clusters = report.clusters[:limit]
    return GapsPublic(
        period=PeriodPublic.model_validate(query.period.to_dict()),
        filters=FiltersPublic.model_validate(query.filters.to_dict()),
        data=[_gap_public(cluster) for cluster in clusters],
        count=len(clusters),
        questions=report.questions,
        clusters=len(report.clusters),
        other_questions=report.other_questions,
        skipped_questions=report.skipped_questions,
    )


@router.post("/gaps/{key}/handled", response_model=GapHandledPublic)
def mark_gap_handled(key: str, lead: CurrentLead, session: SessionDep, query: QueryDep) -> GapHandledPublic:
    """Mark a gap's questions handled (for the same period and filters it was listed with); 404 if unknown."""
    try:
        marked = mark_cluster_handled(
            session, period=query.period, filters=query.filters, key=key, agent=lead
        )
    except KeyError:
        session.rollback()
        raise HTTPException(
            status_code=404, detail=f"No KB gap {key[:64]!r} in this period and these filters"
        ) from None
    session.commit()
    logger.info("agent %s marked KB gap %s handled (%s questions) through the API", lead.id, key, marked)
    return GapHandledPublic(key=key, marked=marked)
