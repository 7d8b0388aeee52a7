"""The lead dashboard page: who may open it, what it shows for a known history, filters, CSV
exports, KB gaps (escaped, marked handled only with the CSRF token)."""

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.app import create_app
from bot.deps import get_session
from bot.read_session import get_read_session
from handoff import assign, get_ticket, hand_off, start_conversation
from handoff.kb_queries import record_kb_query
from handoff.kb_gaps import clear_cache
from handoff.metrics import FIGURE_KEYS, TABLE_KEYS, DashboardFilters, build_dashboard
from handoff.models import KbQuery
from tests.console.conftest import form_token, sign_in
from tests.handoff.metrics_history import PERIOD, build_history
from tests.utils.factories import make_agent
from tests.utils.kb_gap_history import missed_questions

LEAD = "lena.lead@example.com"
PERIOD_PARAMS = "from=2026-03-24&to=2026-03-30"  # the history's period, PERIOD, as whole UTC days
DASHBOARD = f"/console/dashboard?{PERIOD_PARAMS}"


@pytest.fixture
def client(session: Session) -> Iterator[TestClient]:
    """The gateway on the test's session, for its ordinary and its read-only requests."""
    clear_cache()  # KB-gap reports are kept per process; rolled-back ids come back in other tests
    app = create_app()
    app.dependency_overrides[get_session] = lambda: session
    app.dependency_overrides[get_read_session] = lambda: session
    with TestClient(app, follow_redirects=False) as http:
        yield http


@pytest.fixture
def lead(client: TestClient, session: Session) -> str:
    """A lead signed in to the console; returns the session's CSRF token."""
    make_agent(session, LEAD, role="lead")
    return sign_in(client, LEAD)


def figure_block(html: str, key: str) -> str:
    found = re.search(
        rf'<article class="figure[^"]*" data-testid="figure" data-key="{key}">(.*?)</article>', html, re.S
    )
    assert found, f"no figure {key}"
    return found.group(1)


def text_of(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def test_an_agent_gets_the_403_page_and_no_dashboard_link(client: TestClient, session: Session) -> None:
    make_agent(session, "agnes@example.com", role="agent")
    sign_in(client, "agnes@example.com")

    for path in (
        "/console/dashboard",
        "/console/dashboard/export/volume_by_day.csv",
        "/console/dashboard/gaps",
    ):
        response = client.get(path)
        assert response.status_code == 403, path
        assert 'data-testid="error-page"' in response.text
    assert 'data-testid="nav-dashboard"' not in client.get("/console/tickets").text


def test_signed_out_visitors_go_to_the_sign_in_page(client: TestClient) -> None:
    response = client.get(DASHBOARD)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/console/login?next=")


def test_a_lead_sees_every_figure_against_the_previous_period(
    client: TestClient, session: Session, lead: str
) -> None:
    build_history(session)

    html = client.get(DASHBOARD).text

    assert 'data-testid="nav-dashboard"' in html
    assert "24 Mar 2026 \N{EN DASH} 30 Mar 2026 (UTC days)" in html
    assert "compared with 17 Mar 2026 \N{EN DASH} 23 Mar 2026" in html
    for key in FIGURE_KEYS:
        figure_block(html, key)
    # 4 of 11 resolved by the bot, against 1 of 3 in the week before.
    deflection = text_of(figure_block(html, "deflection_rate"))
    assert "36.4 %" in deflection
    assert "up 3.0 points from 33.3 % (better)" in deflection
    first_response = text_of(figure_block(html, "frt_median"))
    assert "30 min" in first_response and "down 30 min from 1h 00m (better)" in first_response
    assert "no earlier value to compare with" in text_of(figure_block(html, "breached_now"))


def test_the_bot_outcomes_add_up_to_100_percent_of_one_denominator(
    client: TestClient, session: Session, lead: str
) -> None:
    build_history(session)

    html = client.get(DASHBOARD).text

    partition = re.search(r'data-testid="bot-partition">(.*?)</div>', html, re.S)
    assert partition
    assert re.search(r'data-testid="partition-total">11<', partition.group(1))
    # 1, 3, 4 and 3 of 11: 9.09, 27.27, 36.36, 27.27 % rounded so that they add up to 100.0 %.
    assert re.findall(r'data-testid="partition-share">([^<]+)<', partition.group(1)) == [
        "9.1 %",
        "27.3 %",
        "36.3 %",
        "27.3 %",
    ]
    assert "100.0 %" in partition.group(1)


def test_every_table_has_its_chart_its_rows_and_a_csv_link(
    client: TestClient, session: Session, lead: str
) -> None:
    build_history(session)
    board = build_dashboard(session, period=PERIOD, filters=DashboardFilters())

    html = client.get(DASHBOARD).text

    for key in TABLE_KEYS:
        found = re.search(rf'data-testid="dashboard-table" data-key="{key}">(.*?)</article>', html, re.S)
        assert found, key
        block = found.group(1)
        assert f'href="/console/dashboard/export/{key}.csv?from=2026-03-24&amp;to=2026-03-30"' in block
        assert block.count("<tr>") == len(board.table(key).rows) + 1  # the header and every row
        assert ('data-chart="' in block) == (board.table(key).chart is not None)
    # Chart data is an escaped attribute (read by dashboard.js), never an inline script.
    assert "<script>" not in html and "<script type" not in html


def test_figures_without_data_show_a_dash_and_a_hint_never_zero(
    client: TestClient, session: Session, lead: str
) -> None:
    html = client.get("/console/dashboard?from=2025-01-06&to=2025-01-12").text

    for key in ("deflection_rate", "frt_median", "csat_average", "sla_resolution_compliance"):
        block = text_of(figure_block(html, key))
        assert "\N{EN DASH}" in block and "No data for this period and these filters." in block
        assert "0.0 %" not in block
    assert "No conversation asked the bot anything in this period." in html


def test_filters_narrow_every_figure_and_stay_selected(
    client: TestClient, session: Session, lead: str
) -> None:
    build_history(session)
    telegram = build_dashboard(session, period=PERIOD, filters=DashboardFilters(channel="telegram"))

    html = client.get(f"{DASHBOARD}&channel=telegram").text

    assert '<option value="telegram" selected>' in html
    assert f">{telegram.figure('tickets_created').value}<" in figure_block(html, "tickets_created")
    assert f">{telegram.figure('bot_conversations').value}<" in figure_block(html, "bot_conversations")
    assert "channel=telegram" in re.search(
        r'href="(/console/dashboard/export/volume_by_day.csv[^"]*)"', html
    ).group(1)

    by_category = client.get(f"{DASHBOARD}&category=billing").text
    assert "Outcomes are not defined with a category, group or agent filter" in by_category


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2026-03-30&to=2026-03-24", "The end date 2026-03-24 is before the start date 2026-03-30."),
        (
            "days=custom&from=2026-02-30&to=2026-03-01",
            "The start date &#39;2026-02-30&#39; is not a date like 2026-04-30.",
        ),
        ("days=many", "The number of days must be a whole number"),
        ("days=0", "The number of days must be between 1 and 366"),
        ("group=nobody", "There is no skill group &#39;nobody&#39;."),
        ("channel=fax", "There is no channel &#39;fax&#39;"),
        ("agent=99999", "There is no agent with id 99999."),
    ],
)
def test_a_bad_period_or_filter_is_a_422_page_saying_what_to_change(
    client: TestClient, lead: str, query: str, message: str
) -> None:
    response = client.get(f"/console/dashboard?{query}")
    assert response.status_code == 422
    assert 'data-testid="error-page"' in response.text
    assert message in response.text


