"""The console load client (`benchmarks/console_load.py`): what it asks for, and who asks.

- `probes`: the sign-in accounts and the requests (pages, variants, real ticket numbers and names);
- `clients`: signed-in HTTP clients sending them, bounded by count and time, and their latencies.
"""
