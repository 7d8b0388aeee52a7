"""Short knowledge-base texts that the embedding and retrieval tests embed: sections, titles and
customers' questions, as ingest and asking see them."""

KB_TEXTS = [
    "Reset a forgotten password. How to reset\nSelect Forgot password on the sign-in page.",
    "Export invoices and customers to CSV files",
    "my bank feed stopped updating yesterday",
    "Refunds for annual subscriptions within 30 days of purchase",
    "how do I add a VAT rate to an invoice line",
    "Connect your bank account. Supported banks\nMost UK and EU banks connect through open banking.",
]
