"""SQL pieces the sections share that differ between SQLite and PostgreSQL.

- `utc_day`: the UTC calendar day of a timestamp column.
- `percentiles`: continuous percentiles (linear interpolation, as PostgreSQL's
  percentile_cont), optionally per group. PostgreSQL computes them itself; on SQLite a window
  query numbers the values and returns only the one or two rows around each percentile, so no
  dialect ever sends all values to Python.
"""

import logging
import math
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, cast, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import String

logger = logging.getLogger(__name__)


class utc_day(FunctionElement[str]):  # noqa: N801 - reads like the SQL function it stands for
    """The UTC day of a timestamp column (a date on PostgreSQL, 'YYYY-MM-DD' text on SQLite)."""

    type = String()
    inherit_cache = True
    name = "utc_day"


@compiles(utc_day, "sqlite")
def _utc_day_sqlite(element: utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite holds UTC timestamps as ISO text; date() keeps their day.
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(element: utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    # timestamptz to a UTC wall time first: a plain ::date would follow the session's time zone.
    return f"(timezone('UTC', {compiler.process(element.clauses, **kw)}))::date"


def as_day(value: Any) -> date:
    """A `utc_day` result as a date, whichever database produced it."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def dialect_name(session: Session) -> str:
    """'sqlite' or 'postgresql'."""
    return session.get_bind().dialect.name


def percentiles(
    session: Session,
    value: ColumnElement[Any],
    *,
    where: Sequence[ColumnElement[bool]],
    fractions: Sequence[float],
    key: ColumnElement[Any] | None = None,
) -> dict[Any, list[float]]:
    """Percentiles of `value` over the rows matching `where`, per `key` (or one group, key None).

    Returns {key: [one value per fraction]}; groups without values are absent. Rows whose value
    is NULL are left out.
    """
    conditions = [*where, value.is_not(None)]
    if dialect_name(session) == "postgresql":
        return _percentiles_postgresql(session, value, conditions, fractions, key)
    return _percentiles_window(session, value, conditions, fractions, key)


def _percentiles_postgresql(
    session: Session, value: ColumnElement[Any], conditions: list[ColumnElement[bool]],
    fractions: Sequence[float], key: ColumnElement[Any] | None,
) -> dict[Any, list[float]]:
    columns = [func.percentile_cont(fraction).within_group(value) for fraction in fractions]
    if key is None:
        query = select(func.count(), *columns).where(*conditions)
        row = session.execute(query).one()
        return {None: [float(v) for v in row[1:]]} if row[0] else {}
    query = select(key, *columns).where(*conditions).group_by(key)
    return {row[0]: [float(v) for v in row[1:]] for row in session.execute(query)}


def _percentiles_window(
    session: Session, value: ColumnElement[Any], conditions: list[ColumnElement[bool]],
    fractions: Sequence[float], key: ColumnElement[Any] | None,
) -> dict[Any, list[float]]:
    group = key if key is not None else literal(0)
    numbered = select(
        group.label("k"),
        value.label("v"),
        (func.row_number().over(partition_by=group, order_by=value) - 1).label("rn"),
        func.count().over(partition_by=group).label("n"),
    ).where(*conditions).subquery()
    # Only the rows at floor((n - 1) * p) and the one after it are needed to interpolate.
    near = [
        and_(numbered.c.rn >= cast((numbered.c.n - 1) * fraction, Integer),
             numbered.c.rn <= cast((numbered.c.n - 1) * fraction, Integer) + 1)
        for fraction in fractions
    ]
    query = select(numbered.c.k, numbered.c.v, numbered.c.rn, numbered.c.n).where(or_(*near))
    found: dict[Any, tuple[int, dict[int, float]]] = {}
    for k, v, rn, n in session.execute(query):
        found.setdefault(k, (int(n), {}))[1][int(rn)] = float(v)
    result: dict[Any, list[float]] = {}
    for k, (n, values) in found.items():
        result[None if key is None else k] = [_interpolate(values, n, fraction) for fraction in fractions]
    return result


def _interpolate(values: dict[int, float], n: int, fraction: float) -> float:
    """percentile_cont's rule: between the values at floor and ceil of (n - 1) * fraction."""
    position = (n - 1) * fraction
    low = math.floor(position)
    below = values[low]
    above = values.get(low + 1, below)
    return below + (position - low) * (above - below)
