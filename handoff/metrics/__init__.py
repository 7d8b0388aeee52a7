"""The lead dashboard's figures: deflection, volume, backlog, response times, SLA, CSAT, load.

Every figure is an aggregate computed in SQL (SQLite and PostgreSQL) over one period, with the
same figure for the period before, and honours the same four filters. The console page, its
CSV exports, the JSON API and `python -m handoff report` all use `build_dashboard`.
"""

from handoff.metrics.dashboard import FIGURE_KEYS, TABLE_KEYS, build_dashboard
from handoff.metrics.filters import DashboardFilters
from handoff.metrics.model import Dashboard, Figure, Table
from handoff.metrics.period import Period, parse_since

__all__ = [
    "FIGURE_KEYS", "TABLE_KEYS", "Dashboard", "DashboardFilters", "Figure", "Period", "Table",
    "build_dashboard", "parse_since",
]