def read_csv(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark, as spreadsheets want it
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_a_table_downloads_as_csv_with_the_period_in_its_name(
    client: TestClient, session: Session, lead: str
) -> None:
    build_history(session)
    table = build_dashboard(session, period=PERIOD, filters=DashboardFilters()).table("handoffs_by_reason")

    response = client.get(f"/console/dashboard/export/handoffs_by_reason.csv?{PERIOD_PARAMS}")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        'attachment; filename="deskmate-handoffs_by_reason-2026-03-24_2026-03-30.csv"'
    )
    rows = read_csv(response.content)
    assert rows[0] == ["Reason", "Tickets", "Share", "Previous period"]
    assert rows[1:] == [["" if cell is None else str(cell) for cell in row] for row in table.rows]
    assert rows[1][:2] == ["Asked for a person", "3"]


def test_csv_cells_that_look_like_formulas_are_quoted(
    client: TestClient, session: Session, lead: str
) -> None:
    names = ('=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)")
    for index, name in enumerate(names):
        agent = make_agent(session, f"formula{index}@example.com")
        agent.display_name = name  # admins type agents' names; a spreadsheet must not run them
        conversation, _token = start_conversation(session, channel="web")
        number = hand_off(
            session, conversation_public_id=conversation.public_id, reason="asked_for_human"
        ).ticket_number
        ticket = get_ticket(session, number=number)
        assert ticket is not None
        assign(session, ticket, agent, actor="system", reason="test")
    session.flush()

    today = datetime.now(UTC).date()
    response = client.get(
        f"/console/dashboard/export/agent_load.csv?from={today - timedelta(days=1)}&to={today}"
    )

    exported = [row[0] for row in read_csv(response.content)[1:]]
    assert {'\'=HYPERLINK("http://evil.example","x")', "'+1+1", "'-2+3", "'@SUM(A1)"} <= set(exported)
    assert not any(name.startswith(("=", "+", "-", "@")) for name in exported)


def test_an_unknown_table_is_a_404_page(client: TestClient, lead: str) -> None:
    response = client.get("/console/dashboard/export/passwords.csv")
    assert response.status_code == 404
    assert 'data-testid="error-page"' in response.text


HOSTILE = [
    "<script>alert('gap')</script> how do I export invoices to CSV?",
    'export invoices <img src=x onerror="alert(1)"> as a spreadsheet',
    "can I export all my invoices at once",
]


def test_kb_gaps_show_customers_questions_escaped(client: TestClient, session: Session, lead: str) -> None:
    missed_questions(session, HOSTILE)

    page = client.get("/console/dashboard?days=7")
    response = client.get("/console/dashboard/gaps?days=7", headers={"HX-Request": "true"})

    assert 'hx-get="/console/dashboard/gaps?days=7"' in page.text
    assert response.status_code == 200
    html = response.text
    assert html.count('data-testid="kb-gap"') == 1
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#39;gap&#39;)&lt;/script&gt; how do I export invoices to CSV?" in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html
    assert "<strong>3</strong> questions" in html
    assert "new in this period" in html


def test_kb_gaps_say_how_many_questions_are_left_out_and_why(
    client: TestClient, session: Session, lead: str
) -> None:
    missed_questions(session, HOSTILE)
    conversation, _token = start_conversation(session, channel="web")
    record_kb_query(session, conversation_public_id=conversation.public_id, question="an old question",
                    decision="miss", article_id=None, confidence=0.1, nearest_article_id=None,
                    nearest_score=None, embedding=None)
    session.flush()

    html = client.get("/console/dashboard/gaps?days=7", headers={"HX-Request": "true"}).text

    summary = html[html.index('data-testid="kb-gaps-summary"'):]
    assert "3 questions the bot did not settle" in summary and "1 topic" in summary
    assert "1 recorded without an embedding are left out" in summary
    assert "python -m handoff embed-gap-questions" in summary


def test_marking_a_gap_handled_needs_the_csrf_token(client: TestClient, session: Session, lead: str) -> None:
    missed_questions(session, HOSTILE)
    html = client.get("/console/dashboard/gaps?days=7", headers={"HX-Request": "true"}).text
    key = re.search(r'data-testid="kb-gap" data-key="([0-9a-f]+)"', html).group(1)

    refused = client.post(f"/console/dashboard/gaps/{key}/handled", data={"days": "7"})
    assert refused.status_code == 403
    assert session.scalars(select(KbQuery.gap_handled_at)).all() == [None, None, None]

    unknown = client.post(
        "/console/dashboard/gaps/0000000000000000/handled", data={"days": "7", "csrf_token": lead}
    )
    assert unknown.status_code == 404

    done = client.post(
        f"/console/dashboard/gaps/{key}/handled", data={"days": "7", "csrf_token": form_token(html)}
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/console/dashboard?days=7&handled=3#kb-gaps"
    assert None not in session.scalars(select(KbQuery.gap_handled_at)).all()
    assert "Marked 3 questions as handled." in client.get("/console/dashboard?days=7&handled=3").text
    after = client.get("/console/dashboard/gaps?days=7", headers={"HX-Request": "true"}).text
    assert 'data-testid="kb-gap"' not in after


def test_without_javascript_the_kb_gaps_open_as_a_page(
    client: TestClient, session: Session, lead: str
) -> None:
    missed_questions(session, HOSTILE)

    response = client.get("/console/dashboard/gaps?days=7")

    assert response.status_code == 200
    assert "<h1>KB gaps: what to write next</h1>" in response.text
    assert 'href="/console/dashboard?days=7"' in response.text
    assert response.text.count('data-testid="kb-gap"') == 1


def test_period_of_a_rolling_window_ends_now(client: TestClient, lead: str) -> None:
    html = client.get("/console/dashboard?days=7").text
    now = datetime.now(UTC)
    assert f"{now - timedelta(days=7):%d %b %Y}" in html
    assert '<option value="7" selected>' in html


def test_the_page_says_when_its_figures_were_built_and_updates_them_on_request(
    client: TestClient, session: Session, lead: str
) -> None:
    first = client.get("/console/dashboard?days=7").text
    assert re.search(r"Figures as of \d{4}-\d\d-\d\d \d\d:\d\d UTC", text_of(first))
    assert figure_value(first, "tickets_created") == "0"

    conversation, _token = start_conversation(session, channel="web")
    hand_off(session, conversation_public_id=conversation.public_id, reason="asked_for_human")
    session.flush()
    again = client.get("/console/dashboard?days=7").text
    assert figure_value(again, "tickets_created") == "0"  # the recent build, served as it is

    refresh = re.search(r'href="([^"]+)" data-testid="refresh"', first)
    assert refresh and "fresh=1" in refresh.group(1)
    updated = client.get(refresh.group(1).replace("&amp;", "&")).text
    assert figure_value(updated, "tickets_created") == "1"


def figure_value(html: str, key: str) -> str:
    found = re.search(r'data-testid="figure-value"[^>]*>([^<]*)<', figure_block(html, key))
    assert found, key
    return found.group(1).strip()
