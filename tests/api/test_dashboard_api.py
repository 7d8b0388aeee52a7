"""/api/dashboard: the same figures as handoff.metrics for the same history, leads only, clear 422s."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from handoff.kb_gaps import clear_cache
from handoff.metrics import FIGURE_KEYS, TABLE_KEYS, DashboardFilters, build_dashboard
from handoff.models import KbQuery
from tests.handoff.metrics_history import PERIOD, build_history
from tests.utils.factories import make_agent
from tests.utils.kb_gap_history import missed_questions

PASSWORD = "correct horse battery"
PERIOD_PARAMS = {"from": "2026-03-24", "to": "2026-03-30"}  # PERIOD as whole UTC days


def bearer(client: TestClient, session: Session, email: str, role: str) -> dict[str, str]:
    make_agent(session, email, role=role)
    response = client.post("/api/agent/token", data={"username": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
def lead(client: TestClient, session: Session) -> dict[str, str]:
    clear_cache()
    return bearer(client, session, "lee.lead@example.com", "lead")


def test_agents_get_403_and_strangers_401(client: TestClient, session: Session) -> None:
    agent = bearer(client, session, "ann.agent@example.com", "agent")
    for path in ("/api/dashboard", "/api/dashboard/figures/deflection_rate", "/api/dashboard/gaps"):
        assert client.get(path, headers=agent).status_code == 403
        assert client.get(path).status_code == 401
    assert client.post("/api/dashboard/gaps/abc/handled", headers=agent).status_code == 403


def test_the_json_has_the_figures_and_tables_of_handoff_metrics(
    client: TestClient, session: Session, lead: dict[str, str]
) -> None:
    build_history(session)
    expected = build_dashboard(session, period=PERIOD, filters=DashboardFilters()).to_dict()

    response = client.get("/api/dashboard", params=PERIOD_PARAMS, headers=lead)

    assert response.status_code == 200
    body = response.json()
    assert body["period"] == {"start": "2026-03-24T00:00:00Z", "end": "2026-03-31T00:00:00Z"}
    assert body["previous_period"] == {"start": "2026-03-17T00:00:00Z", "end": "2026-03-24T00:00:00Z"}
    assert [figure["key"] for figure in body["figures"]] == list(FIGURE_KEYS)
    assert body["figures"] == expected["figures"]
    assert body["tables"] == expected["tables"]
    deflection = next(figure for figure in body["figures"] if figure["key"] == "deflection_rate")
    assert deflection["value"] == pytest.approx(4 / 11) and deflection["previous"] == pytest.approx(1 / 3)


def test_one_figure_and_one_table_with_filters(
    client: TestClient, session: Session, lead: dict[str, str]
) -> None:
    build_history(session)
    telegram = build_dashboard(session, period=PERIOD, filters=DashboardFilters(channel="telegram"))

    figure = client.get(
        "/api/dashboard/figures/tickets_created",
        params={**PERIOD_PARAMS, "channel": "telegram"},
        headers=lead,
    ).json()
    table = client.get(
        "/api/dashboard/tables/volume_by_day", params={**PERIOD_PARAMS, "channel": "telegram"}, headers=lead
    ).json()

    assert figure["filters"] == {"channel": "telegram", "category": "", "group": "", "agent_id": None}
    assert figure["figure"]["value"] == telegram.figure("tickets_created").value
    assert figure["figure"]["help"] == telegram.figure("tickets_created").help
    assert table["table"]["rows"] == telegram.table("volume_by_day").rows


def test_a_figure_without_data_is_null_not_zero(client: TestClient, lead: dict[str, str]) -> None:
    body = client.get(
        "/api/dashboard/figures/frt_median", params={"from": "2025-01-06", "to": "2025-01-12"}, headers=lead
    ).json()
    assert body["figure"]["value"] is None


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"from": "2026-03-30", "to": "2026-03-24"},
            "The end date 2026-03-24 is before the start date 2026-03-30.",
        ),
        (
            {"days": "30", "from": "2026-03-01", "to": "2026-03-02"},
            "Give either a number of days or a from/to pair",
        ),
        ({"from": "2026-03-01"}, "A custom period needs both dates: from and to."),
        ({"group": "nobody"}, "There is no skill group 'nobody'."),
        ({"category": "astrology"}, "There is no category 'astrology'"),
        ({"from": "2016-01-01", "to": "2026-01-01"}, "A period is at most 366 days long."),
    ],
)
def test_a_bad_period_or_filter_is_a_422_that_says_why(
    client: TestClient, lead: dict[str, str], params: dict[str, str], message: str
) -> None:
    response = client.get("/api/dashboard", params=params, headers=lead)
    assert response.status_code == 422
    assert message in response.json()["detail"]


def test_malformed_parameters_and_unknown_keys_are_422(client: TestClient, lead: dict[str, str]) -> None:
    for path, params in (
        ("/api/dashboard", {"days": "0"}),
        ("/api/dashboard", {"from": "yesterday", "to": "today"}),
        ("/api/dashboard/figures/happiness", {}),
        ("/api/dashboard/tables/passwords", {}),
    ):
        response = client.get(path, params=params, headers=lead)
        assert response.status_code == 422, path
        assert response.json()["detail"][0]["msg"]
    unknown = client.get("/api/dashboard/figures/happiness", headers=lead).json()["detail"][0]["msg"]
    assert "deflection_rate" in unknown  # the error lists the figures there are


def test_gaps_are_listed_and_marked_handled(
    client: TestClient, session: Session, lead: dict[str, str]
) -> None:
    missed_questions(
        session,
        [
            "how do I export invoices to CSV",
            "export my invoices as csv please",
            "can I export invoices to a spreadsheet",
        ],
    )

    body = client.get("/api/dashboard/gaps", params={"days": 7}, headers=lead).json()

    assert body["count"] == 1
    gap = body["data"][0]
    assert gap["size"] == 3 and gap["previous_size"] == 0
    assert gap["nearest_article_id"] == "invoices-export" and gap["nearest_score"] == pytest.approx(0.41)
    assert sum(week["questions"] for week in gap["weekly"]) == 3
    assert set(gap["representatives"]) <= {
        "how do I export invoices to CSV",
        "export my invoices as csv please",
        "can I export invoices to a spreadsheet",
    }
    assert gap["suggested_title"]

    assert (
        client.post(
            "/api/dashboard/gaps/0123456789abcdef/handled", params={"days": 7}, headers=lead
        ).status_code
        == 404
    )
    done = client.post(f"/api/dashboard/gaps/{gap['key']}/handled", params={"days": 7}, headers=lead)
    assert done.json() == {"key": gap["key"], "marked": 3}
    assert None not in session.scalars(select(KbQuery.gap_handled_at)).all()
    assert client.get("/api/dashboard/gaps", params={"days": 7}, headers=lead).json()["count"] == 0


def test_openapi_documents_every_route_figure_and_field(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()

    for path in (
        "/api/dashboard",
        "/api/dashboard/figures/{key}",
        "/api/dashboard/tables/{key}",
        "/api/dashboard/gaps",
        "/api/dashboard/gaps/{key}/handled",
    ):
        assert path in schema["paths"], path
    components = schema["components"]["schemas"]
    assert components["FigureKey"]["enum"] == list(FIGURE_KEYS)
    assert components["TableKey"]["enum"] == list(TABLE_KEYS)
    figure = components["FigurePublic"]["properties"]
    assert "never 0" in figure["value"]["description"]
    assert re.search(r"business minutes", figure["unit"]["description"])
    parameters = {item["name"] for item in schema["paths"]["/api/dashboard"]["get"]["parameters"]}
    assert {"days", "from", "to", "channel", "category", "group", "agent"} <= parameters
