"""How a ticket's life goes after the handoff: who takes it, how long answers take, how it ends.

Most tickets take one reply or a short exchange; some wait on the customer, who may never answer
(resolved after a week), and some wait on a fix for days: those make the backlog of a few
thousand open tickets. Work happens in the team's business hours; customers answer any time.
"""

import math
import random
from datetime import datetime, timedelta

from history.chat import seconds
from history.texts import CUSTOMER_FOLLOW_UPS, fill
from history.ticket_actions import TicketActions

# How a ticket ends: solved by the reply, confirmed by the customer, no answer from the customer
# (resolved after five business days), or a fix the team had to wait for.
ENDINGS, ENDING_WEIGHTS = ("resolve", "confirm", "silent", "fix"), (0.55, 0.2, 0.12, 0.13)
EXCHANGES, EXCHANGE_WEIGHTS = (0, 1, 2, 3, 4), (0.7, 0.2, 0.07, 0.02, 0.01)
THANKS = ("ok that worked, thank you!", "great, thanks a lot", "all good now")
BUSINESS_DAY = 10 * 60  # minutes of the shipped calendar's working day


def lognormal(rng: random.Random, median: float, sigma: float) -> float:
    """Minutes of work or of waiting: a log-normal spread around `median`, as such times are."""
    return rng.lognormvariate(math.log(median), sigma)


def first_reply_time(story: TicketActions) -> datetime:
    """When the first reply goes out; someone takes the ticket before (claim, dispatcher, escalation)."""
    target = story.targets.first_response_minutes
    planned = story.after_work(lognormal(story.rng, 0.3 * target, 0.9))
    while story.ticket["assignee_id"] is None:
        story.advance(story.after_work(lognormal(story.rng, 15, 1.0)))
        if story.ticket["assignee_id"] is None:
            story.take(story.now)
    return max(planned, story.now + seconds(story.rng, 60, 600))


def customer_later(story: TicketActions) -> datetime:
    return story.now + timedelta(minutes=lognormal(story.rng, 240, 1.6))


def live(story: TicketActions) -> None:
    """From the first reply to closing; raises `Cutoff` where the history ends."""
    rng = story.rng
    first = first_reply_time(story)
    exchanges = rng.choices(EXCHANGES, weights=EXCHANGE_WEIGHTS)[0]
    ending = rng.choices(ENDINGS, weights=ENDING_WEIGHTS)[0]
    waits = exchanges > 0 or ending in ("confirm", "silent")
    story.reply(first, await_customer=waits and rng.random() < 0.8)
    if rng.random() < 0.03:
        story.correct(story.after_work(lognormal(rng, 10, 1.0)))
    if story.group.escalates_to and rng.random() < 0.025:
        story.advance(story.after_work(lognormal(rng, 30, 1.0)))
        story.escalate(story.now, actor=f"agent:{story.ticket['assignee_id']}", reason="agent",
                       note="needs a specialist")
        first_reply_time(story)
        story.reply(story.after_work(lognormal(rng, 60, 1.0)), await_customer=waits)
    if rng.random() < 0.1:
        story.note(story.after_work(lognormal(rng, 20, 1.0)))
    for turn in range(exchanges):
        story.customer_writes(customer_later(story), fill(rng, rng.choice(CUSTOMER_FOLLOW_UPS)))
        more = turn < exchanges - 1 or ending in ("confirm", "silent")
        story.reply(story.after_work(lognormal(rng, 60, 1.2)), await_customer=more and rng.random() < 0.8)
    if ending == "confirm":
        story.customer_writes(customer_later(story), rng.choice(THANKS))
        story.resolve(story.after_work(lognormal(rng, 30, 1.0)))
    elif ending == "silent":
        story.resolve(story.after_work(5 * BUSINESS_DAY), "no answer from the customer")
    elif ending == "fix":
        story.reply(story.after_work(lognormal(rng, 6 * BUSINESS_DAY, 1.0)))
        story.resolve(story.now + seconds(rng, 20, 300))
    else:
        story.resolve(story.now + seconds(rng, 20, 300))
    rated = story.now
    if rng.random() < 0.3:
        rated = story.rate(story.now + timedelta(minutes=lognormal(rng, 15, 1.2)))
    if ending != "silent" and rng.random() < 0.05:
        # Later than a rating's comment window, so the customer's words reopen the ticket.
        story.reopen(max(story.now + timedelta(hours=rng.uniform(1, 96)), rated + timedelta(minutes=31)))
        story.reply(story.after_work(lognormal(rng, 60, 1.0)))
        story.resolve(story.now + seconds(rng, 20, 300))
        if rng.random() < 0.3:
            story.rate(story.now + timedelta(minutes=lognormal(rng, 15, 1.2)))
    story.close()
