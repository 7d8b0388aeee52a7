"""What people write in the generated history.

Questions the bot answers come from the sample knowledge base itself (`data/kb/*.md`: each
article's example questions, its title, link and first paragraph), so bot turns carry the same
article metadata as real ones. Questions it cannot answer are grouped by topic, as real gaps are,
each with the existing article that comes closest. Agent replies are put together from parts so
that a search over a million messages meets varied wording, not a handful of repeated lines.
"""

import random
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

KB_FOLDER = Path(__file__).resolve().parents[2] / "data" / "kb"


@dataclass(frozen=True)
class KbArticle:
    """A knowledge-base article as the bot shows it."""

    article_id: str
    title: str
    category: str
    url: str
    examples: tuple[str, ...]
    passage: str


def load_articles(folder: Path = KB_FOLDER) -> list[KbArticle]:
    """The articles of a knowledge-base folder (front matter plus the first paragraph)."""
    articles = []
    for path in sorted(folder.glob("*.md")):
        _, front, body = path.read_text(encoding="utf-8").split("---", 2)
        meta = yaml.safe_load(front)
        paragraphs = [part.strip() for part in body.split("\n\n")
                      if part.strip() and not part.startswith("#")]
        articles.append(KbArticle(
            article_id=str(meta["id"]), title=str(meta["title"]), category=str(meta.get("category") or ""),
            url=str(meta.get("url") or ""), examples=tuple(meta.get("examples") or ()),
            passage=paragraphs[0] if paragraphs else str(meta["title"]),
        ))
    if not articles:
        raise FileNotFoundError(f"no knowledge-base articles in {folder}")
    return articles


# Questions the knowledge base has no article for: (closest existing article, phrasings).
# Popular gaps come first; the generator picks them with falling weights, so clusters form.
GAP_TOPICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("multi-currency", ("can I pay my suppliers in crypto", "do you accept bitcoin for the subscription",
                        "can ledgerly track crypto wallets")),
    ("import-from-quickbooks", ("how do I import my data from sage", "is there a migration tool from xero",
                                "can you move my books over from freshbooks")),
    ("mobile-app-sync", ("is there a desktop app for linux", "do you have a windows app",
                         "can I use ledgerly offline on a plane")),
    ("pdf-invoice-looks-wrong", ("how do I change the font on my invoices", "can I use my own invoice layout",
                                 "can invoices have two logos")),
    ("export-reports", ("can I get a cash flow forecast", "do you have a profit forecast for next year",
                        "how do I project my revenue for the next quarter")),
    ("gusto-payroll", ("do you do payroll in germany", "can ledgerly run payroll for contractors in the uk",
                       "is there payroll for the netherlands")),
    ("vat-tax-on-subscription", ("can you file my tax return for me", "do you submit vat returns to hmrc",
                                 "will ledgerly do my annual accounts")),
    ("invite-team-members", ("can my accountant have a free login",
                             "do you have a partner program for accountants",
                             "how do I become a ledgerly partner")),
    ("api-keys", ("is there a graphql api", "do you have webhooks for new invoices",
                  "what is the api rate limit per hour")),
    ("recurring-invoices", ("can invoices be sent by post", "do you print and mail invoices",
                            "can you send a paper invoice to my client")),
    ("security-practices", ("where are your servers located", "are you iso 27001 certified",
                            "do you have a soc 2 report")),
    ("expense-receipts-scan", ("can I forward receipts from whatsapp",
                               "does the receipt scanner read handwriting",
                               "can the app scan a long till receipt")),
    ("stripe-integration", ("do you integrate with square", "can I connect mollie payments",
                            "is adyen supported")),
    ("plans-compared", ("do you have a lifetime deal", "is there a plan for more than 50 users",
                        "can I pay for five years upfront")),
    ("update-business-profile", ("can I run two companies in one account",
                                 "how do I switch between my businesses",
                                 "can one login manage several companies")),
)

# What customers write when they want a person (typed, or the "Talk to a person" button).
ASK_FOR_HUMAN = (
    "can I talk to a person", "I want to speak to someone", "human please", "agent",
    "please connect me with your support team", "is there a real person I can talk to",
    "I'd rather talk to a human", "talk to support",
)

