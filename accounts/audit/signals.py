"""Signals the audit log sends after it records an event.

Alerts listen (accounts/audit/alerts.py) instead of being called: raising an alert is itself
audited, so the log calling alerts directly would make the two modules import each other.
"""

from django.dispatch import Signal

# Sent inside the recording transaction, after the event row is written: `event`.
event_recorded = Signal()
# Sent after a refused attempt is recorded (in its own transaction): `actor` (may be None).
denied_recorded = Signal()
