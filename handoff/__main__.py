"""Command line of the help-desk core: migrate, create agents, list tickets, reply.

    python -m handoff migrate
    python -m handoff create-agent EMAIL --name NAME --role admin   (asks for the password)
    python -m handoff tickets
    python -m handoff reply NUMBER "text" --agent EMAIL
    python -m handoff retrain-classifier [--index DIR]
    python -m handoff report [--since 30d] [--channel C] [--category C] [--group G] [--agent EMAIL] [--json]
    python -m handoff embed-gap-questions
"""

import argparse
import getpass
import json
import os
import sys
from pathlib import Path

from sqlalchemy import select

from handoff import (
    Agent,
    AgentError,
    TicketNotFound,
    add_agent_reply,
    create_agent,
    list_tickets,
    session_scope,
    upgrade_database,
)


def _cmd_migrate(_args: argparse.Namespace) -> int:
    upgrade_database()
    sys.stdout.write("database is up to date\n")
    return 0


def _cmd_create_agent(args: argparse.Namespace) -> int:
    password = os.environ.get("DESKMATE_NEW_AGENT_PASSWORD") or getpass.getpass("Password: ")
    try:
        with session_scope() as session:
            agent = create_agent(
                session, email=args.email, display_name=args.name or args.email.split("@")[0],
                password=password, role=args.role,
            )
            sys.stdout.write(f"created {agent.role} {agent.email}\n")
    except AgentError as error:
        sys.stderr.write(f"error: {error}\n")
        return 2
    return 0


def _cmd_tickets(_args: argparse.Namespace) -> int:
    with session_scope() as session:
        tickets, total = list_tickets(session, limit=100)
        for ticket in tickets:
            sys.stdout.write(
                f"#{ticket.number}  {ticket.status:<18} {ticket.priority:<7} {ticket.category:<16} "
                f"{ticket.subject[:60]}\n"
            )
        sys.stdout.write(f"{total} tickets\n")
    return 0


def _cmd_reply(args: argparse.Namespace) -> int:
    with session_scope() as session:
        agent = session.scalar(select(Agent).where(Agent.email == args.agent.lower()))
        if agent is None:
            sys.stderr.write(f"error: no agent with e-mail {args.agent}\n")
            return 2
        try:
            message = add_agent_reply(session, number=args.number, agent=agent, text=args.text)
        except TicketNotFound:
            sys.stderr.write(f"error: no ticket #{args.number}\n")
            return 2
        sys.stdout.write(f"reply {message.id} queued for ticket #{args.number}\n")
    return 0


def _cmd_retrain_classifier(args: argparse.Namespace) -> int:
    from kb_index import load_knowledge_base  # noqa: PLC0415  (heavy: only for this command)

    from handoff.classifier_training import retrain  # noqa: PLC0415

    kb = load_knowledge_base(Path(args.index) if args.index else None)
    pairs = [(a.title, a.category) for a in kb.snapshot.articles]
    pairs += [(example, a.category) for a in kb.snapshot.articles for example in a.examples]
    with session_scope() as session:
        classifier = retrain(session, pairs)
    meta = classifier.metadata
    sys.stdout.write(f"category classifier trained on {meta['examples']} examples: {meta['categories']}\n")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from handoff.metrics import DashboardFilters, Period, build_dashboard, parse_since  # noqa: PLC0415
    from handoff.metrics.report import find_gaps, format_report, gaps_to_dict  # noqa: PLC0415
    from handoff.models import SkillGroup  # noqa: PLC0415

    try:
        days = parse_since(args.since)
    except ValueError as error:
        sys.stderr.write(f"error: --since: {error}\n")
        return 2
    with session_scope(read_only=True) as session:
        agent = None
        if args.agent:
            agent = session.scalar(select(Agent).where(Agent.email == args.agent.strip().lower()))
            if agent is None:
                sys.stderr.write(f"error: no agent with e-mail {args.agent}\n")
                return 2
        if args.group and session.scalar(select(SkillGroup.id).where(SkillGroup.name == args.group)) is None:
            sys.stderr.write(f"error: no skill group {args.group!r}\n")
            return 2
        filters = DashboardFilters(channel=args.channel, category=args.category, group=args.group,
                                   agent_id=agent.id if agent else None)
        period = Period.last(days)
        dashboard = build_dashboard(session, period=period, filters=filters, now=period.end)
        gaps = find_gaps(session, period=period, filters=filters)
        if args.json:
            sys.stdout.write(json.dumps({**dashboard.to_dict(), "kb_gaps": gaps_to_dict(gaps)}, indent=2) + "\n")
        else:
            sys.stdout.write(format_report(dashboard, gaps=gaps, agent_label=agent.email if agent else None))
    return 0


def _cmd_embed_gap_questions(args: argparse.Namespace) -> int:
    from tqdm import tqdm  # noqa: PLC0415

    from handoff.kb_gap_questions import backfill_embeddings  # noqa: PLC0415  (loads the model)

    with session_scope() as session, tqdm(desc="embedding questions", unit="q") as progress:
        done = backfill_embeddings(session, batch_size=args.batch_size, on_batch=progress.update)
    sys.stdout.write(f"{done} recorded questions embedded\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m handoff", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply database migrations").set_defaults(func=_cmd_migrate)
    create = commands.add_parser("create-agent", help="create an agent, lead or admin")
    create.add_argument("email")
    create.add_argument("--name")
    create.add_argument("--role", default="agent", choices=["agent", "lead", "admin"])
    create.set_defaults(func=_cmd_create_agent)
    commands.add_parser("tickets", help="list tickets").set_defaults(func=_cmd_tickets)
    reply = commands.add_parser("reply", help="reply to a ticket as an agent")
    reply.add_argument("number", type=int)
    reply.add_argument("text")
    reply.add_argument("--agent", required=True, help="the agent's e-mail")
    reply.set_defaults(func=_cmd_reply)
    retrain = commands.add_parser("retrain-classifier",
                                  help="train the category classifier on the KB, resolved tickets and corrections")
    retrain.add_argument("--index", help="knowledge-base index folder (default: the product's)")
    retrain.set_defaults(func=_cmd_retrain_classifier)
    report = commands.add_parser("report", help="print the lead dashboard's figures and tables")
    report.add_argument("--since", default="30d", help="period length up to now: 30d (days) or 12w (weeks)")
    report.add_argument("--channel", default="", help="only conversations of this channel (web, telegram)")
    report.add_argument("--category", default="", help="only tickets of this category")
    report.add_argument("--group", default="", help="only tickets of this skill group")
    report.add_argument("--agent", default="", help="only tickets assigned to the agent with this e-mail")
    report.add_argument("--json", action="store_true", help="print JSON instead of text")
    report.set_defaults(func=_cmd_report)
    embed = commands.add_parser(
        "embed-gap-questions",
        help="embed recorded bot questions that have no vector yet, so the KB gaps include them",
    )
    embed.add_argument("--batch-size", type=int, default=256)
    embed.set_defaults(func=_cmd_embed_gap_questions)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
