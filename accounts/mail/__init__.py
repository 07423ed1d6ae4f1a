"""The hub's one outbox: every message it mails is a row, sent by a task after commit, retried by a sweep."""
