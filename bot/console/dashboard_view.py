"""View models of the lead dashboard: figures in words, tables with their charts, KB gaps, CSV.

Pure functions over `handoff.metrics` and `handoff.kb_gaps` objects, so they are tested
without a server. A figure without data is shown as a dash with a hint, never as 0; every change
is told in words and with an arrow, never by colour alone. Text stays plain here (customers'
questions included); the templates escape it.
"""

import csv
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from handoff.kb_gaps import GapCluster
from handoff.metrics import Dashboard, Figure, Table

NO_DATA = "\N{EN DASH}"
NO_DATA_HINT = "No data for this period and these filters."
# Cells a spreadsheet would run as a formula (OWASP "CSV injection"): quoted with a leading '.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Table columns are told apart by their headings: shares (0..1) and business-minute durations.
PERCENT_COLUMN = re.compile(r"\b(share|rate|compliance)\b|%", re.IGNORECASE)
MINUTES_COLUMN = re.compile(r"\b(median|p90|business min)\b", re.IGNORECASE)


@dataclass(frozen=True)
class SectionSpec:
    """A part of the page: a heading, its figures and its tables (by key)."""

    title: str
    figures: tuple[str, ...]
    tables: tuple[str, ...]


SECTIONS = (
    SectionSpec(
        "The bot",
        (
            "bot_conversations",
            "deflection_rate",
            "confirmed_deflection_rate",
            "handed_off_rate",
            "abandoned_rate",
            "handoffs",
            "bot_time_median",
        ),
        ("bot_outcomes", "handoffs_by_reason"),
    ),
    SectionSpec(
        "Volume and backlog",
        ("tickets_created", "backlog_now"),
        ("volume_by_day", "volume_by_category", "backlog_by_day", "backlog_age"),
    ),
    SectionSpec(
        "Response times and SLA",
        (
            "frt_median",
            "frt_p90",
            "resolution_median",
            "resolution_p90",
            "sla_first_response_compliance",
            "sla_resolution_compliance",
            "at_risk_now",
            "breached_now",
        ),
        ("response_times", "sla_compliance"),
    ),
    SectionSpec(
        "Satisfaction and quality",
        ("csat_average", "csat_response_rate", "reopen_rate", "escalation_rate"),
        ("csat_distribution", "escalation_by_tier"),
    ),
    SectionSpec("Team", (), ("agent_load", "group_load")),
)
# Which way is good, for the words next to a change; figures not named here are neutral.
BETTER_WHEN_HIGHER = frozenset(
    {
        "deflection_rate",
        "confirmed_deflection_rate",
        "sla_first_response_compliance",
        "sla_resolution_compliance",
        "csat_average",
        "csat_response_rate",
    }
)
BETTER_WHEN_LOWER = frozenset(
    {
        "handed_off_rate",
        "abandoned_rate",
        "backlog_now",
        "frt_median",
        "frt_p90",
        "resolution_median",
        "resolution_p90",
        "at_risk_now",
        "breached_now",
        "reopen_rate",
        "escalation_rate",
    }
)


def format_minutes(minutes: float) -> str:
    """Business minutes as people read them: 45 min, 3h 05m."""
    if minutes < 60:
        return f"{minutes:.1f} min" if minutes < 10 and minutes != int(minutes) else f"{minutes:.0f} min"
    hours, rest = divmod(round(minutes), 60)
    return f"{hours}h {rest:02d}m"


def format_seconds(seconds: float) -> str:
    """Wall-clock seconds: 42 s, 3m 20s, 1h 05m."""
    if seconds < 60:
        return f"{seconds:.0f} s"
    whole = round(seconds)
    if whole < 3600:
        return f"{whole // 60}m {whole % 60:02d}s"
    return f"{whole // 3600}h {(whole % 3600) // 60:02d}m"


def format_value(value: float | int | None, unit: str) -> str:
    """A figure's value in its unit; a dash when there is none."""
    if value is None:
        return NO_DATA
    if unit == "ratio":
        return f"{value * 100:.1f} %"
    if unit == "count":
        return f"{round(value):,}"
    if unit == "minutes":
        return format_minutes(value)
    if unit == "seconds":
        return format_seconds(value)
    return f"{value:.2f}"


# Decimals a difference is shown with, per unit: a smaller one reads as "no change".
DIFFERENCE_DECIMALS = {"ratio": 3, "count": 0, "minutes": 1, "seconds": 0, "score": 2}


def _format_difference(difference: float, unit: str) -> str:
    if unit == "ratio":
        return f"{difference * 100:.1f} points"
    return format_value(difference, unit)


@dataclass(frozen=True)
class ChangeView:
    """How a figure moved since the previous period: arrow, words and whether that is good."""

    arrow: str  # ▲ ▼ = or "" when there is nothing to compare
    direction: str  # up | down | same | none
    text: str
    judgement: str = ""  # better | worse | ""


