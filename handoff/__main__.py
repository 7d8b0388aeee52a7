"""Command line of the help-desk core: migrate, create agents, list tickets, reply.

    python -m handoff migrate
    python -m handoff create-agent EMAIL --name NAME --role admin   (asks for the password)
    python -m handoff tickets
    python -m handoff reply NUMBER "text" --agent EMAIL
    python -m handoff retrain-classifier [--index DIR]
"""

import argparse
import getpass
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
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
