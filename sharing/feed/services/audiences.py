"""The feed's TAXII collections, one or more per audience, and who reads each.

- Listed sellers: every listed subject's shareable state (TLP:AMBER), for members who check sellers.
- Sellers you reported: for organisations that follow their reports (the outcomes page's
  capability), one object per subject its accepted reports name, what became of it (TLP:AMBER);
  each organisation reads only its own objects (and the fixed objects every collection carries).
- Operator view: the listed subjects with operator-only counts (TLP:RED), for operators who read any
  organisation's standing; no member holds that capability, so no member learns it exists.

The rights owner's outcomes are computed by sharing.outcomes, a layer above the feed: it hands the
feed its provider at start-up (sharing/apps.py, `outcome_states_provide`), so publishing stays one
path without the feed importing the layer that reads it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from accounts.actors import Actor
from accounts.capabilities import holds_any
from accounts.roles import Capability
from sharing.feed.services.content import LISTINGS_COLLECTION_ID

STIX_MEDIA_TYPE = "application/stix+json;version=2.1"

OUTCOMES_COLLECTION_ID = "a3f5d8e1-6c2b-4f07-9b1e-7d4c2e9a5f36"
OPERATOR_COLLECTION_ID = "e7c1b94d-2a68-4d3f-8e05-91b6f3a0c7d2"


@dataclass(frozen=True)
class FeedCollection:
    id: str
    title: str
    description: str
    capability: Capability  # who may read it
    per_organisation: bool = False  # each reader sees only the rows for its organisation

    def resource(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "can_read": True,
            "can_write": False,
            "media_types": [STIX_MEDIA_TYPE],
        }


LISTINGS = FeedCollection(
    LISTINGS_COLLECTION_ID,
    "Listed sellers",
    "Every listed subject's shareable state (TLP:AMBER), as versions; a withdrawn listing is revoked.",
    Capability.CHECK_RUN,
)
OUTCOMES = FeedCollection(
    OUTCOMES_COLLECTION_ID,
    "Sellers you reported",
    "What became of each listed seller your organisation's accepted reports name (TLP:AMBER): its state, "
    "accounts linked since, members' checks and actions (suppressed below the threshold), disputes.",
    Capability.REPORT_READ,
    per_organisation=True,
)
OPERATOR = FeedCollection(
    OPERATOR_COLLECTION_ID,
    "Operator view",
    "Every listed subject with operator-only counts (TLP:RED): pending, suspended and overturned reports, "
    "open disputes, suspended reporting organisations.",
    Capability.REPUTATION_READ_ANY,
)
COLLECTIONS = (LISTINGS, OUTCOMES, OPERATOR)
# The capabilities that open the feed at all (discovery, API root): any collection's.
READER_CAPABILITIES = tuple(collection.capability for collection in COLLECTIONS)


def collections_for(actor: Actor) -> list[FeedCollection]:
    return [collection for collection in COLLECTIONS if holds_any(actor, (collection.capability,))]


def collection_for(actor: Actor, collection_id: str) -> FeedCollection | None:
    return next((c for c in collections_for(actor) if c.id == collection_id), None)


# --- The rights owners' outcomes, provided by sharing.outcomes -----------------------------------

# (subject pks, now) -> {(organisation pk, subject pk): the state its object publishes} for every
# organisation whose accepted reports name one of those subjects now.
OutcomeStates = Callable[[Iterable[int], datetime], dict[tuple[int, int], dict]]
_outcome_states: list[OutcomeStates] = []


def outcome_states_provide(provider: OutcomeStates) -> None:
    """Called once at start-up by the layer that computes outcomes (sharing/apps.py)."""
    _outcome_states[:] = [provider]


def outcome_states(subject_pks: Iterable[int], now: datetime) -> dict[tuple[int, int], dict]:
    if not _outcome_states:
        raise RuntimeError("sharing.outcomes has not provided the outcome states (sharing/apps.py)")
    return _outcome_states[0](subject_pks, now)
