"""`python -m handoff report`: every figure with its previous value and change, every table."""

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from handoff import session_scope, start_conversation
from handoff.__main__ import main
from handoff.kb_queries import record_kb_feedback, record_kb_query
from handoff.metrics import FIGURE_KEYS, DashboardFilters, build_dashboard
from handoff.kb_gaps import GapCluster
from handoff.metrics.report import GapsResult, format_gaps, format_report, gaps_to_dict
from handoff.migrate import upgrade_database
from handoff.models import utcnow
from handoff.settings import get_settings
from tests.handoff.metrics_history import NOW, PERIOD, build_history


def _line(text: str, label: str) -> list[str]:
    """The cells of the report line that starts with `label` (cells are 2+ spaces apart)."""
    for line in text.splitlines():
        if line.startswith(label + "  "):
            return [cell for cell in line.split("  ") if cell.strip()]
    raise AssertionError(f"no line for {label!r}")


def test_the_report_shows_each_figure_with_previous_value_and_change(session: Session) -> None:
    build_history(session)
    board = build_dashboard(session, period=PERIOD, filters=DashboardFilters(), now=NOW)
    text = format_report(board, gaps=GapsResult([], "KB gaps are not available: handoff.kb_gaps is not installed."))
    assert text.startswith("Deskmate dashboard: 2026-03-24 00:00 to 2026-03-31 00:00 UTC\n"
                           "Compared with: 2026-03-17 00:00 to 2026-03-24 00:00 UTC\nFilters: none\n")
    assert [cell.strip() for cell in _line(text, "Deflection rate")] == ["Deflection rate", "36.4 %", "33.3 %",
                                                                          "+3.0 pp"]
    assert [cell.strip() for cell in _line(text, "First response, median")][1:] == ["30 min", "1 h 00 min",
                                                                                    "-30 min (-50 %)"]
    assert [cell.strip() for cell in _line(text, "Bot conversations")][1:] == ["11", "3", "+8 (+267 %)"]
    assert [cell.strip() for cell in _line(text, "At risk now")][1:] == ["1", "–", "–"]
    assert [cell.strip() for cell in _line(text, "CSAT average")][1:] == ["3.50", "4.00", "-0.50 (-12 %)"]
    for table in board.tables:
        assert table.title in text
    assert [cell.strip() for cell in _line(text, "  Normal")][1:] == ["2", "60", "84", "4", "135", "1,323"]
    assert "KB gaps are not available" in text
    assert "Deflection rate: Share of bot conversations resolved by the bot" in text


@pytest.fixture
def cli_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated SQLite file the command reads through the configured URL."""
    url = f"sqlite:///{tmp_path / 'report.db'}"
    upgrade_database(url)
    monkeypatch.setenv("DESKMATE_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def _answered_and_helped(channel: str) -> None:
    with session_scope() as session:
        conversation, _ = start_conversation(session, channel=channel)
        query = record_kb_query(session, conversation_public_id=conversation.public_id, question="export?",
                                decision="answer", article_id="export-data", confidence=0.9,
                                nearest_article_id="export-data", nearest_score=0.9, embedding=None)
        assert query is not None
        query.created_at = utcnow() - timedelta(days=2)
        record_kb_feedback(session, conversation=conversation, helped=True)


def test_report_json_holds_every_figure_for_the_period_asked(cli_database: str,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    _answered_and_helped("web")
    _answered_and_helped("telegram")
    assert main(["report", "--since", "1w", "--channel", "telegram", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    figures = {figure["key"]: figure for figure in data["figures"]}
    assert list(figures) == list(FIGURE_KEYS)
    assert figures["bot_conversations"]["value"] == 1
    assert figures["confirmed_deflection_rate"]["value"] == 1.0
    assert figures["deflection_rate"]["previous"] is None
    assert data["filters"]["channel"] == "telegram"
    assert "kb_gaps" in data


def test_report_text_is_printed_for_the_default_period(cli_database: str, capsys: pytest.CaptureFixture[str]) -> None:
    _answered_and_helped("web")
    assert main(["report"]) == 0
    out = capsys.readouterr().out
    assert [cell.strip() for cell in _line(out, "Confirmed deflection rate")][1:3] == ["100.0 %", "–"]
    assert "Top KB gaps" in out


@pytest.mark.parametrize(("arguments", "message"), [
    (["--since", "3x"], "error: --since: '3x' is not a period length; write days or weeks, like 30d or 12w"),
    (["--agent", "nobody@example.com"], "error: no agent with e-mail nobody@example.com"),
    (["--group", "astronauts"], "error: no skill group 'astronauts'"),
])
def test_report_refuses_bad_input_with_a_clear_message(cli_database: str, capsys: pytest.CaptureFixture[str],
                                                       arguments: list[str], message: str) -> None:
    assert main(["report", *arguments]) == 2
    assert capsys.readouterr().err.strip() == message


def test_the_report_lists_kb_gaps_with_trend_nearest_article_and_examples() -> None:
    cluster = GapCluster(
        key="abc", size=12, previous_size=4, weekly=[(date(2026, 3, 23), 12)],
        representatives=["can I pay by PayPal?", "paypal checkout"], nearest_article_id="payment-methods",
        nearest_article_title="Payment methods", nearest_score=0.61, suggested_title="Paying with PayPal",
        query_ids=[1, 2],
    )
    lines = format_gaps(GapsResult([cluster]))
    assert lines[1] == ("  1. Paying with PayPal: 12 questions (previous period 4); "
                        "nearest article: Payment methods (0.61)")
    assert lines[2:] == ["       “can I pay by PayPal?”", "       “paypal checkout”"]
    data = json.loads(json.dumps(gaps_to_dict(GapsResult([cluster]))))
    assert data["clusters"][0]["weekly"] == [["2026-03-23", 12]]
