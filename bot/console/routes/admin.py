"""Admin pages for the team's set-up: agents, skill groups, SLA policies (admins only).

Plain forms: a change redirects back with "Saved"; a refused one shows the page again with the
reason. Anyone else gets a 403 page. Templates and the knowledge base are in `admin_content`.
"""

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.console.admin_ops import (
    DISPATCH_MODES,
    PRIORITIES,
    calendar_names,
    create_group,
    save_sla_policy,
    update_agent,
    update_group,
)
from bot.console.auth import AdminAgent, LeadAgent, check_csrf, not_found
from bot.console.queries import all_groups, categories
from bot.console.routes.admin_forms import apply_change, page
from bot.deps import SessionDep
from handoff import Agent, create_agent
from handoff.agents import ROLES
from handoff.models import SkillGroup, SlaPolicy

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/console/admin", include_in_schema=False, dependencies=[Depends(check_csrf)])

Text = Annotated[str, Form(max_length=300)]
Minutes = Annotated[int, Form()]


@router.get("")
def read_admin_home(_lead: LeadAgent) -> Response:
    """Admins start with the agents, leads with the templates."""
    return RedirectResponse("/console/admin/users", status_code=303)


# Agents ---------------------------------------------------------------------------------------


def _users_page(request: Request, session: Session, error: str = "") -> Response:
    agents = list(session.scalars(select(Agent).order_by(Agent.is_active.desc(), Agent.display_name)))
    return page(
        request,
        "admin_users.html",
        {
            "agents": agents,
            "groups": all_groups(session),
            "categories": categories(session),
            "roles": ROLES,
            "section": "users",
        },
        error=error,
    )


@router.get("/users")
def read_users(request: Request, session: SessionDep, _admin: AdminAgent) -> Response:
    """Agents, leads and admins: roles, groups, availability, capacity."""
    return _users_page(request, session)


@router.post("/users")
def create_user(
    *,
    request: Request,
    session: SessionDep,
    _admin: AdminAgent,
    email: Annotated[str, Form(max_length=254)],
    display_name: Text,
    role: Annotated[str, Form(max_length=16)] = "agent",
    password: Annotated[str, Form(max_length=1024)],
) -> Response:
    """A new agent with an argon2-hashed password (at least 10 characters)."""
    return apply_change(
        session,
        "/console/admin/users",
        lambda: create_agent(
            session, email=email, display_name=display_name.strip() or email, password=password, role=role
        ),
        lambda error: _users_page(request, session, error),
    )


@router.post("/users/{agent_id}")
def update_user(
    *,
    request: Request,
    session: SessionDep,
    admin: AdminAgent,
    agent_id: int,
    role: Annotated[str, Form(max_length=16)],
    capacity: Annotated[int, Form()] = 8,
    is_active: Annotated[bool, Form()] = False,
    is_available: Annotated[bool, Form()] = False,
    group_ids: Annotated[list[int], Form()] = [],  # noqa: B006  (FastAPI copies defaults)
    skills: Annotated[str | None, Form(max_length=2000)] = None,
) -> Response:
    """Change role, groups, skills, availability and capacity; deactivating signs the agent out."""
    agent = session.get(Agent, agent_id)
    if agent is None:
        raise not_found("There is no such agent.")
    return apply_change(
        session,
        "/console/admin/users",
        lambda: update_agent(
            session,
            admin=admin,
            agent=agent,
            role=role,
            is_active=is_active,
            is_available=is_available,
            capacity=capacity,
            group_ids=group_ids,
            skills=skills,
        ),
        lambda error: _users_page(request, session, error),
    )


# Skill groups ---------------------------------------------------------------------------------


def _groups_page(request: Request, session: Session, error: str = "") -> Response:
    return page(
        request,
        "admin_groups.html",
        {
            "groups": all_groups(session),
            "modes": DISPATCH_MODES,
            "calendars": calendar_names(session),
            "section": "groups",
        },
        error=error,
    )


@router.get("/groups")
def read_groups(request: Request, session: SessionDep, _admin: AdminAgent) -> Response:
    """Skill groups: dispatch mode, tier, categories, escalation, calendar."""
    return _groups_page(request, session)