def change_view(figure: Figure) -> ChangeView:
    """The change of a figure against the previous period, in words."""
    if figure.value is None:
        if figure.previous is None:
            return ChangeView("", "none", "")
        return ChangeView("", "none", f"previous period: {format_value(figure.previous, figure.unit)}")
    if figure.previous is None:
        return ChangeView("", "none", "no earlier value to compare with")
    previous = format_value(figure.previous, figure.unit)
    difference = figure.value - figure.previous
    if round(difference, DIFFERENCE_DECIMALS.get(figure.unit, 2)) == 0:
        return ChangeView("=", "same", f"no change from the previous period ({previous})")
    direction = "up" if difference > 0 else "down"
    judgement = ""
    if figure.key in BETTER_WHEN_HIGHER:
        judgement = "better" if difference > 0 else "worse"
    elif figure.key in BETTER_WHEN_LOWER:
        judgement = "better" if difference < 0 else "worse"
    text = f"{direction} {_format_difference(abs(difference), figure.unit)} from {previous}"
    return ChangeView("▲" if direction == "up" else "▼", direction, text, judgement)


@dataclass(frozen=True)
class FigureView:
    key: str
    label: str
    value: str
    has_data: bool
    previous: str
    change: ChangeView
    help: str
    hint: str  # shown when there is no data


def figure_view(figure: Figure) -> FigureView:
    return FigureView(
        key=figure.key,
        label=figure.label,
        value=format_value(figure.value, figure.unit),
        has_data=figure.value is not None,
        previous=format_value(figure.previous, figure.unit),
        change=change_view(figure),
        help=figure.help,
        hint="" if figure.value is not None else NO_DATA_HINT,
    )


def is_percent_column(name: str) -> bool:
    """Whether a table column holds shares (0..1, shown as %), judged by its heading."""
    return PERCENT_COLUMN.search(name) is not None


def format_cell(cell: str | int | float | None, column: str) -> str:
    """One table cell for the page: a dash for no value, shares as %, medians and 90th percentiles
    as business-minute durations, other numbers with separators."""
    if cell is None:
        return NO_DATA
    if isinstance(cell, bool) or isinstance(cell, str):
        return str(cell)
    if is_percent_column(column):
        return f"{cell * 100:.1f} %"
    if MINUTES_COLUMN.search(column):
        return format_minutes(cell)
    if isinstance(cell, int):
        return f"{cell:,}"
    return f"{cell:,.1f}"


def chart_spec(table: Table) -> dict[str, Any] | None:
    """What dashboard.js draws for a table: labels, one data set per value column, and units."""
    if table.chart is None or not table.rows:
        return None
    columns = table.value_columns[:1] if table.chart == "pie" else table.value_columns
    datasets = []
    for column in columns:
        name = table.columns[column]
        percent = is_percent_column(name)
        data = [_chart_number(row[column], percent) for row in table.rows]
        datasets.append({"label": name, "data": data, "percent": percent})
    return {
        "key": table.key,
        "type": table.chart,
        "title": table.title,
        "labels": [
            str(row[table.label_column]) if row[table.label_column] is not None else NO_DATA
            for row in table.rows
        ],
        "datasets": datasets,
    }


def _chart_number(cell: str | int | float | None, percent: bool) -> float | None:
    if cell is None or isinstance(cell, str):
        return None
    return round(cell * 100, 2) if percent else cell


@dataclass(frozen=True)
class TableView:
    key: str
    title: str
    columns: list[str]
    rows: list[list[str]]
    chart: str  # JSON for the canvas' data-chart attribute, "" without a chart
    chart_type: str
    csv_url: str
    summary: str  # what the chart shows, for screen readers and the canvas' label


def table_view(table: Table, csv_url: str) -> TableView:
    spec = chart_spec(table)
    values = ", ".join(table.columns[column] for column in table.value_columns)
    return TableView(
        key=table.key,
        title=table.title,
        columns=list(table.columns),
        rows=[
            [format_cell(cell, table.columns[index]) for index, cell in enumerate(row)] for row in table.rows
        ],
        chart=json.dumps(spec, ensure_ascii=False) if spec else "",
        chart_type=table.chart or "",
        csv_url=csv_url,
        summary=f"{table.title}: {values} by {table.columns[table.label_column].lower()}; "
        "the table below has every value.",
    )


def shares_adding_to_100(counts: Sequence[int]) -> list[str]:
    """Shares of the counts to one decimal that add up to exactly 100.0 % (largest remainders)."""
    total = sum(counts)
    if total <= 0:
        return [NO_DATA for _ in counts]
    exact = [count * 1000 / total for count in counts]
    tenths = [int(value) for value in exact]
    by_remainder = sorted(range(len(counts)), key=lambda index: exact[index] - tenths[index], reverse=True)
    for index in by_remainder[: 1000 - sum(tenths)]:
        tenths[index] += 1
    return [f"{value / 10:.1f} %" for value in tenths]


