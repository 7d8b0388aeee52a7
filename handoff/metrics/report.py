"""The dashboard as plain text for a terminal (`python -m handoff report`).

Figures come with their previous-period value and the change; tables are aligned columns.
The KB gaps come from `handoff.kb_gaps` when it is installed (it is optional here).
"""

import dataclasses
import importlib
import logging
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from handoff.metrics.filters import DashboardFilters
from handoff.metrics.model import Cell, Dashboard, Figure, Table
from handoff.metrics.period import Period

logger = logging.getLogger(__name__)

MISSING = "–"
GAPS_MODULE = "handoff.kb_gaps"
GAPS_SHOWN = 10


@dataclasses.dataclass(frozen=True)
class GapsResult:
    """The KB gaps for the report, or why there are none to show."""

    clusters: list[Any]
    note: str | None = None


def find_gaps(
    session: Session, *, period: Period, filters: DashboardFilters, limit: int = GAPS_SHOWN
) -> GapsResult:
    """The top KB-gap clusters if `handoff.kb_gaps` is available; else a note saying so."""
    try:
        module = importlib.import_module(GAPS_MODULE)
    except ModuleNotFoundError as error:
        if error.name != GAPS_MODULE:
            raise
        return GapsResult([], f"KB gaps are not available: {GAPS_MODULE} is not installed.")
    finder = getattr(module, "find_gap_clusters", None)
    if finder is None:
        return GapsResult([], f"KB gaps are not available: {GAPS_MODULE} has no find_gap_clusters.")
    return GapsResult(list(finder(session, period=period, filters=filters, limit=limit)))


def format_value(value: float | int | None, unit: str) -> str:
    """A figure's value as people read it: 42.5 %, 1 h 05 min, 3.50, 12."""
    if value is None:
        return MISSING
    if unit == "ratio":
        return f"{value * 100:.1f} %"
    if unit == "minutes":
        return _duration(value * 60)
    if unit == "seconds":
        return _duration(value)
    if unit == "score":
        return f"{value:.2f}"
    return _number(value)


def _number(value: float, sign: str = "") -> str:
    """At most one decimal, none when it would be .0: 12, 3.5, 1,323."""
    text = f"{value:{sign},.1f}"
    return text[:-2] if text.endswith(".0") else text


def format_change(figure: Figure) -> str:
    """value − previous: percentage points for ratios, else the difference and its relative size."""
    change = figure.change
    if change is None or figure.previous is None:
        return MISSING
    if figure.unit == "ratio":
        return f"{change * 100:+.1f} pp"
    if figure.unit in ("minutes", "seconds"):
        text = ("+" if change >= 0 else "-") + format_value(abs(change), figure.unit)
    elif figure.unit == "score":
        text = f"{change:+.2f}"
    else:
        text = _number(change, "+")
    if figure.previous:
        text += f" ({change / figure.previous * 100:+.0f} %)"
    return text


def _duration(seconds: float) -> str:
    """12 s, 45 min, 3 h 05 min, 26 h 40 min (business hours do not fold into days)."""
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _is_ratio_column(name: str) -> bool:
    return name.startswith("Share") or name.endswith("compliance")


def format_cell(value: Cell, column: str) -> str:
    """One table cell: ratios as percentages, other numbers with at most one decimal."""
    if value is None:
        return MISSING
    if isinstance(value, str):
        return value
    if _is_ratio_column(column):
        return f"{value * 100:.1f} %"
    return _number(value)


def aligned(header: Sequence[str], rows: Sequence[Sequence[str]], *, numeric_from: int = 1) -> list[str]:
    """Rows as lines of aligned columns: the first columns to the left, numbers to the right."""
    widths = [max(len(str(line[i])) for line in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        parts = [cell.ljust(width) if i < numeric_from else cell.rjust(width)
                 for i, (cell, width) in enumerate(zip(cells, widths, strict=True))]
        return "  ".join(parts).rstrip()

    return [line(header), line(["-" * width for width in widths]), *[line(row) for row in rows]]


def _period_text(period: Period) -> str:
    def moment(at: datetime) -> str:
        return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M")

    return f"{moment(period.start)} to {moment(period.end)} UTC"


def _filters_text(filters: DashboardFilters, agent_label: str | None) -> str:
    parts = [f"channel {filters.channel}" if filters.channel else "",
             f"category {filters.category}" if filters.category else "",
             f"group {filters.group}" if filters.group else "",
             f"agent {agent_label or filters.agent_id}" if filters.agent_id is not None else ""]
    return ", ".join(part for part in parts if part) or "none"


def format_table(table: Table) -> list[str]:
    """A table's title and its aligned rows (or a note when it is empty)."""
    lines = [table.title]
    if not table.rows:
        return [*lines, "  (no data)"]
    rows = [[format_cell(cell, column) for cell, column in zip(row, table.columns, strict=True)]
            for row in table.rows]
    return [*lines, *("  " + line for line in aligned(table.columns, rows))]


def format_gaps(gaps: GapsResult) -> list[str]:
    """The KB gaps: size and trend, suggested title, nearest article, example questions."""
    lines = ["Top KB gaps (questions the bot could not answer, or whose answer didn't help)"]
    if gaps.note:
        return [*lines, f"  {gaps.note}"]
    if not gaps.clusters:
        return [*lines, "  (none in this period)"]
    for rank, cluster in enumerate(gaps.clusters, start=1):
        nearest = cluster.nearest_article_title or cluster.nearest_article_id or "no close article"
        score = f" ({cluster.nearest_score:.2f})" if cluster.nearest_score is not None else ""
        lines.append(f"  {rank}. {cluster.suggested_title}: {cluster.size} questions "
                     f"(previous period {cluster.previous_size}); nearest article: {nearest}{score}")
        lines.extend(f"       “{question}”" for question in cluster.representatives)
    return lines


def format_report(
    dashboard: Dashboard, *, gaps: GapsResult | None = None, agent_label: str | None = None
) -> str:
    """The whole dashboard as plain text."""
    period = dashboard.period
    lines = [
        f"Deskmate dashboard: {_period_text(period)}",
        f"Compared with: {_period_text(period.previous())}",
        f"Filters: {_filters_text(dashboard.filters, agent_label)}",
        "",
    ]
    rows = [[figure.label, format_value(figure.value, figure.unit),
             format_value(figure.previous, figure.unit), format_change(figure)]
            for figure in dashboard.figures]
    lines.extend(aligned(["Figure", "This period", "Previous", "Change"], rows))
    for table in dashboard.tables:
        lines.extend(["", *format_table(table)])
    if gaps is not None:
        lines.extend(["", *format_gaps(gaps)])
    lines.extend(["", "Definitions"])
    lines.extend(f"  {figure.label}: {figure.help}" for figure in dashboard.figures)
    return "\n".join(lines) + "\n"


def gaps_to_dict(gaps: GapsResult) -> dict[str, Any]:
    """The KB gaps for JSON output."""
    def plain(value: Any) -> Any:
        if isinstance(value, date | datetime):
            return value.isoformat()
        if isinstance(value, list | tuple):
            return [plain(item) for item in value]
        return value

    clusters = [{key: plain(value) for key, value in dataclasses.asdict(cluster).items()}
                for cluster in gaps.clusters]
    return {"clusters": clusters, "note": gaps.note}
