"""Factories for test data, made through the product's own public functions."""

from sqlalchemy.orm import Session

from handoff import Agent, Conversation, create_agent, record_message, start_conversation


def make_conversation(session: Session, *texts: str, channel: str = "web") -> Conversation:
    """A conversation in which the customer wrote `texts` and the bot answered each."""
    conversation, _token = start_conversation(session, channel=channel)
    for text in texts:
        record_message(session, conversation=conversation, sender="customer", text=text)
        record_message(session, conversation=conversation, sender="bot", text=f"Answer to: {text}")
    return conversation


def make_agent(session: Session, email: str = "alex@example.com", role: str = "agent") -> Agent:
    return create_agent(session, email=email, display_name=email.split("@")[0].title(),
                        password="correct horse battery", role=role)


def add_to_group(session: Session, agent: Agent, group_name: str) -> None:
    """Make `agent` a member of the seeded skill group `group_name`."""
    from sqlalchemy import select

    from handoff.models import SkillGroup

    group = session.scalar(select(SkillGroup).where(SkillGroup.name == group_name))
    assert group is not None, group_name
    agent.groups.append(group)
    session.flush()
