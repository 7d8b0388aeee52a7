"""The extractive ticket summary on realistic transcripts, one per handoff reason (no database)."""

from typing import Any

from handoff.summary import SummaryMessage, describe_reason, summarize

FEEDBACK = [
    {"title": "Yes, that helped", "payload": "/feedback_helped"},
    {"title": "No, I need more help", "payload": "/feedback_not_helped"},
]
DONT_KNOW = "I'm sorry, I don't know the answer to that, and I'd rather not guess."


def customer(text: str, payload: str | None = None) -> SummaryMessage:
    return SummaryMessage(sender="customer", text=text, payload=payload)


def bot(text: str, article: dict[str, Any] | None = None) -> SummaryMessage:
    return SummaryMessage(sender="bot", text=text, meta={"article": article} if article else {})


def article(article_id: str, title: str) -> dict[str, Any]:
    return {
        "decision": "answer", "confidence": 0.81, "article_id": article_id, "title": title,
        "url": f"https://help.example.com/{article_id}", "category": "billing", "passage": "...",
    }


REFUNDS = article("refunds", "How refunds work")
INVOICES = article("invoices", "Download an invoice")


def test_asked_for_human() -> None:
    messages = [
        customer("Hi there!"),
        bot("Hello! How can I help?"),
        customer("How do I change the VAT number printed on my invoices?"),
        bot("You can download invoices from Billing.", INVOICES),
        customer("Thanks."),
        customer("But the VAT number on last month's invoice is wrong and my accountant needs it fixed."),
        customer("Talk to a person", payload="/request_human"),
        customer("Can I speak to a human please?"),
    ]
    summary = summarize(messages, reason="asked_for_human")
    assert summary.asked == [
        "How do I change the VAT number printed on my invoices?",
        "But the VAT number on last month's invoice is wrong and my accountant needs it fixed.",
    ]
    assert summary.bot_answers == [{
        "article_id": "invoices", "title": "Download an invoice",
        "url": "https://help.example.com/invoices", "feedback": None,
    }]
    assert summary.handoff_reason == "The customer asked for a person"
    assert summary.text.splitlines() == [
        'Asked: "How do I change the VAT number printed on my invoices?" / '
        '"But the VAT number on last month\'s invoice is wrong and my accountant needs it fixed."',
        'Bot answered with: "Download an invoice" (no feedback)',
        "Handed off: The customer asked for a person",
    ]


def test_repeated_miss_has_no_articles() -> None:
    messages = [
        customer("Does your app support multi-currency payroll for contractors in Brazil?"),
        bot(DONT_KNOW),
        customer("I mean paying contractors in BRL from a EUR account, is that possible?"),
        bot("I've passed your conversation to our support team as ticket #1042."),
    ]
    summary = summarize(messages, reason="repeated_miss")
    assert summary.asked == [
        "Does your app support multi-currency payroll for contractors in Brazil?",
        "I mean paying contractors in BRL from a EUR account, is that possible?",
    ]
    assert summary.bot_answers == []
    assert summary.handoff_reason == "The bot could not answer twice in a row"
    assert "Bot answered with: no knowledge-base article" in summary.text


def test_not_helped_records_feedback_per_article_in_order() -> None:
    messages = [
        customer("Hello"),
        customer("I cancelled my plan yesterday. When do I get my refund?"),
        bot("Refunds go back to the original card within 5-10 days.", REFUNDS),
        customer("No, I need more help", payload="/feedback_not_helped"),
        customer("It has been 14 days and the refund is still not on my card."),
        bot("Refunds go back to the original card within 5-10 days.", REFUNDS),
        customer("Where is the invoice for the refund?"),
        bot("You can download invoices from Billing.", INVOICES),
        customer("Yes, that helped", payload="/feedback_helped"),
        customer("No, I need more help", payload="/feedback_not_helped"),
    ]
    summary = summarize(messages, reason="not_helped")
    assert [(a["article_id"], a["feedback"]) for a in summary.bot_answers] == [
        ("refunds", "not_helped"),
        ("invoices", "not_helped"),
    ]
    assert summary.asked[0] == "When do I get my refund?"
    assert "It has been 14 days and the refund is still not on my card." in summary.asked
    assert len(summary.asked) <= 3
    assert summary.handoff_reason == "The customer said the answer did not help"
    assert 'Bot answered with: "How refunds work" (did not help); "Download an invoice" (did not help)' in (
        summary.text
    )


def test_helped_feedback_is_shown() -> None:
    messages = [
        customer("Where do I download my invoice?"),
        bot("From Billing.", INVOICES),
        customer("Yes, that helped", payload="/feedback_helped"),
    ]
    summary = summarize(messages, reason="asked_for_human")
    assert summary.bot_answers[0]["feedback"] == "helped"
    assert '"Download an invoice" (helped)' in summary.text


def test_always_human_topic_names_the_topic_from_the_rules() -> None:
    messages = [
        customer("You charged me twice for March and I want a chargeback if this isn't fixed today."),
        bot("I've passed your conversation to our support team as ticket #1043."),
    ]
    summary = summarize(messages, reason="always_human_topic")
    assert summary.handoff_reason == "Topic always handled by a person (refund dispute)"
    assert summary.asked == [
        "You charged me twice for March and I want a chargeback if this isn't fixed today."
    ]
    assert summarize(messages, reason="always_human_topic", topic="legal").handoff_reason == (
        "Topic always handled by a person (legal)"
    )


def test_bot_unavailable() -> None:
    messages = [
        customer("My bank feed stopped syncing on Monday."),
        customer("Can you check the connection to Barclays?"),
        SummaryMessage(
            sender="bot", text="Sorry, I'm having trouble.", meta={"error": "timeout", "ticket": 1044}
        ),
    ]
    summary = summarize(messages, reason="bot_unavailable")
    assert summary.asked == [
        "My bank feed stopped syncing on Monday.",
        "Can you check the connection to Barclays?",
    ]
    assert summary.handoff_reason == "The bot was unavailable"
    assert len(summary.text.splitlines()) == 3


def test_at_most_three_sentences_without_repeats() -> None:
    messages = [
        customer("Hi. How do I export my transactions to QuickBooks?"),
        customer("How do I export my transactions to QuickBooks?"),
        customer("The export button is greyed out on the Reports page."),
        customer("I'm on the Pro plan since January."),
        customer("Is the QuickBooks export only for the Business plan?"),
        customer("Also the export CSV has wrong dates for transactions."),
        customer("Thank you so much!"),
    ]
    asked = summarize(messages, reason="asked_for_human").asked
    assert len(asked) == 3
    assert asked[0] == "How do I export my transactions to QuickBooks?"
    assert len(set(asked)) == 3
    assert "Thank you so much!" not in asked


def test_buttons_only_transcript() -> None:
    messages = [customer("Talk to a person", payload="/request_human")]
    summary = summarize(messages, reason="asked_for_human")
    assert summary.asked == []
    assert summary.text.splitlines()[0] == "Asked: nothing typed (buttons only)"


def test_text_is_plain_and_kept_verbatim() -> None:
    messages = [customer("Why does <b>my invoice</b> show & as &amp;?\n\nIt looks broken.")]
    summary = summarize(messages, reason="asked_for_human")
    assert summary.asked[0] == "Why does <b>my invoice</b> show & as &amp;?"
    assert "<b>my invoice</b>" in summary.text


def test_unknown_reason_is_still_readable() -> None:
    assert describe_reason("sla_breach") == "Sla breach"
    assert summarize([], reason="sla_breach").to_dict()["handoff_reason"] == "Sla breach"
