"""Each dashboard filter narrows every figure to what it names, on both databases."""

import pytest
from sqlalchemy.orm import Session

from handoff.metrics import DashboardFilters, build_dashboard
from tests.handoff.metrics_history import NOW, PERIOD, build_history

approx = pytest.approx


def test_channel_narrows_bot_conversations_and_tickets(session: Session) -> None:
    build_history(session)
    board = build_dashboard(session, period=PERIOD, filters=DashboardFilters(channel="telegram"), now=NOW)
    # Telegram: C3 answered (assumed), C7 offered choices (abandoned), C12 handed off as T4.
    assert board.figure("bot_conversations").value == 3
    assert board.figure("deflection_rate").value == approx(1 / 3)
    assert board.figure("confirmed_deflection_rate").value == 0.0
    assert board.figure("handed_off_rate").value == approx(1 / 3)
    assert board.figure("abandoned_rate").value == approx(1 / 3)
    assert board.figure("bot_conversations").previous == 0
    assert board.figure("deflection_rate").previous is None  # nothing to divide: shown as "–", not 0
    assert board.figure("tickets_created").value == 1
    assert board.figure("frt_median").value == approx(10)
    assert board.figure("csat_average").value == approx(2.0)
    assert board.figure("backlog_now").value == 0


def test_category_narrows_tickets_and_leaves_bot_figures_undefined(session: Session) -> None:
    build_history(session)
    board = build_dashboard(session, period=PERIOD, filters=DashboardFilters(category="billing"), now=NOW)
    # Billing tickets opened in the period: T1, T5, T6; open now: T5, T7.
    assert board.figure("tickets_created").value == 3
    assert board.figure("handoffs").value == 2  # T6 is a follow-up
    assert board.figure("backlog_now").value == 2
    assert board.figure("resolution_median").value == approx(60)
    assert board.figure("reopen_rate").value == approx(0.5)  # T1 of T1 and T6
    for key in ("bot_conversations", "deflection_rate", "confirmed_deflection_rate", "handed_off_rate",
                "abandoned_rate"):
        assert board.figure(key).value is None and board.figure(key).previous is None
        assert "Not defined with a category, group or agent filter" in board.figure(key).help
    assert board.table("bot_outcomes").rows == []


def test_group_narrows_the_backlog_trend(session: Session) -> None:
    build_history(session)
    board = build_dashboard(session, period=PERIOD, filters=DashboardFilters(group="general"), now=NOW)
    # The general group holds T8 (open until Thursday) and T3 (Friday evening to Monday).
    assert [row[1] for row in board.table("backlog_by_day").rows] == [1, 1, 0, 1, 1, 1, 0]
    assert board.figure("backlog_now").previous == 1
    assert board.figure("tickets_created").value == 1
    assert board.figure("sla_resolution_compliance").value == approx(0.5)  # T3 met, T8 breached


def test_agent_narrows_to_their_tickets(session: Session) -> None:
    history = build_history(session)
    board = build_dashboard(session, period=PERIOD, filters=DashboardFilters(agent_id=history.bob.id), now=NOW)
    # Bob: T1 and T4.
    assert board.figure("frt_median").value == approx(20)
    assert board.figure("resolution_median").value == approx(120)
    assert board.figure("csat_average").value == approx(3.5)
    assert board.figure("csat_response_rate").value == approx(1.0)
    assert board.figure("sla_first_response_compliance").value == approx(1.0)
    assert board.table("agent_load").rows == [["Bob", 0, 2, approx(20), approx(120), approx(3.5)]]
