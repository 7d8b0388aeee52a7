"""Channel adapters: how messages come in from, and go out to, each place customers write."""