# Texts the shipped rules send straight to a person (handoff/defaults/rules.yml, always_human).
ALWAYS_HUMAN = (
    "I was charged twice for {month}, I want my money back",
    "there is an unauthorized charge on my card from ledgerly",
    "someone logged in to my account from another country",
    "I think my account was hacked, the email address was changed",
    "please delete my account and all my data",
    "I want you to erase my data under gdpr, right to be forgotten",
    "this is unacceptable, I want to speak to a manager",
    "my lawyer will contact you about the invoice you sent",
    "I opened a chargeback with my bank for the {month} payment",
    "suspicious login from an unknown device, was my account compromised",
)

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")

FIRST_NAMES = (
    "Anna", "Ben", "Carla", "David", "Elif", "Finn", "Greta", "Hugo", "Ines", "Jonas", "Kira", "Lars",
    "Mia", "Noah", "Olga", "Paul", "Queenie", "Rafael", "Sara", "Tom", "Uma", "Viktor", "Wen", "Yusuf",
    "Zoe", "Amir", "Bea", "Chen", "Dana", "Emil", "Fatima", "Georg", "Hana", "Ivan", "Julia", "Kemal",
    "Lena", "Marco", "Nadia", "Oskar", "Priya", "Rosa", "Sven", "Tara", "Ulla", "Vera", "Wiebke", "Xavier",
)
LAST_NAMES = (
    "Schmidt", "Müller", "Novak", "Rossi", "García", "Dubois", "Jansen", "Kowalski", "Nielsen", "Silva",
    "Yilmaz", "Papadopoulos", "O'Brien", "Fischer", "Weber", "Wagner", "Becker", "Hoffmann", "Kaya",
    "Lindqvist", "Moreau", "Costa", "Horvat", "Ivanova", "Bauer", "Richter", "Klein", "Wolf", "Neumann",
    "Schwarz", "Zimmermann", "Braun", "Krüger", "Hartmann", "Lange", "Schmitt", "Werner", "Meier",
)
BUSINESSES = (
    "Bright Bakery", "Nordlicht Design", "Green Leaf Gardening", "Atelier Rossi", "Kowalski Plumbing",
    "Harbour Yoga", "Pixel & Pine", "Café Solo", "Blue Fern Consulting", "Alpine Bikes", "Studio Nine",
    "Fox & Finch Books", "Tidy Homes Cleaning", "Lumen Photography", "Oak Street Dental",
)

