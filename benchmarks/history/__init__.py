"""A generated help-desk history at scale (see `benchmarks/generate_history.py`).

- `texts`: what customers, the bot and agents write (questions from the sample knowledge base,
  questions it cannot answer, replies, notes, names);
- `desk`: the team (the shipped skill groups, SLA policies and calendars, ~40 agents);
- `plan`: when conversations start, who comes back, which conversations become tickets;
- `conversation`, `chat`: one conversation at a time, its bot part and knowledge-base lookups;
- `ticket_story`, `ticket_actions`, `ticket_life`: a ticket and its timeline as the core writes them;
- `rows`, `writer`: the rows with their ids, and bulk inserts per database.
"""
