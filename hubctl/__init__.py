"""hubctl: a member's client of the Infringer Intelligence Hub that keeps raw identifiers local."""

from hubctl.client import HubClient
from hubctl.errors import HubError, IdentifierError

__all__ = ["HubClient", "HubError", "IdentifierError"]