@dataclass(frozen=True)
class PartitionRow:
    label: str
    count: str
    share: str


@dataclass(frozen=True)
class PartitionView:
    """The bot outcomes over their one denominator: rows whose shares add up to 100 %."""

    total: int
    rows: list[PartitionRow]
    note: str  # why there is no partition ("" when there is one)


def partition_view(table: Table) -> PartitionView:
    """The bot_outcomes table as a partition of the bot conversations."""
    counts = [int(row[1]) if isinstance(row[1], int | float) else 0 for row in table.rows]
    total = sum(counts)
    if not table.rows:
        return PartitionView(
            0,
            [],
            "Outcomes are not defined with a category, group or agent filter: a "
            "conversation the bot resolved has none of these.",
        )
    if total == 0:
        return PartitionView(0, [], "No conversation asked the bot anything in this period.")
    shares = shares_adding_to_100(counts)
    rows = [
        PartitionRow(str(row[0]), f"{count:,}", share)
        for row, count, share in zip(table.rows, counts, shares, strict=True)
    ]
    return PartitionView(total, rows, "")


@dataclass(frozen=True)
class SectionView:
    title: str
    figures: list[FigureView]
    tables: list[TableView]


def section_views(dashboard: Dashboard, csv_url: Any) -> list[SectionView]:
    """The page's sections in order; figures and tables no section names come last, under "More"."""
    figures = {figure.key: figure for figure in dashboard.figures}
    tables = {table.key: table for table in dashboard.tables}
    sections: list[SectionView] = []
    for spec in SECTIONS:
        sections.append(
            SectionView(
                spec.title,
                [figure_view(figures.pop(key)) for key in spec.figures if key in figures],
                [table_view(tables.pop(key), csv_url(key)) for key in spec.tables if key in tables],
            )
        )
    if figures or tables:
        sections.append(
            SectionView(
                "More",
                [figure_view(figure) for figure in figures.values()],
                [table_view(table, csv_url(table.key)) for table in tables.values()],
            )
        )
    return [section for section in sections if section.figures or section.tables]


@dataclass(frozen=True)
class GapView:
    """One KB-gap cluster as the page shows it."""

    key: str
    size: int
    previous_size: int
    trend_arrow: str
    trend_text: str
    weeks: list[tuple[str, int]]
    representatives: list[str]
    nearest_title: str
    nearest_url: str
    nearest_score: str
    suggested_title: str
    chart: str = field(default="")


def _trend(size: int, previous: int) -> tuple[str, str]:
    if previous == 0:
        return "▲", "new in this period (none in the previous one)"
    if size == previous:
        return "=", f"as many as in the previous period ({previous})"
    return (
        ("▲", f"up from {previous} in the previous period")
        if size > previous
        else ("▼", f"down from {previous} in the previous period")
    )


def gap_view(cluster: GapCluster, article_urls: dict[str, str]) -> GapView:
    arrow, text = _trend(cluster.size, cluster.previous_size)
    weeks = [(_week_label(week), count) for week, count in cluster.weekly]
    chart = {
        "key": f"gap-{cluster.key}",
        "type": "bar",
        "title": f"Questions per week: {cluster.suggested_title}",
        "labels": [label for label, _count in weeks],
        "datasets": [{"label": "Questions", "data": [count for _label, count in weeks], "percent": False}],
    }
    nearest_id = cluster.nearest_article_id or ""
    return GapView(
        key=cluster.key,
        size=cluster.size,
        previous_size=cluster.previous_size,
        trend_arrow=arrow,
        trend_text=text,
        weeks=weeks,
        representatives=list(cluster.representatives),
        nearest_title=cluster.nearest_article_title or nearest_id,
        nearest_url=article_urls.get(nearest_id, "") if nearest_id else "",
        nearest_score=f"{cluster.nearest_score:.2f}" if cluster.nearest_score is not None else "",
        suggested_title=cluster.suggested_title,
        chart=json.dumps(chart, ensure_ascii=False) if weeks else "",
    )


def _week_label(week: date) -> str:
    year, number, _weekday = week.isocalendar()
    return f"{year}-W{number:02d}"


def csv_cell(cell: str | int | float | None) -> str | int | float:
    """A cell as written to CSV: empty for no value, text that looks like a formula quoted with '."""
    if cell is None:
        return ""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def table_csv(table: Table) -> str:
    """The table as CSV text: a header row, then one line per row (values as stored, shares 0..1)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(name) for name in table.columns])
    for row in table.rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return buffer.getvalue()


def with_params(path: str, params: dict[str, str]) -> str:
    """A console address with the dashboard's query string."""
    return f"{path}?{urlencode(params)}" if params else path
