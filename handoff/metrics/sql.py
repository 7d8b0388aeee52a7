"""SQL pieces the sections share that differ between SQLite and PostgreSQL.

- `utc_day`: the UTC calendar day of a timestamp column.
- `percentiles` and `percentiles_by`: continuous percentiles (linear interpolation, as
  PostgreSQL's percentile_cont), optionally per group, several groupings in one pass.
  PostgreSQL computes them itself (GROUPING SETS); on SQLite a GROUP BY counts each group, then
  a window query numbers the values and returns only the rows around each percentile, so no
  dialect sends all values to Python.
"""

import logging
import math
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal, or_, select, text, tuple_
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


def prepare_for_aggregates(session: Session) -> None:
    """Settings for the dashboard's transaction: PostgreSQL's JIT compiles these short
    aggregates for longer than they run (about a quarter of the dashboard's time, measured)."""
    if dialect_name(session) == "postgresql":
        session.execute(text("SET LOCAL jit = off"))


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
    return percentiles_by(session, value, where=where, fractions=fractions, groupings={"only": key})["only"]


def percentiles_by(
    session: Session,
    value: ColumnElement[Any],
    *,
    where: Sequence[ColumnElement[bool]],
    fractions: Sequence[float],
    groupings: dict[str, ColumnElement[Any] | None],
) -> dict[str, dict[Any, list[float]]]:
    """Percentiles for several groupings of the same rows in one pass over them.

    `groupings` names each grouping's key column (None: all rows together, reported under the
    key None). Returns {grouping name: {key: [one value per fraction]}}.
    """
    conditions = [*where, value.is_not(None)]
    if dialect_name(session) == "postgresql":
        return _percentiles_postgresql(session, value, conditions, fractions, groupings)
    return _percentiles_window(session, value, conditions, fractions, groupings)


def _percentiles_postgresql(
    session: Session, value: ColumnElement[Any], conditions: list[ColumnElement[bool]],
    fractions: Sequence[float], groupings: dict[str, ColumnElement[Any] | None],
) -> dict[str, dict[Any, list[float]]]:
    keys = [key for key in groupings.values() if key is not None]
    columns = [func.percentile_cont(fraction).within_group(value) for fraction in fractions]
    # GROUPING(key) tells a real NULL key (no assignee) from a row that does not group by it.
    flags = [func.grouping(key) for key in keys]
    sets = [tuple([key] if key is not None else []) for key in groupings.values()]
    query = (select(*keys, *flags, func.count(), *columns).where(*conditions)
             .group_by(func.grouping_sets(*[tuple_(*keys_set) if keys_set else text("()")
                                             for keys_set in sets])))
    result: dict[str, dict[Any, list[float]]] = {name: {} for name in groupings}
    for row in session.execute(query):
        values, found_flags = row[:len(keys)], row[len(keys):2 * len(keys)]
        count, found = row[2 * len(keys)], row[2 * len(keys) + 1:]
        if not count:
            continue
        grouped_by = [index for index, flag in enumerate(found_flags) if flag == 0]
        for name, key in groupings.items():
            if key is None and not grouped_by:
                result[name][None] = [float(v) for v in found]
            elif key is not None and grouped_by == [keys.index(key)]:
                result[name][values[grouped_by[0]]] = [float(v) for v in found]
    return result


def _percentiles_window(
    session: Session, value: ColumnElement[Any], conditions: list[ColumnElement[bool]],
    fractions: Sequence[float], groupings: dict[str, ColumnElement[Any] | None],
) -> dict[str, dict[Any, list[float]]]:
    names = list(groupings)
    keys = [groupings[name] if groupings[name] is not None else literal(0) for name in names]
    sizes = [_group_sizes(session, key, conditions) for key in keys]
    columns = [value.label("v")]
    for index, key in enumerate(keys):
        columns += [key.label(f"k{index}"),
                    (func.row_number().over(partition_by=key, order_by=value) - 1).label(f"rn{index}")]
    numbered = select(*columns).where(*conditions).subquery()
    # Only the rows at floor((n - 1) * p) and the one after it are needed to interpolate.
    near = []
    for index in range(len(keys)):
        k, rn = numbered.c[f"k{index}"], numbered.c[f"rn{index}"]
        for group, n in sizes[index].items():
            ranks = sorted({rank for fraction in fractions
                            for rank in (math.floor((n - 1) * fraction), math.floor((n - 1) * fraction) + 1)})
            near.append(and_(k.is_(None) if group is None else k == group, rn.in_(ranks)))
    if not near:
        return {name: {} for name in names}
    found: list[dict[Any, dict[int, float]]] = [{} for _ in names]
    for row in session.execute(select(numbered).where(or_(*near))):
        mapping = row._mapping
        for index in range(len(names)):
            by_rank = found[index].setdefault(mapping[f"k{index}"], {})
            by_rank[int(mapping[f"rn{index}"])] = float(mapping["v"])
    result: dict[str, dict[Any, list[float]]] = {}
    for index, name in enumerate(names):
        result[name] = {}
        for k, n in sizes[index].items():
            result[name][None if groupings[name] is None else k] = [
                _interpolate(found[index][k], n, fraction) for fraction in fractions]
    return result


def _group_sizes(session: Session, key: ColumnElement[Any],
                 conditions: list[ColumnElement[bool]]) -> dict[Any, int]:
    """How many values each group holds, from a plain GROUP BY: a count(*) window per grouping
    costs SQLite about as much again as numbering the rows (measured on 50,000 values), and the
    sizes say which ranks the window query has to return."""
    return {group: int(n) for group, n in session.execute(
        select(key, func.count()).where(*conditions).group_by(key))}


def _interpolate(values: dict[int, float], n: int, fraction: float) -> float:
    """percentile_cont's rule: between the values at floor and ceil of (n - 1) * fraction."""
    position = (n - 1) * fraction
    low = math.floor(position)
    below = values[low]
    above = values.get(low + 1, below)
    return below + (position - low) * (above - below)
