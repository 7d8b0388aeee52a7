"""The simulated month's tickets: when they arrive, what customers write, how long work takes.

Arrivals follow an hourly curve in the team's local time: a weekday office-hours peak (10-11
and 14-15), low evenings and nights, and weekends at a quarter of a weekday. Texts are written
so that the shipped classification rules (`handoff/defaults/rules.yml`) give the intended
category and priority, so the real classifier and routing run on every ticket.
"""

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

# Relative arrival rate by local hour on a weekday (0 = midnight to 1 am).
WEEKDAY_HOURS = (0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.4, 1.0, 2.6, 4.4, 5.6, 5.8,
                 4.2, 4.6, 5.4, 5.2, 4.4, 3.4, 2.2, 1.6, 1.3, 1.0, 0.7, 0.4)
# Relative daily volume, Monday first: Monday is busiest, weekends quiet.
DAY_FACTORS = (1.15, 1.05, 1.0, 1.0, 0.85, 0.25, 0.22)

# (share of tickets, texts) per intended category; every text matches exactly that category's rules.
CATEGORY_TEXTS: dict[str, tuple[float, tuple[str, ...]]] = {
    "billing": (0.22, ("I need a receipt for last month", "my payment failed on the new card",
                       "question about the vat on my billing statement")),
    "account": (0.17, ("I can't log in to my account", "how do I reset my password",
                       "I want to invite a team member to our workspace")),
    "troubleshooting": (0.17, ("the dashboard is not loading", "the report editor is very slow today",
                               "I get an error when I save a quote")),
    "integrations": (0.14, ("my bank feed stopped syncing", "the stripe payouts are missing",
                            "the shopify orders do not come through")),
    "plans": (0.11, ("can I upgrade to the pro plan", "is there a discount for charities",
                     "what happens when my trial ends")),
    "general": (0.12, ("how do I change the language of my documents", "can I add my logo to quotes",
                       "where do I find last year's numbers")),
    "privacy": (0.05, ("please send me your dpa", "which personal data do you keep about me")),
    "security": (0.02, ("I think my account was hacked", "I want to report a vulnerability in your web app")),
}
# Tone and urgency, appended to the text; the rules turn them into sentiment and priority.
MOODS = (
    (0.08, " this is the third time I ask and I'm really frustrated"),  # negative -> high, senior tier
    (0.05, " please answer asap"),                                    # high
    (0.12, " no rush"),                                               # low
)


@dataclass(frozen=True)
class Arrival:
    """One customer asking for a person."""

    at: datetime  # UTC
    text: str
    intended_category: str


def arrival_times(
    rng: random.Random, *, start: datetime, days: int, count: int, zone: ZoneInfo
) -> list[datetime]:
    """`count` arrival moments over `days` local days from `start`, by the daily curve, sorted, in UTC."""
    local_start = start.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    hours: list[datetime] = []
    weights: list[float] = []
    for day in range(days):
        midnight = (local_start + timedelta(days=day)).replace(tzinfo=None)
        factor = DAY_FACTORS[midnight.weekday()]
        for hour, rate in enumerate(WEEKDAY_HOURS):
            # Wall-clock hours that a DST change skips resolve to the next real hour.
            hours.append(midnight.replace(hour=hour).replace(tzinfo=zone).astimezone(UTC))
            weights.append(rate * factor)
    picked = rng.choices(hours, weights=weights, k=count)
    return sorted(begin + timedelta(seconds=rng.uniform(0, 3600)) for begin in picked)


def arrivals(rng: random.Random, *, start: datetime, days: int, count: int, zone: ZoneInfo) -> list[Arrival]:
    """The month's tickets: arrival moment, the customer's text and the category it should get."""
    categories = list(CATEGORY_TEXTS)
    shares = [CATEGORY_TEXTS[name][0] for name in categories]
    result = []
    for at in arrival_times(rng, start=start, days=days, count=count, zone=zone):
        category = rng.choices(categories, weights=shares)[0]
        text = rng.choice(CATEGORY_TEXTS[category][1])
        roll = rng.random()
        for share, suffix in MOODS:
            if roll < share:
                text += suffix
                break
            roll -= share
        result.append(Arrival(at=at, text=text, intended_category=category))
    return result


def lognormal_minutes(rng: random.Random, median: float, sigma: float) -> timedelta:
    """A duration with the given median (minutes) and spread, as human work times tend to be."""
    return timedelta(minutes=rng.lognormvariate(math.log(median), sigma))
