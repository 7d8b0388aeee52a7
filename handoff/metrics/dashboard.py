"""Builds the whole dashboard: every section for one period and one set of filters."""

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from handoff.metrics import backlog, bot_outcomes, load, satisfaction, sla, timing, volume
from handoff.metrics.filters import DashboardFilters
from handoff.metrics.model import Dashboard, Figure, Table
from handoff.metrics.period import Period
from handoff.metrics.sql import prepare_for_aggregates
from handoff.models import utcnow

logger = logging.getLogger(__name__)

SECTIONS = (bot_outcomes, volume, backlog, timing, sla, satisfaction, load)
FIGURE_KEYS = (
    "bot_conversations", "deflection_rate", "confirmed_deflection_rate", "handed_off_rate",
    "abandoned_rate", "handoffs", "tickets_created", "backlog_now", "frt_median", "frt_p90",
    "resolution_median", "resolution_p90", "bot_time_median", "sla_first_response_compliance",
    "sla_resolution_compliance", "at_risk_now", "breached_now", "csat_average", "csat_response_rate",
    "reopen_rate", "escalation_rate",
)
TABLE_KEYS = (
    "bot_outcomes", "handoffs_by_reason", "volume_by_day", "volume_by_category", "backlog_by_day",
    "backlog_age", "response_times", "sla_compliance", "csat_distribution", "escalation_by_tier",
    "agent_load", "group_load",
)


def build_dashboard(session: Session, *, period: Period, filters: DashboardFilters,
                    now: datetime | None = None) -> Dashboard:
    """Every figure (with its value for the previous period) and every table, in a fixed order."""
    now = now or utcnow()
    prepare_for_aggregates(session)
    figures: dict[str, Figure] = {}
    tables: dict[str, Table] = {}
    for section in SECTIONS:
        part = section.build(session, period=period, filters=filters, now=now)
        figures.update((figure.key, figure) for figure in part.figures)
        tables.update((table.key, table) for table in part.tables)
    return Dashboard(period=period, filters=filters, generated_at=now,
                     figures=[figures[key] for key in FIGURE_KEYS],
                     tables=[tables[key] for key in TABLE_KEYS])
