"""Admin pages for content: response templates (leads and admins) and the knowledge base with
the always-human topics (admins)."""

import logging
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.console import knowledge
from bot.console.auth import AdminAgent, ConsoleRefusal, LeadAgent, check_csrf, not_found
from bot.console.routes.admin_forms import apply_change, page, saved
from bot.deps import SessionDep, SettingsDep
from handoff import create_template, update_template
from handoff import get_settings as handoff_settings
from handoff.always_human import TopicError, remove_topic, set_topic, topics_file
from handoff.classification import load_rules
from handoff.models import ResponseTemplate
from handoff.templates import PLACEHOLDERS

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/console/admin", include_in_schema=False, dependencies=[Depends(check_csrf)])

Body = Annotated[str, Form(max_length=10_000)]


# Templates (leads and admins) -----------------------------------------------------------------


def _templates_page(request: Request, session: Session, error: str = "") -> Response:
    templates = list(session.scalars(select(ResponseTemplate).order_by(ResponseTemplate.name)))
    return page(
        request,
        "admin_templates.html",
        {"templates": templates, "placeholders": PLACEHOLDERS, "section": "templates"},
        error=error,
    )


@router.get("/templates")
def read_templates(request: Request, session: SessionDep, _lead: LeadAgent) -> Response:
    """Canned replies, their placeholders and how often each is used."""
    return _templates_page(request, session)


@router.post("/templates")
def create_response_template(
    *,
    request: Request,
    session: SessionDep,
    _lead: LeadAgent,
    name: Annotated[str, Form(max_length=100)],
    category: Annotated[str, Form(max_length=64)] = "",
    body: Body,
) -> Response:
    """A new template; unknown placeholders are refused."""
    return apply_change(
        session,
        "/console/admin/templates",
        lambda: create_template(session, name=name, body=body, category=category.strip() or None),
        lambda error: _templates_page(request, session, error),
    )


@router.post("/templates/{template_id}")
def update_response_template(
    *,
    request: Request,
    session: SessionDep,
    _lead: LeadAgent,
    template_id: int,
    name: Annotated[str, Form(max_length=100)],
    category: Annotated[str, Form(max_length=64)] = "",
    body: Body,
) -> Response:
    """Change a template's name, category or text."""
    template = session.get(ResponseTemplate, template_id)
    if template is None:
        raise not_found("There is no such template.")
    return apply_change(
        session,
        "/console/admin/templates",
        lambda: update_template(session, template, body=body, name=name, category=category.strip() or None),
        lambda error: _templates_page(request, session, error),
    )


# Knowledge base and always-human topics -------------------------------------------------------


def _runner(request: Request, var_dir: Path) -> knowledge.IngestRunner:
    runner: knowledge.IngestRunner | None = getattr(request.app.state, "console_ingest", None)
    if runner is None or runner.var_dir != var_dir:
        runner = knowledge.IngestRunner(var_dir)
        request.app.state.console_ingest = runner
    return runner


def _current_topics(var_dir: Path) -> dict[str, list[str]]:
    """The topics in force: as edited in the console, else the shipped rules file's."""
    rules_file = handoff_settings().rules_file
    try:
        return dict(load_rules(rules_file, topics_path=topics_file(var_dir)).always_human)
    except (OSError, ValueError):
        logger.exception("cannot read the always-human topics")
        return {}


def _knowledge_page(request: Request, var_dir: Path, error: str = "", status_code: int = 200) -> Response:
    rules_file = handoff_settings().rules_file
    topics = _current_topics(var_dir)
    edited = topics_file(var_dir)
    return page(
        request,
        "admin_knowledge.html",
        {
            "section": "knowledge",
            "topics": topics,
            "rules_file": str(edited if edited.exists() else rules_file),
            "sources": [str(path) for path in knowledge.SAMPLE_SOURCES],
            "uploads": knowledge.uploaded_files(var_dir),
            "run": knowledge.last_run(var_dir),
            "running": _runner(request, var_dir).running,
            "index_dir": str(knowledge.default_index_dir()),
        },
        error=error,
        status_code=status_code,
    )


@router.get("/knowledge")
def read_knowledge(request: Request, settings: SettingsDep, _admin: AdminAgent) -> Response:
    """Always-human topics, the knowledge base's sources and the last ingest report."""
    return _knowledge_page(request, settings.var_dir)


@router.post("/knowledge/topics")
def save_topic(
    request: Request,
    settings: SettingsDep,
    _admin: AdminAgent,
    name: Annotated[str, Form(max_length=100)],
    phrases: Annotated[str, Form(max_length=10_000)],
) -> Response:
    """Add an always-human topic or replace its phrases; every process uses it from the next question."""
    try:
        set_topic(topics_file(settings.var_dir), _current_topics(settings.var_dir), name=name, phrases=phrases)
    except TopicError as error:
        return _knowledge_page(request, settings.var_dir, str(error), status_code=409)
    return saved("/console/admin/knowledge")


@router.post("/knowledge/topics/{name}/delete")
def delete_topic(request: Request, settings: SettingsDep, _admin: AdminAgent, name: str) -> Response:
    """Stop handing a topic to a person at once; the bot answers it from the knowledge base again."""
    try:
        remove_topic(topics_file(settings.var_dir), _current_topics(settings.var_dir), name=name)
    except TopicError as error:
        return _knowledge_page(request, settings.var_dir, str(error), status_code=404)
    return saved("/console/admin/knowledge")


@router.post("/knowledge/upload")
async def create_upload(
    request: Request, settings: SettingsDep, _admin: AdminAgent, article: Annotated[UploadFile, File()]
) -> Response:
    """Keep an uploaded article for the next re-ingest."""
    content = await article.read(knowledge.MAX_UPLOAD_BYTES + 1)
    try:
        knowledge.save_upload(settings.var_dir, filename=article.filename or "", content=content)
    except knowledge.UploadError as error:
        return _knowledge_page(request, settings.var_dir, str(error), status_code=422)
    return saved("/console/admin/knowledge")


@router.post("/knowledge/ingest")
def create_ingest(request: Request, settings: SettingsDep, _admin: AdminAgent) -> Response:
    """Re-ingest the knowledge base in the background; the page shows the report when it is done."""
    if not _runner(request, settings.var_dir).start():
        raise ConsoleRefusal(
            409, "Already running", "A re-ingest is already running. Reload the page in a while."
        )
    return RedirectResponse("/console/admin/knowledge", status_code=303)
