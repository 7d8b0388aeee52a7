"""The periodic help-desk job in the gateway: SLA states, time-based escalation, auto-close.

Several gateways may run it at once: every change it makes is recorded once (see
`handoff.sla_service`), so running it twice does no harm.
"""

import asyncio
import logging

from fastapi.concurrency import run_in_threadpool

from handoff import run_sla_checks, session_scope

logger = logging.getLogger(__name__)


def _check_once() -> int:
    with session_scope() as session:
        return run_sla_checks(session)


class SlaScheduler:
    """Runs the SLA check every `interval_seconds` until stopped."""

    def __init__(self, interval_seconds: float) -> None:
        self._interval = interval_seconds
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        while not self._stopping.is_set():
            try:
                changed = await run_in_threadpool(_check_once)
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
