"""The console's routers: sign-in, ticket list, ticket page, board and queues, live streams."""
