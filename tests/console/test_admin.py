"""Admin pages on a real database: who may enter, agents, groups, SLA, templates, uploads."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.console import knowledge
from bot.settings import Settings, get_settings
from handoff import Agent, always_human_topic
from handoff import get_settings as handoff_settings
from handoff.always_human import topics_file
from handoff.classification import load_rules
from handoff.models import ApiToken, SkillGroup, SlaPolicy
from tests.console.conftest import sign_in
from tests.utils.factories import make_agent


@pytest.fixture
def admin_token(client: TestClient, session: Session) -> str:
    make_agent(session, "ada@example.com", role="admin")
    return sign_in(client, "ada@example.com")


def test_agents_and_leads_get_a_403_page(client: TestClient, session: Session) -> None:
    make_agent(session, "lee@example.com", role="lead")
    sign_in(client, "lee@example.com")
    for path in (
        "/console/admin/users",
        "/console/admin/groups",
        "/console/admin/sla",
        "/console/admin/knowledge",
    ):
        refused = client.get(path)
        assert refused.status_code == 403 and "Only admins" in refused.text, path
    assert client.get("/console/admin/templates").status_code == 200  # leads keep the templates


def test_admin_adds_an_agent_and_deactivating_signs_them_out(
    client: TestClient, session: Session, admin_token: str
) -> None:
    weak = client.post(
        "/console/admin/users",
        data={
            "csrf_token": admin_token,
            "email": "new@example.com",
            "display_name": "New",
            "role": "agent",
            "password": "short",
        },
    )
    assert weak.status_code == 409 and "at least 10 characters" in weak.text
    added = client.post(
        "/console/admin/users",
        data={
            "csrf_token": admin_token,
            "email": "new@example.com",
            "display_name": "New",
            "role": "agent",
            "password": "a long enough password",
        },
    )
    assert added.status_code == 303
    new = session.scalar(select(Agent).where(Agent.email == "new@example.com"))
    assert new is not None and new.password_hash.startswith("$argon2")
    technical = session.scalar(select(SkillGroup).where(SkillGroup.name == "technical"))
    assert technical is not None
    other = TestClient(client.app, follow_redirects=False)
    sign_in(other, "new@example.com", "a long enough password")
    saved = client.post(
        f"/console/admin/users/{new.id}",
        data={"csrf_token": admin_token, "role": "lead", "capacity": "5", "group_ids": [str(technical.id)]},
    )
    assert saved.status_code == 303
    assert (new.role, new.is_active, new.capacity, [g.name for g in new.groups]) == (
        "lead",
        False,
        5,
        ["technical"],
    )
    assert session.scalar(select(ApiToken).where(ApiToken.agent_id == new.id)) is None
    assert other.get("/console/tickets").status_code == 303  # back to the sign-in page


def test_admin_sets_an_agents_skills(client: TestClient, session: Session, admin_token: str) -> None:
    agent = make_agent(session, "sam@example.com")
    page_before = client.get("/console/admin/users")
    assert 'data-testid="agent-skills"' in page_before.text
    saved = client.post(
        f"/console/admin/users/{agent.id}",
        data={"csrf_token": admin_token, "role": "agent", "is_active": "true", "skills": " Billing, refunds,billing "},
    )
    assert saved.status_code == 303
    assert agent.skills == ["billing", "refunds"]
    assert "billing, refunds" in client.get("/console/admin/users").text
    too_many = ", ".join(f"skill{n}" for n in range(25))
    refused = client.post(
        f"/console/admin/users/{agent.id}",
        data={"csrf_token": admin_token, "role": "agent", "is_active": "true", "skills": too_many},
    )
    assert refused.status_code == 409 and "At most 20 skills" in refused.text
    assert agent.skills == ["billing", "refunds"]


def test_admin_cannot_lock_themselves_out(client: TestClient, session: Session, admin_token: str) -> None:
    admin = session.scalar(select(Agent).where(Agent.email == "ada@example.com"))
    assert admin is not None
    refused = client.post(
        f"/console/admin/users/{admin.id}",
        data={"csrf_token": admin_token, "role": "agent", "is_active": "true"},
    )
    assert refused.status_code == 409 and "your own admin role" in refused.text
    assert admin.role == "admin"


def test_group_escalation_cannot_loop(client: TestClient, session: Session, admin_token: str) -> None:
    groups = {g.name: g for g in session.scalars(select(SkillGroup))}
    engineering, senior = groups["engineering"], groups["senior"]
    refused = client.post(
        f"/console/admin/groups/{engineering.id}",
        data={
            "csrf_token": admin_token,
            "dispatch_mode": "auto",
            "tier": "3",
            "escalation_group_id": str(senior.id),
        },
    )
    assert refused.status_code == 409 and "circle" in refused.text
    saved = client.post(
        f"/console/admin/groups/{groups['technical'].id}",
        data={
            "csrf_token": admin_token,
            "dispatch_mode": "review",
            "tier": "1",
            "categories": "Integrations, bugs",
            "escalation_group_id": str(senior.id),
            "calendar": "default",
        },
    )
    assert saved.status_code == 303
    assert (groups["technical"].dispatch_mode, groups["technical"].categories) == (
        "review",
        ["bugs", "integrations"],
    )


def test_sla_policy_targets_are_checked(client: TestClient, session: Session, admin_token: str) -> None:
    normal = session.scalar(
        select(SlaPolicy).where(SlaPolicy.priority == "normal", SlaPolicy.category.is_(None))
    )
    assert normal is not None
    values = {"csrf_token": admin_token, "name": "Normal", "priority": "normal", "calendar": "default"}
    backwards = client.post(
        f"/console/admin/sla/{normal.id}",
        data={**values, "first_response_minutes": "300", "resolution_minutes": "200"},
    )
    assert backwards.status_code == 409 and "cannot be shorter" in backwards.text
    saved = client.post(
        f"/console/admin/sla/{normal.id}",
        data={**values, "first_response_minutes": "120", "resolution_minutes": "900"},
    )
    assert saved.status_code == 303 and (normal.first_response_minutes, normal.resolution_minutes) == (
        120,
        900,
    )
    duplicate = client.post(
        "/console/admin/sla", data={**values, "first_response_minutes": "1", "resolution_minutes": "2"}
    )
    assert duplicate.status_code == 409 and "already a policy" in duplicate.text


def test_template_with_unknown_placeholder_is_refused(client: TestClient, admin_token: str) -> None:
    refused = client.post(
        "/console/admin/templates", data={"csrf_token": admin_token, "name": "Bad", "body": "Hi {first_name}"}
    )
    assert refused.status_code == 409 and "{first_name}" in refused.text
    added = client.post(
        "/console/admin/templates",
        data={"csrf_token": admin_token, "name": "Thanks", "body": "Thanks {customer_name}!"},
    )
    assert added.status_code == 303
    assert "Thanks {customer_name}!" in client.get("/console/admin/templates").text


def test_upload_keeps_a_safe_file_for_the_next_ingest(
    client: TestClient, admin_token: str, tmp_path: Path
) -> None:
    client.app.dependency_overrides[get_settings] = lambda: Settings(var_dir=tmp_path)  # type: ignore[attr-defined]
    files = {"article": ("../../etc/new-article.md", b"---\ntitle: New\n---\nText", "text/markdown")}
    saved = client.post("/console/admin/knowledge/upload", data={"csrf_token": admin_token}, files=files)
    assert saved.status_code == 303
    assert [path.name for path in knowledge.uploaded_files(tmp_path)] == ["new-article.md"]
    bad = client.post(
        "/console/admin/knowledge/upload",
        data={"csrf_token": admin_token},
        files={"article": ("run.sh", b"echo", "text/plain")},
    )
    assert bad.status_code == 422 and "Markdown or HTML" in bad.text
    page = client.get("/console/admin/knowledge")
    assert "new-article.md" in page.text and "refund dispute" in page.text


def test_ingest_runner_keeps_the_report(tmp_path: Path) -> None:
    report = '{"version": "v2", "articles": 51, "added": 1}'
    runner = knowledge.IngestRunner(tmp_path, command=["python3", "-c", f"print('{report}')"])
    assert runner.start()
    runner.wait(30)
    run = knowledge.last_run(tmp_path)
    assert run is not None and run.state == "done" and run.report["added"] == 1
    failing = knowledge.IngestRunner(
        tmp_path, command=["python3", "-c", "import sys; sys.exit('no sources')"]
    )
    failing.start()
    failing.wait(30)
    run = knowledge.last_run(tmp_path)
    assert run is not None and run.state == "failed" and "no sources" in run.error


def test_admin_edits_always_human_topics_and_the_bot_follows(
    client: TestClient, admin_token: str, tmp_path: Path
) -> None:
    client.app.dependency_overrides[get_settings] = lambda: Settings(var_dir=tmp_path)  # type: ignore[attr-defined]
    shipped = client.get("/console/admin/knowledge")
    assert 'data-topic="refund_dispute"' in shipped.text
    added = client.post(
        "/console/admin/knowledge/topics",
        data={"csrf_token": admin_token, "name": "Data deletion", "phrases": "Delete my data\ngdpr request, erase my account"},
    )
    assert added.status_code == 303
    page = client.get("/console/admin/knowledge")
    assert 'data-topic="data_deletion"' in page.text and "gdpr request" in page.text
    assert 'data-topic="refund_dispute"' in page.text  # the shipped topics are kept

    rules = load_rules(handoff_settings().rules_file, topics_path=topics_file(tmp_path))
    assert always_human_topic("Hi, please delete my data today", rules) == "data_deletion"

    empty = client.post(
        "/console/admin/knowledge/topics", data={"csrf_token": admin_token, "name": "Nothing", "phrases": " \n "}
    )
    assert empty.status_code == 409 and "at least one phrase" in empty.text
    removed = client.post("/console/admin/knowledge/topics/refund_dispute/delete", data={"csrf_token": admin_token})
    assert removed.status_code == 303
    rules = load_rules(handoff_settings().rules_file, topics_path=topics_file(tmp_path))
    assert "refund_dispute" not in rules.always_human and "data_deletion" in rules.always_human
    unknown = client.post("/console/admin/knowledge/topics/no_such/delete", data={"csrf_token": admin_token})
    assert unknown.status_code == 404
    no_csrf = client.post("/console/admin/knowledge/topics", data={"name": "x", "phrases": "abc"})
    assert no_csrf.status_code == 403
