"""The dashboard's view models without a server: numbers in words, changes, shares, CSV cells."""

import itertools

import pytest

from bot.console.dashboard_view import (
    change_view,
    chart_spec,
    csv_cell,
    format_cell,
    format_value,
    shares_adding_to_100,
    table_csv,
)
from handoff.metrics import Figure, Table

DASH = "\N{EN DASH}"


def figure(key: str, value: float | None, previous: float | None, unit: str) -> Figure:
    return Figure(key=key, label=key, value=value, previous=previous, unit=unit, help="")


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (None, "ratio", DASH),
        (0.0, "ratio", "0.0 %"),
        (0.36363, "ratio", "36.4 %"),
        (1234, "count", "1,234"),
        (0, "count", "0"),
        (45.0, "minutes", "45 min"),
        (2.5, "minutes", "2.5 min"),
        (185.0, "minutes", "3h 05m"),
        (1164.0, "minutes", "19h 24m"),
        (42.0, "seconds", "42 s"),
        (200.0, "seconds", "3m 20s"),
        (3900.0, "seconds", "1h 05m"),
        (3.5, "score", "3.50"),
    ],
)
def test_values_read_in_their_unit_and_missing_ones_as_a_dash(
    value: float | None, unit: str, shown: str
) -> None:
    assert format_value(value, unit) == shown


def test_a_change_says_which_way_by_how_much_and_whether_that_is_good() -> None:
    up = change_view(figure("deflection_rate", 0.4, 0.3, "ratio"))
    assert (up.arrow, up.text, up.judgement) == ("▲", "up 10.0 points from 30.0 %", "better")
    slower = change_view(figure("frt_median", 90.0, 60.0, "minutes"))
    assert (slower.arrow, slower.text, slower.judgement) == ("▲", "up 30 min from 1h 00m", "worse")
    fewer = change_view(figure("tickets_created", 4, 6, "count"))
    assert (fewer.arrow, fewer.text, fewer.judgement) == ("▼", "down 2 from 6", "")
    same = change_view(figure("csat_average", 4.0, 4.0, "score"))
    assert (same.arrow, same.direction) == ("=", "same")
    assert change_view(figure("breached_now", 3, None, "count")).text == "no earlier value to compare with"
    assert change_view(figure("frt_median", None, 60.0, "minutes")).text == "previous period: 1h 00m"
    assert change_view(figure("frt_median", None, None, "minutes")).text == ""


def test_shares_always_add_up_to_exactly_100_percent() -> None:
    assert shares_adding_to_100([1, 3, 4, 3]) == ["9.1 %", "27.3 %", "36.3 %", "27.3 %"]
    assert shares_adding_to_100([1, 1, 1]) == ["33.4 %", "33.3 %", "33.3 %"]
    assert shares_adding_to_100([0, 0]) == [DASH, DASH]
    for counts in itertools.product(range(0, 8), repeat=4):
        if sum(counts):
            total = sum(
                round(float(share.removesuffix(" %")) * 10) for share in shares_adding_to_100(list(counts))
            )
            assert total == 1000, counts


def test_table_cells_show_shares_as_percent_and_medians_as_durations() -> None:
    assert format_cell(0.25, "Share") == "25.0 %"
    assert format_cell(0.5, "First response compliance") == "50.0 %"
    assert format_cell(185.0, "Resolution median (business min)") == "3h 05m"
    assert format_cell(12, "Ratings") == "12"
    assert format_cell(None, "Share") == DASH
    assert format_cell("billing", "Category") == "billing"


def test_a_chart_draws_the_value_columns_and_shares_in_percent() -> None:
    table = Table(
        key="sla_compliance",
        title="SLA",
        columns=["Priority", "Met", "Compliance"],
        rows=[["Urgent", 3, 0.75], ["Low", 0, None]],
        chart="bar",
        value_columns=(1, 2),
    )
    spec = chart_spec(table)
    assert spec is not None
    assert spec["labels"] == ["Urgent", "Low"]
    assert spec["datasets"] == [
        {"label": "Met", "data": [3, 0], "percent": False},
        {"label": "Compliance", "data": [75.0, None], "percent": True},
    ]
    assert chart_spec(Table(key="t", title="t", columns=["a", "b"], rows=[], chart="bar")) is None


def test_csv_quotes_cells_a_spreadsheet_would_run() -> None:
    for cell in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert csv_cell(cell) == "'" + cell
    assert csv_cell(-3) == -3 and csv_cell(None) == "" and csv_cell("plain") == "plain"
    table = Table(
        key="t", title="t", columns=["Name", "Tickets"], rows=[["=cmd|' /C calc'!A0", 2]], chart=None
    )
    assert table_csv(table) == "Name,Tickets\r\n'=cmd|' /C calc'!A0,2\r\n"
