"""Console pages through HTTP on a real database: sign-in, CSRF, roles, refusals, escaping."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from handoff import OutboxItem, get_ticket, hand_off
from handoff.models import ApiToken
from tests.console.conftest import PASSWORD, form_token, sign_in
from tests.utils.factories import add_to_group, make_agent, make_conversation


def _ticket(session: Session, *texts: str) -> int:
    conversation = make_conversation(session, *texts)
    return hand_off(
        session, conversation_public_id=conversation.public_id, reason="asked_for_human"
    ).ticket_number


def test_sign_in_sets_a_safe_cookie_and_sign_out_revokes_it(client: TestClient, session: Session) -> None:
    make_agent(session, "sam@example.com")
    page = client.get("/console/login")
    response = client.post(
        "/console/login",
        data={
            "email": "sam@example.com",
            "password": PASSWORD,
            "csrf_token": form_token(page.text),
            "next": "/console/board",
        },
    )
    assert response.status_code == 303 and response.headers["location"] == "/console/board"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/console" in cookie
    stolen = client.cookies.get("deskmate_console")
    assert session.scalar(select(ApiToken)) is not None
    token = form_token(client.get("/console/tickets").text)
    assert client.post("/console/logout", data={"csrf_token": token}).status_code == 303
    client.cookies.set("deskmate_console", stolen or "", path="/console")
    assert client.get("/console/tickets").headers["location"].startswith("/console/login")


def test_wrong_password_then_lockout_even_with_the_right_one(client: TestClient, session: Session) -> None:
    make_agent(session, "kim@example.com")
    for _ in range(5):
        page = client.get("/console/login")
        wrong = client.post(
            "/console/login",
            data={
                "email": "kim@example.com",
                "password": "not the password",
                "csrf_token": form_token(page.text),
            },
        )
        assert wrong.status_code == 401 and "Wrong e-mail or password" in wrong.text
    page = client.get("/console/login")
    locked = client.post(
        "/console/login",
        data={"email": "kim@example.com", "password": PASSWORD, "csrf_token": form_token(page.text)},
    )
    assert locked.status_code == 429 and "Too many failed sign-ins" in locked.text
    assert "deskmate_console" not in locked.headers.get("set-cookie", "")


def test_login_form_without_its_token_is_refused(client: TestClient, session: Session) -> None:
    make_agent(session, "sam@example.com")
    refused = client.post("/console/login", data={"email": "sam@example.com", "password": PASSWORD})
    assert refused.status_code == 403 and 'data-testid="error-page"' in refused.text


def test_state_change_without_csrf_token_is_refused(client: TestClient, session: Session) -> None:
    agent = make_agent(session, "sam@example.com")
    add_to_group(session, agent, "technical")
    number = _ticket(session, "the stripe integration fails", "human please")
    token = sign_in(client, "sam@example.com")
    refused = client.post(f"/console/tickets/{number}/claim")
    assert refused.status_code == 403 and "security token" in refused.text
    forged = client.post(f"/console/tickets/{number}/claim", data={"csrf_token": "forged"})
    assert forged.status_code == 403
    ticket = get_ticket(session, number=number)
    assert ticket is not None and ticket.assignee_id is None
    claimed = client.post(f"/console/tickets/{number}/claim", data={"csrf_token": token})
    assert claimed.status_code == 303
    assert ticket.assignee_id == agent.id and ticket.status == "in_progress"


def test_other_groups_ticket_is_a_403_page_and_unknown_is_a_404_page(
    client: TestClient, session: Session
) -> None:
    make_agent(session, "olga@example.com")
    number = _ticket(session, "the stripe integration fails", "human please")
    sign_in(client, "olga@example.com")
    refused = client.get(f"/console/tickets/{number}")
    assert refused.status_code == 403 and "belongs to a group you are not in" in refused.text
    assert f"#{number}" not in client.get("/console/tickets").text.replace(f"Ticket #{number}", "")
    missing = client.get("/console/tickets/99999")
    assert missing.status_code == 404 and "There is no ticket #99999" in missing.text
    assert client.get("/console/tickets/not-a-number").status_code == 404


def test_only_leads_assign(client: TestClient, session: Session) -> None:
    sam = make_agent(session, "sam@example.com")
    add_to_group(session, sam, "billing")
    number = _ticket(session, "I need a receipt with our VAT number", "agent please")
    token = sign_in(client, "sam@example.com")
    refused = client.post(f"/console/tickets/{number}/assign", data={"csrf_token": token, "agent_id": sam.id})
    assert refused.status_code == 403 and "Only leads and admins" in refused.text


def test_refused_transition_says_why_and_changes_nothing(client: TestClient, session: Session) -> None:
    make_agent(session, "lee@example.com", role="lead")
    number = _ticket(session, "talk to a human")
    token = sign_in(client, "lee@example.com")
    assert client.post(f"/console/tickets/{number}/resolve", data={"csrf_token": token}).status_code == 303
    assert (
        client.post(
            f"/console/tickets/{number}/status", data={"csrf_token": token, "status": "closed"}
        ).status_code
        == 303
    )
    refused = client.post(
        "/console/board/move",
        data={"csrf_token": token, "number": number, "status": "in_progress"},
        headers={"HX-Request": "true"},
    )
    assert refused.status_code == 409 and "cannot go from closed to in_progress" in refused.text
    ticket = get_ticket(session, number=number)
    assert ticket is not None and ticket.status == "closed"


def test_reply_with_template_goes_to_the_outbox(client: TestClient, session: Session) -> None:
    agent = make_agent(session, "sam@example.com")
    add_to_group(session, agent, "technical")
    number = _ticket(session, "the stripe integration fails", "human please")
    token = sign_in(client, "sam@example.com")
    page = client.get(f"/console/tickets/{number}")
    template_id = page.text.split('<option value="', 2)[2].split('"', 1)[0]  # the first real template
    filled = client.post(
        f"/console/tickets/{number}/template",
        data={"template_id": template_id},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert filled.status_code == 200 and "{" not in filled.text.split(">", 1)[1]
    sent = client.post(
        f"/console/tickets/{number}/reply",
        data={"text": "Looking at it now"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert sent.status_code == 200
    outbox = list(session.scalars(select(OutboxItem)))
    assert [item.message.text for item in outbox] == ["Looking at it now"]
    empty = client.post(
        f"/console/tickets/{number}/reply",
        data={"text": "   "},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert empty.status_code == 422 and "write something" in empty.text


def test_customer_html_is_escaped_everywhere(client: TestClient, session: Session) -> None:
    make_agent(session, "lee@example.com", role="lead")
    payload = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    number = _ticket(session, payload, "agent please")
    sign_in(client, "lee@example.com")
    for url in (
        f"/console/tickets/{number}",
        "/console/tickets",
        "/console/board",
        f"/console/tickets?q={payload}",
    ):
        html = client.get(url).text
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html or url.endswith(payload), url
    page = client.get(f"/console/tickets/{number}")
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_reply_that_could_not_be_delivered_is_marked_on_the_ticket(client: TestClient, session: Session) -> None:
    agent = make_agent(session, "sam@example.com")
    add_to_group(session, agent, "technical")
    number = _ticket(session, "the stripe integration fails", "human please")
    token = sign_in(client, "sam@example.com")
    client.post(f"/console/tickets/{number}/reply", data={"text": "Try reconnecting Stripe"},
                headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert "Not delivered" not in client.get(f"/console/tickets/{number}").text
    item = session.scalars(select(OutboxItem)).one()
    item.status = "failed"  # what the outbox does once a channel gave up (e.g. Telegram kept failing)
    session.flush()
    page = client.get(f"/console/tickets/{number}").text
    assert 'data-testid="undelivered"' in page and "Not delivered" in page
