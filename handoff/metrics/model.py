"""What the dashboard hands to its views: figures with their previous value, and tables.

The console page, the CSV exports, the JSON API and the CLI report all render these objects,
so a figure means the same thing everywhere.
"""

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from handoff.metrics.filters import DashboardFilters
from handoff.metrics.period import Period

logger = logging.getLogger(__name__)

Number = float | int | None
Cell = str | int | float | None
UNITS = ("ratio", "count", "minutes", "seconds", "score")
CHARTS = ("bar", "line", "stacked_bar", "pie")


@dataclass(frozen=True)
class Figure:
    """One number for the period, the same number for the period before, and what it means.

    `value` None means there was nothing to measure (shown as "–", never as 0).
    """

    key: str
    label: str
    value: Number
    previous: Number
    unit: str
    help: str

    def __post_init__(self) -> None:
        """Refuse units the views cannot render."""
        if self.unit not in UNITS:
            raise ValueError(f"figure {self.key!r}: unknown unit {self.unit!r}")

    @property
    def change(self) -> Number:
        """value − previous, or None if either is missing."""
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"key": self.key, "label": self.label, "value": self.value, "previous": self.previous,
                "change": self.change, "unit": self.unit, "help": self.help}


@dataclass(frozen=True)
class Table:
    """Rows behind a chart (or a plain table when `chart` is None)."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    chart: str | None
    label_column: int = 0
    value_columns: tuple[int, ...] = (1,)

    def __post_init__(self) -> None:
        """Refuse tables whose rows do not match their columns."""
        if self.chart is not None and self.chart not in CHARTS:
            raise ValueError(f"table {self.key!r}: unknown chart {self.chart!r}")
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(f"table {self.key!r}: row {row!r} does not have {len(self.columns)} cells")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"key": self.key, "title": self.title, "columns": list(self.columns),
                "rows": [list(row) for row in self.rows], "chart": self.chart,
                "label_column": self.label_column, "value_columns": list(self.value_columns)}


@dataclass(frozen=True)
class Section:
    """What one module of the dashboard contributes."""

    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass(frozen=True)
class Dashboard:
    """Every figure and table for one period and one set of filters."""

    period: Period
    filters: DashboardFilters
    generated_at: datetime
    figures: list[Figure]
    tables: list[Table]

    def figure(self, key: str) -> Figure:
        """The figure named `key` (KeyError if there is none)."""
        for figure in self.figures:
            if figure.key == key:
                return figure
        raise KeyError(f"no figure {key!r}")

    def table(self, key: str) -> Table:
        """The table named `key` (KeyError if there is none)."""
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(f"no table {key!r}")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, with ISO 8601 times."""
        return {
            "period": self.period.to_dict(),
            "previous_period": self.period.previous().to_dict(),
            "filters": self.filters.to_dict(),
            "generated_at": self.generated_at.astimezone(UTC).isoformat(),
            "figures": [figure.to_dict() for figure in self.figures],
            "tables": [table.to_dict() for table in self.tables],
        }


def ratio(part: int | float | None, whole: int | float | None) -> float | None:
    """part / whole, or None when there is nothing to divide by."""
    if part is None or not whole:
        return None
    return part / whole
