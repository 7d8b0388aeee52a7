"""A database session for requests that only read (dashboard figures, metrics scrapes).

On SQLite every ordinary request session takes the write lock up front (see handoff.db); a
read-only one starts a deferred transaction instead, so the bot and the agents keep writing
while the aggregates of a dashboard or a Prometheus scrape run. Tests override
`get_read_session` with their own session, as they do `bot.deps.get_session`.
"""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends
from sqlalchemy.orm import Session

from handoff import session_scope


def get_read_session() -> Iterator[Session]:
    """A session that never writes."""
    with session_scope(read_only=True) as session:
        yield session


ReadSessionDep = Annotated[Session, Depends(get_read_session)]