AGENT_OPENERS = (
    "Hi {name}, thanks for reaching out.", "Hello {name},", "Hi {name}, thanks for your patience.",
    "Thanks for the details, {name}.", "Hi {name}, sorry for the trouble.", "Good morning {name},",
)
AGENT_BODIES: dict[str, tuple[str, ...]] = {
    "billing": (
        "I've checked your billing history and can see the payment from {day} {month}.",
        "I've issued a refund of the duplicate charge; it reaches your card in 5-10 business days.",
        "Your receipts are under Settings > Billing > Receipts; I've also sent the {month} one to you.",
        "The VAT on your subscription depends on the country in your business profile; "
        "yours is set to {country}.",
    ),
    "account": (
        "I've sent a new password reset link to the address on file.",
        "Your account was locked after too many sign-in attempts; I've unlocked it now.",
        "I've reset two-factor authentication on your login, so you can set it up again on the new phone.",
        "I've added {business} as a second workspace on your login.",
    ),
    "integrations": (
        "The bank connection expired; please reauthorise it under Banking > Bank accounts.",
        "I can see the Stripe payouts are arriving again since this morning.",
        "Our feed partner had an outage with your bank on {day} {month}; "
        "the missing transactions are back now.",
        "The Shopify app needs the new permissions; please open it once and approve them.",
    ),
    "troubleshooting": (
        "Our engineers found the cause of the slow reports and released a fix an hour ago.",
        "Please clear the browser cache and sign in again; the old version of the app was cached.",
        "I could reproduce the error when saving a quote with an empty line; the team is fixing it.",
        "The mobile app needs version 4.2 or later to sync; please update it from the store.",
    ),
    "privacy": (
        "I've attached our data processing agreement; you can also download it under Settings > Legal.",
        "We keep your invoices for ten years because the law requires it; "
        "everything else is deleted on request.",
        "I've started the deletion of your account; you'll get a confirmation by email within 30 days.",
    ),
    "security": (
        "I've signed out every session on your account and blocked the unknown device.",
        "Please change your password and turn on two-factor authentication; I've reset it for you.",
        "Our security team has the report and will contact you within one business day.",
    ),
    "plans": (
        "You can switch to the Pro plan at any time; the difference is charged pro rata.",
        "I've extended your trial by 14 days so you can try the payroll add-on.",
        "The nonprofit discount is 50 %; I've applied it to your next renewal.",
    ),
    "general": (
        "You can change the language of your documents under Settings > Invoices > Language.",
        "I've forwarded your idea to our product team; thanks for suggesting it.",
        "Last year's numbers are under Reports > Profit and loss; pick the year at the top.",
    ),
}
AGENT_CLOSERS = (
    "Let me know if anything is still unclear.", "Does that solve it for you?", "Have a good day!",
    "I'll keep the ticket open until you confirm.", "Best regards, {agent}",
    "Just reply here if you need more help.",
)
CUSTOMER_FOLLOW_UPS = (
    "thanks, I'll try that now", "it still doesn't work, same error as before",
    "here is the screenshot you asked for", "the invoice number is INV-{number}",
    "yes, it's the account for {business}", "ok that worked, thank you!", "I did that but nothing changed",
    "when will this be fixed?", "my bank is {bank}, the last transaction was on {day} {month}",
    "sorry for the late reply, I was travelling", "can you check again please", "great, thanks a lot",
)
INTERNAL_NOTES = (
    "Checked the logs: the payment provider retried twice.",
    "Customer is on the legacy plan, be careful with pro rata.",
    "Same issue as ticket #{number}, linking here.", "Asked engineering in the team channel.",
    "Refund approved by billing lead.", "Bank outage confirmed by the feed partner.",
    "Customer sounds upset, keep it short and friendly.", "VIP: accountant with 30 clients on Ledgerly.",
)
CSAT_COMMENTS = (
    "quick and friendly, thanks", "took too long to get an answer", "solved in one reply, great",
    "the bot was useless but the agent was great", "still not sure it's fixed", "very helpful",
)
REOPEN_TEXTS = (
    "it happened again today", "sorry, the problem is back", "the refund hasn't arrived yet",
    "the feed stopped again", "I still can't log in",
)
COUNTRIES = ("Germany", "Austria", "France", "Netherlands", "Spain", "Italy", "Ireland", "Poland")
BANKS = ("Sparkasse", "ING", "Deutsche Bank", "Commerzbank", "N26", "Revolut", "Rabobank", "BNP Paribas")

_TYPO = re.compile(r"[a-z]{4,}")


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def fill(rng: random.Random, text: str, **known: str) -> str:
    """`text` with its placeholders filled by plausible values (or the ones given)."""
    values = {
        "month": rng.choice(MONTHS), "day": str(rng.randint(1, 28)), "business": rng.choice(BUSINESSES),
        "country": rng.choice(COUNTRIES), "bank": rng.choice(BANKS), "number": str(rng.randint(1000, 99999)),
        "name": "there", "agent": "the support team",
    }
    values.update(known)
    return text.format(**values)


def typed(rng: random.Random, text: str) -> str:
    """How a customer types a question: sometimes a greeting, lower case, a typo, no question mark."""
    roll = rng.random()
    if roll < 0.15:
        text = "hi, " + text
    elif roll < 0.22:
        text = "hello " + text
    if rng.random() < 0.5:
        text = text[0].lower() + text[1:]
    if rng.random() < 0.08:
        words = _TYPO.findall(text)
        if words:
            word = rng.choice(words)
            cut = rng.randrange(1, len(word) - 2)
            text = text.replace(word, word[:cut] + word[cut + 1] + word[cut] + word[cut + 2:], 1)
    if rng.random() < 0.3 and not text.endswith("?"):
        text += "?"
    return text


def agent_reply(rng: random.Random, category: str, *, customer: str, agent: str) -> str:
    """An agent's reply: a greeting, one or two sentences on the topic, a closing line."""
    bodies = AGENT_BODIES.get(category, AGENT_BODIES["general"])
    parts = [rng.choice(AGENT_OPENERS), *rng.sample(bodies, k=min(len(bodies), rng.choice((1, 1, 2)))),
             rng.choice(AGENT_CLOSERS)]
    first = customer.split()[0] if customer else "there"
    return fill(rng, " ".join(parts), name=first, agent=agent)
