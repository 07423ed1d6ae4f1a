"""HubClient: talk to the hub's JSON API and derive identifier tokens obliviously.

In the default tokens-only mode a raw identifier never leaves this process: it is
normalised and blinded here, the hub evaluates only the blinded element, and the
token is finalised here. Only ``raw=True`` sends raw values for the hub to tokenise.
"""

from hubctl.client.audit import AuditCalls
from hubctl.client.bulk import BulkCalls
from hubctl.client.disclosure import DisclosureCalls
from hubctl.client.feed import FeedCalls
from hubctl.client.sales_totals import SalesTotalsCalls
from hubctl.client.sellers import SellerCalls
from hubctl.client.transport import hub_keys, hub_signing_key
from hubctl.errors import HubError, IdentifierError

__all__ = ["HubClient", "HubError", "IdentifierError", "hub_keys", "hub_signing_key"]


class HubClient(SellerCalls, DisclosureCalls, AuditCalls, BulkCalls, FeedCalls, SalesTotalsCalls):
    """A member's client of one hub, authenticated by one API key."""