@router.post("/groups")
def create_skill_group(
    *,
    request: Request,
    session: SessionDep,
    _admin: AdminAgent,
    name: Annotated[str, Form(max_length=64)],
    tier: Annotated[int, Form()] = 1,
    dispatch_mode: Annotated[str, Form(max_length=16)] = "auto",
) -> Response:
    """A new skill group."""
    return apply_change(
        session,
        "/console/admin/groups",
        lambda: create_group(session, name=name, tier=tier, dispatch_mode=dispatch_mode),
        lambda error: _groups_page(request, session, error),
    )


@router.post("/groups/{group_id}")
def update_skill_group(
    *,
    request: Request,
    session: SessionDep,
    _admin: AdminAgent,
    group_id: int,
    description: Text = "",
    dispatch_mode: Annotated[str, Form(max_length=16)],
    tier: Annotated[int, Form()],
    categories: Annotated[str, Form(max_length=2000)] = "",
    escalation_group_id: Annotated[str, Form(max_length=20)] = "",
    calendar: Annotated[str, Form(max_length=64)] = "default",
) -> Response:
    """Change how a group takes tickets."""
    group = session.get(SkillGroup, group_id)
    if group is None:
        raise not_found("There is no such group.")
    target = int(escalation_group_id) if escalation_group_id.isdigit() else None
    return apply_change(
        session,
        "/console/admin/groups",
        lambda: update_group(
            session,
            group=group,
            description=description,
            dispatch_mode=dispatch_mode,
            tier=tier,
            categories=categories,
            escalation_group_id=target,
            calendar=calendar,
        ),
        lambda error: _groups_page(request, session, error),
    )


# SLA policies ---------------------------------------------------------------------------------


def _sla_page(request: Request, session: Session, error: str = "") -> Response:
    policies = list(session.scalars(select(SlaPolicy).order_by(SlaPolicy.priority, SlaPolicy.category)))
    policies.sort(
        key=lambda p: (PRIORITIES.index(p.priority) if p.priority in PRIORITIES else 9, p.category or "")
    )
    return page(
        request,
        "admin_sla.html",
        {
            "policies": policies,
            "priorities": PRIORITIES,
            "calendars": calendar_names(session),
            "section": "sla",
        },
        error=error,
    )


@router.get("/sla")
def read_sla_policies(request: Request, session: SessionDep, _admin: AdminAgent) -> Response:
    """SLA targets in business minutes by priority (and optionally category)."""
    return _sla_page(request, session)


def _save_policy(
    request: Request, session: Session, policy: SlaPolicy | None, values: dict[str, Any]
) -> Response:
    return apply_change(
        session,
        "/console/admin/sla",
        lambda: save_sla_policy(session, policy=policy, **values),
        lambda error: _sla_page(request, session, error),
    )


@router.post("/sla")
def create_sla_policy(
    *,
    request: Request,
    session: SessionDep,
    _admin: AdminAgent,
    name: Text = "",
    priority: Annotated[str, Form(max_length=16)],
    category: Annotated[str, Form(max_length=64)] = "",
    first_response_minutes: Minutes,
    resolution_minutes: Minutes,
    calendar: Annotated[str, Form(max_length=64)] = "default",
) -> Response:
    """A new SLA policy."""
    return _save_policy(
        request,
        session,
        None,
        {
            "name": name,
            "priority": priority,
            "category": category,
            "calendar": calendar,
            "first_response_minutes": first_response_minutes,
            "resolution_minutes": resolution_minutes,
        },
    )


@router.post("/sla/{policy_id}")
def update_sla_policy(
    *,
    request: Request,
    session: SessionDep,
    _admin: AdminAgent,
    policy_id: int,
    name: Text = "",
    priority: Annotated[str, Form(max_length=16)],
    category: Annotated[str, Form(max_length=64)] = "",
    first_response_minutes: Minutes,
    resolution_minutes: Minutes,
    calendar: Annotated[str, Form(max_length=64)] = "default",
) -> Response:
    """Change an SLA policy (new and reopened tickets get its targets)."""
    policy = session.get(SlaPolicy, policy_id)
    if policy is None:
        raise not_found("There is no such SLA policy.")
    return _save_policy(
        request,
        session,
        policy,
        {
            "name": name,
            "priority": priority,
            "category": category,
            "calendar": calendar,
            "first_response_minutes": first_response_minutes,
            "resolution_minutes": resolution_minutes,
        },
    )
