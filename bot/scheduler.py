"""The periodic help-desk job in the gateway: SLA states, time-based escalation, auto-close.

Several gateways may run it at once: every change it makes is recorded once (see
`handoff.sla_service`), so running it twice does no harm.
"""

import asyncio
import logging

from fastapi.concurrency import run_in_threadpool

from handoff import run_sla_checks, session_scope
from handoff.models import utcnow
from handoff.sla_service import recheck_open_tickets, sla_inputs

logger = logging.getLogger(__name__)


class SlaScheduler:
    """Runs the SLA check every `interval_seconds` until stopped."""

    def __init__(self, interval_seconds: float) -> None:
        self._interval = interval_seconds
        self._stopping = asyncio.Event()
        # The calendars and knobs the tickets' next SLA moments were computed with; None until
        # the first pass, so a started gateway has every open ticket's moments computed afresh
        # once (spread over ten minutes, see `recheck_open_tickets`).
        self._inputs: str | None = None

    def check_once(self) -> int:
        """One pass: if the calendars or knobs changed, have every open ticket looked at afresh
        soon; then check the tickets that are due, each batch committed on its own so the write
        lock stays short."""
        now = utcnow()
        with session_scope() as session:
            inputs = sla_inputs(session)
            if inputs != self._inputs:
                recheck_open_tickets(session, now)
                session.commit()
            changed = run_sla_checks(session, now=now, commit_each_batch=True)
        self._inputs = inputs
        return changed

    async def run(self) -> None:
        while not self._stopping.is_set():
            try:
                changed = await run_in_threadpool(self.check_once)
                if changed:
                    logger.info("SLA check: %d changes", changed)
            except Exception:  # the loop must survive any one bad pass; the next one retries
                logger.exception("SLA check failed; will retry")
            try:
                await asyncio.wait_for(self._stopping.wait(), timeout=self._interval)
            except TimeoutError:
                pass

    def stop(self) -> None:
        self._stopping.set()
