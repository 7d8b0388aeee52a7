"""Every figure and table of the dashboard over a history with known answers, on both databases.

The story and the reasoning behind each number are in `metrics_history`; the numbers here are
worked out by hand from it.
"""

import json

import pytest
from sqlalchemy.orm import Session

from handoff.metrics import FIGURE_KEYS, TABLE_KEYS, Dashboard, DashboardFilters, build_dashboard
from tests.handoff.metrics_history import NOW, PERIOD, build_history

approx = pytest.approx


@pytest.fixture
def dashboard(session: Session) -> Dashboard:
    build_history(session)
    return build_dashboard(session, period=PERIOD, filters=DashboardFilters(), now=NOW)


def _values(board: Dashboard, *keys: str) -> dict[str, tuple[object, object]]:
    return {key: (board.figure(key).value, board.figure(key).previous) for key in keys}


def test_bot_outcomes_partition_the_bot_conversations(dashboard: Dashboard) -> None:
    # Period: 1 confirmed, 3 assumed (C2, C3, C10), 3 abandoned (C4, C7, C8), 4 handed off
    # (C5, C6 despite its "that helped", C9, C12). Previous: C0 confirmed, C11 abandoned, C10 handed off.
    assert _values(dashboard, "bot_conversations", "deflection_rate", "confirmed_deflection_rate",
                   "handed_off_rate", "abandoned_rate") == {
        "bot_conversations": (11, 3),
        "deflection_rate": (approx(4 / 11), approx(1 / 3)),
        "confirmed_deflection_rate": (approx(1 / 11), approx(1 / 3)),
        "handed_off_rate": (approx(4 / 11), approx(1 / 3)),
        "abandoned_rate": (approx(3 / 11), approx(1 / 3)),
    }
    table = dashboard.table("bot_outcomes")
    assert table.title == "Bot outcomes (of 11 bot conversations)"
    assert table.rows == [
        ["Resolved by the bot, confirmed", 1, approx(1 / 11)],
        ["Resolved by the bot, assumed", 3, approx(3 / 11)],
        ["Handed off to a person", 4, approx(4 / 11)],
        ["Abandoned", 3, approx(3 / 11)],
    ]
    assert sum(row[2] for row in table.rows) == approx(1.0)  # type: ignore[misc]


def test_handoffs_by_reason_leave_follow_ups_out_of_the_bot_handoffs(dashboard: Dashboard) -> None:
    assert _values(dashboard, "handoffs", "tickets_created") == {"handoffs": (5, 2), "tickets_created": (6, 2)}
    assert dashboard.table("handoffs_by_reason").rows == [
        ["Asked for a person", 3, approx(3 / 6), 1],
        ["Bot had no answer twice", 0, 0.0, 1],
        ["Answer didn't help", 1, approx(1 / 6), 0],
        ["Always-human topic", 1, approx(1 / 6), 0],
        ["Bot unavailable", 0, 0.0, 0],
        ["Follow-up to a closed ticket", 1, approx(1 / 6), 0],
    ]


def test_volume_by_day_and_by_category(dashboard: Dashboard) -> None:
    assert dashboard.table("volume_by_day").rows == [
        ["2026-03-24", 1, 1],  # T6 opened and resolved
        ["2026-03-25", 2, 0],  # T1, T2
        ["2026-03-26", 1, 3],  # T4 opened; T1, T4, T8 resolved
        ["2026-03-27", 1, 1],  # T3 opened; T1 resolved again after its reopen
        ["2026-03-28", 0, 0],
        ["2026-03-29", 0, 0],
        ["2026-03-30", 1, 1],  # T5 opened; T3 resolved
    ]
    assert dashboard.table("volume_by_category").rows == [
        ["billing", 3, approx(0.5), 0],
        ["account", 1, approx(1 / 6), 2],
        ["integrations", 1, approx(1 / 6), 0],
        ["security", 1, approx(1 / 6), 0],
    ]


def test_backlog_now_and_its_trend_come_from_the_timeline(dashboard: Dashboard) -> None:
    # Now: T2, T5 and T7 are open; when the period began only T8 was.
    assert _values(dashboard, "backlog_now") == {"backlog_now": (3, 1)}
    assert dashboard.table("backlog_by_day").rows == [
        ["2026-03-24", 1],  # T8 (assigned, in progress)
        ["2026-03-25", 3],  # T8, T1 (awaiting the customer), T2
        ["2026-03-26", 1],  # T2: T8 and T1 were resolved that day
        ["2026-03-27", 2],  # T2, T3 (T1 reopened and resolved again within the day)
        ["2026-03-28", 2],
        ["2026-03-29", 2],
        ["2026-03-30", 2],  # T2, T5 (T3 resolved)
    ]
    assert dashboard.table("backlog_age").rows == [
        ["Under 4 hours", 1], ["4–24 hours", 1], ["1–3 days", 0], ["3–7 days", 1], ["Over 7 days", 0],
    ]


