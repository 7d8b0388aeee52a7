"""Response templates: list for a category, create (leads and admins), render for a ticket."""

from fastapi import APIRouter, HTTPException
from sqlalchemy.exc import IntegrityError

from handoff import TemplateError, create_template, get_ticket, templates_for, use_template
from handoff.models import ResponseTemplate
from handoff.templates import context_for

from bot.deps import CurrentAgent, CurrentLead, SessionDep, can_see
from bot.schemas import RenderedTemplate, TemplateCreate, TemplatePublic, TemplateRender

router = APIRouter(prefix="/api/agent/templates", tags=["templates"])


def _public(template: ResponseTemplate) -> TemplatePublic:
    return TemplatePublic(id=template.id, name=template.name, category=template.category, body=template.body,
                          usage_count=template.usage_count)


@router.get("", response_model=list[TemplatePublic])
def read_templates(session: SessionDep, _agent: CurrentAgent, category: str | None = None) -> list[TemplatePublic]:
    """Templates for the category and the general ones, most used first."""
    return [_public(template) for template in templates_for(session, category=category)]


@router.post("", response_model=TemplatePublic, status_code=201)
def create_response_template(body: TemplateCreate, session: SessionDep, _lead: CurrentLead) -> TemplatePublic:
    """Save a template; unknown placeholders are refused (422) with the ones available."""
    try:
        template = create_template(session, name=body.name, body=body.body, category=body.category)
        session.commit()
    except (TemplateError, IntegrityError) as error:
        raise HTTPException(status_code=422, detail=str(error)) from error
    return _public(template)


@router.post("/{template_id}/render", response_model=RenderedTemplate)
def render_template(template_id: int, body: TemplateRender, session: SessionDep, agent: CurrentAgent) -> RenderedTemplate:
    """The template's text filled in for a ticket (counts as one use)."""
    template = session.get(ResponseTemplate, template_id)
    if template is None:
        raise HTTPException(status_code=404, detail=f"Template {template_id} not found")
    ticket = get_ticket(session, number=body.ticket_number)
    if ticket is None:
        raise HTTPException(status_code=404, detail=f"Ticket #{body.ticket_number} not found")
    if not can_see(agent, ticket):
        raise HTTPException(status_code=403, detail=f"Ticket #{body.ticket_number} belongs to a group you are not in")
    text = use_template(session, template, context_for(ticket, agent_name=agent.display_name,
                                                       article_link=body.article_link))
    session.commit()
    return RenderedTemplate(text=text)
