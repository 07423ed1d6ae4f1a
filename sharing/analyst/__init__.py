"""The platform and logistics analyst's pages: check a seller, the watchlist, disputes filed for
sellers; their admins' webhooks and action policy. Views only: every read and write is the service
the API calls (sharing/checks, sharing/watchlists, sharing/due_process)."""
