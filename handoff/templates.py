"""Response templates: canned replies with placeholders, checked when saved and counted when used."""

import logging
import string
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from handoff.models import ResponseTemplate, Ticket, utcnow

logger = logging.getLogger(__name__)

PLACEHOLDERS = ("customer_name", "ticket_number", "agent_name", "article_link")


class TemplateError(ValueError):
    """A template that cannot be saved or used (unknown placeholder, broken braces, duplicate name)."""


@dataclass(frozen=True)
class TemplateContext:
    """The values placeholders are filled with."""

    customer_name: str
    ticket_number: int
    agent_name: str
    article_link: str


def check_body(body: str) -> None:
    """Refuse an empty body, broken braces, or a placeholder we cannot fill."""
    if not body.strip():
        raise TemplateError("A template needs some text")
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(body) if name is not None]
    except ValueError as error:
        raise TemplateError(f"Broken braces in the template: {error}") from error
    unknown = sorted({name for name in fields if name not in PLACEHOLDERS})
    if unknown:
        raise TemplateError(
            f"Unknown placeholder(s): {', '.join('{' + n + '}' for n in unknown)}. "
            f"Available: {', '.join('{' + n + '}' for n in PLACEHOLDERS)}"
        )


def create_template(session: Session, *, name: str, body: str, category: str | None = None) -> ResponseTemplate:
    """Save a new template after checking its placeholders."""
    check_body(body)
    name = name.strip()
    if not name:
        raise TemplateError("A template needs a name")
    if session.scalar(select(ResponseTemplate).where(ResponseTemplate.name == name)) is not None:
        raise TemplateError(f"A template called {name!r} already exists")
    template = ResponseTemplate(name=name, body=body, category=category or None)
    session.add(template)
    session.flush()
    return template


def update_template(session: Session, template: ResponseTemplate, *, body: str, name: str | None = None,
                    category: str | None = None) -> ResponseTemplate:
    """Change a template's text (checked again) and optionally its name and category."""
    check_body(body)
    template.body = body
    if name:
        template.name = name.strip()
    template.category = category or None
    template.updated_at = utcnow()
    return template


def templates_for(session: Session, *, category: str | None = None) -> list[ResponseTemplate]:
    """Templates for a category plus the general ones, most used first."""
    query = select(ResponseTemplate)
    if category:
        query = query.where(or_(ResponseTemplate.category == category, ResponseTemplate.category.is_(None)))
    return list(session.scalars(query.order_by(ResponseTemplate.usage_count.desc(), ResponseTemplate.name)))


def context_for(ticket: Ticket, *, agent_name: str, article_link: str = "") -> TemplateContext:
    """Placeholder values for a ticket: the customer's name, its number, the agent, the article."""
    customer = ticket.conversation.customer
    return TemplateContext(
        customer_name=(customer.display_name or "there") if customer else "there",
        ticket_number=ticket.number or 0,
        agent_name=agent_name,
        article_link=article_link,
    )


def render(template: ResponseTemplate, context: TemplateContext) -> str:
    """The template's text with its placeholders filled."""
    return template.body.format(**context.__dict__)


def use_template(session: Session, template: ResponseTemplate, context: TemplateContext) -> str:
    """Render and count one use (usage counts show which templates earn their keep)."""
    template.usage_count += 1
    return render(template, context)