def test_response_and_resolution_times_in_business_minutes(dashboard: Dashboard) -> None:
    # First responses in the period: T4 10, T1 30 (after its reopen), T3 90 (Friday 17:30 to
    # Monday 09:00 Berlin, across the weekend and the clock change). Resolutions: T1 60, T6 60,
    # T4 180, T3 210, T8 1800.
    assert _values(dashboard, "frt_median", "frt_p90", "resolution_median", "resolution_p90", "bot_time_median") == {
        "frt_median": (approx(30), approx(60)),
        "frt_p90": (approx(78), approx(60)),
        "resolution_median": (approx(180), approx(300)),
        "resolution_p90": (approx(1164), approx(300)),
        "bot_time_median": (approx(300), approx(1830)),
    }
    assert dashboard.table("response_times").rows == [
        ["Urgent", 1, approx(10), approx(10), 1, approx(180), approx(180)],
        ["High", 0, None, None, 0, None, None],
        ["Normal", 2, approx(60), approx(84), 4, approx(135), approx(1323)],
        ["Low", 0, None, None, 0, None, None],
        ["All", 3, approx(30), approx(78), 5, approx(180), approx(1164)],
    ]


def test_sla_compliance_and_states_now(dashboard: Dashboard) -> None:
    # First response: met by T1, T3, T4; missed by T2. Resolution: met by T1, T3, T6; missed by
    # T4 and T8 (resolved late) and T2 (still open, found breached by the SLA check).
    assert _values(dashboard, "sla_first_response_compliance", "sla_resolution_compliance",
                   "at_risk_now", "breached_now") == {
        "sla_first_response_compliance": (approx(0.75), approx(0.5)),
        "sla_resolution_compliance": (approx(0.5), approx(1.0)),
        "at_risk_now": (1, None),
        "breached_now": (2, None),
    }
    assert dashboard.table("sla_compliance").rows == [
        ["Urgent", 1, 0, 1.0, 0, 1, 0.0],
        ["High", 0, 0, None, 0, 0, None],
        ["Normal", 2, 1, approx(2 / 3), 3, 2, approx(0.6)],
        ["Low", 0, 0, None, 0, 0, None],
        ["All", 3, 1, approx(0.75), 3, 3, approx(0.5)],
    ]


def test_csat_reopen_and_escalation(dashboard: Dashboard) -> None:
    # Resolved in the period: T1, T3, T4, T6, T8; rated T1 (5) and T4 (2); T1 was reopened.
    assert _values(dashboard, "csat_average", "csat_response_rate", "reopen_rate", "escalation_rate") == {
        "csat_average": (approx(3.5), approx(4.0)),
        "csat_response_rate": (approx(0.4), approx(1.0)),
        "reopen_rate": (approx(0.2), approx(0.0)),
        "escalation_rate": (approx(1 / 6), approx(0.0)),
    }
    assert dashboard.table("csat_distribution").rows == [
        ["1", 0, 0.0], ["2", 1, 0.5], ["3", 0, 0.0], ["4", 0, 0.0], ["5", 1, 0.5],
    ]
    assert dashboard.table("escalation_by_tier").rows == [
        ["Tier 2", 1, approx(1 / 6)], ["Tier 3", 1, approx(1 / 6)],
    ]


def test_agent_and_group_load(dashboard: Dashboard) -> None:
    assert dashboard.table("agent_load").rows == [
        ["Unassigned", 3, 1, None, approx(60), None],
        ["Alice", 0, 2, approx(90), approx(1005), None],
        ["Bob", 0, 2, approx(20), approx(120), approx(3.5)],
    ]
    assert dashboard.table("group_load").rows == [
        ["billing", 2, 2, approx(30), approx(60), approx(5.0)],
        ["engineering", 1, 0, None, None, None],
        ["general", 0, 2, approx(90), approx(1005), None],
        ["privacy", 0, 1, approx(10), approx(180), approx(2.0)],
    ]


def test_every_key_is_present_in_order_and_the_whole_dashboard_is_json(dashboard: Dashboard) -> None:
    assert [figure.key for figure in dashboard.figures] == list(FIGURE_KEYS)
    assert [table.key for table in dashboard.tables] == list(TABLE_KEYS)
    data = json.loads(json.dumps(dashboard.to_dict()))
    assert data["period"] == {"start": "2026-03-24T00:00:00+00:00", "end": "2026-03-31T00:00:00+00:00"}
    assert data["previous_period"] == {"start": "2026-03-17T00:00:00+00:00", "end": "2026-03-24T00:00:00+00:00"}
    assert data["figures"][0]["key"] == "bot_conversations" and data["figures"][0]["value"] == 11
    assert all(figure["help"] for figure in data["figures"])
