"""The help-desk core: conversation log, tickets, handoff, outbox, agents.

Other packages use only the names exported here.
"""

from handoff.agents import AgentError, agent_for_token, authenticate, create_agent, issue_token
from handoff.classification import Classification, always_human_topic, classify
from handoff.conversations import (
    find_conversation,
    get_or_create_customer,
    latest_conversation_for_customer,
    list_messages,
    record_message,
    resume_conversation,
    start_conversation,
)
from handoff.customer_status import asked_ticket_number, status_reply
from handoff.db import get_engine, session_scope
from handoff.migrate import upgrade_database
from handoff.models import Agent, Conversation, Message, OutboxItem, Ticket, TicketEvent
from handoff.outbox import due_items, mark_delivered, mark_retry, pending_count
from handoff.settings import HandoffSettings, get_settings
from handoff.dispatch import DispatchError, assign, claim, dispatch, pick_agent
from handoff.escalation import CannotEscalate, escalate
from handoff.helpdesk_config import load_helpdesk_config, policy, seed_defaults
from handoff.lifecycle import OPEN_STATES, STATE_LABELS, STATES, InvalidTransition, change_status
from handoff.sla_service import run_sla_checks
from handoff.status_links import status_url, verify as verify_status_signature
from handoff.templates import TemplateError, create_template, templates_for, update_template, use_template
from handoff.tickets import (
    HANDOFF_REASONS,
    HandoffResult,
    InvalidReply,
    TicketNotFound,
    add_agent_reply,
    add_internal_note,
    correct_classification,
    get_ticket,
    hand_off,
    handle_customer_message,
    latest_ticket_for_conversation,
    list_tickets,
    move_ticket,
    notify_customer,
    open_ticket_for_conversation,
    parse_csat_payload,
    record_csat,
    reopen,
    require_ticket,
    resolve,
    ticket_for_customer,
)

__all__ = [
    "move_ticket",
    "asked_ticket_number", "status_reply",
    "TemplateError", "create_template", "status_url", "templates_for", "update_template",
    "use_template", "verify_status_signature",
    "OPEN_STATES", "STATES", "STATE_LABELS", "CannotEscalate", "DispatchError", "InvalidReply",
    "InvalidTransition", "add_internal_note", "assign", "change_status", "claim",
    "correct_classification", "dispatch", "escalate", "handle_customer_message",
    "load_helpdesk_config", "notify_customer", "parse_csat_payload", "pick_agent", "policy",
    "record_csat", "reopen", "require_ticket", "resolve", "run_sla_checks", "seed_defaults",
    "HANDOFF_REASONS", "Agent", "AgentError", "Classification", "Conversation", "HandoffResult",
    "HandoffSettings", "Message", "OutboxItem", "Ticket", "TicketEvent", "TicketNotFound",
    "add_agent_reply", "agent_for_token", "always_human_topic", "authenticate", "classify",
    "create_agent", "due_items", "find_conversation", "get_engine", "get_or_create_customer",
    "get_settings", "get_ticket", "hand_off", "issue_token", "latest_conversation_for_customer",
    "latest_ticket_for_conversation", "list_messages", "list_tickets", "mark_delivered",
    "mark_retry", "open_ticket_for_conversation", "pending_count",
    "record_message", "resume_conversation", "session_scope", "start_conversation",
    "ticket_for_customer", "upgrade_database",
]
