"""The feed's STIX 2.1 content: a subject's shareable state as one indicator, and the fixed objects.

What a subject shows is the shareable tier only (docs/design.md): its level, the *types* of its
identifiers, how many independent organisations reported it and their kinds (never which),
the strongest verification, IP types and categories, first and last seen, whether it is disputed,
and when its last live report expires. Its tokens (keyed hashes: a member cannot compute one
offline, only derive one through the hub) appear in the indicator's pattern as `x-iih-token`
observables, a custom SCO type defined by the hub's own `extension-definition`; the state rides
in a property extension of the same definition. Tokens are never published as standalone SCOs:
an SCO cannot be revoked, so a withdrawn subject's tokens would stay in every mirror.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

import stix2
from django.db.models import Max
from django.utils import timezone

from hub.keys import token_storage_keys
from hubcore.identifiers.types import LINKING_TYPES
from sharing.checks.services.checks import DEFAULT_LEVEL_POLICY, check_result_for
from sharing.crypto.tokens import token_unseal
from sharing.models import IdentifierToken, Report
from sharing.subjects.services.subjects import counting

# The listings collection: what members who may check sellers may see (the others: audiences.py).
LISTINGS_COLLECTION_ID = "4b7e1c2a-8f3d-4e59-9a61-0c5d2b7f3e18"

HUB_IDENTITY_ID = "identity--0d4a3f62-51a5-4b0e-8f5c-2a9d7f3e6c11"
EXTENSION_ID = "extension-definition--5b0b4a3c-3b0e-4d8a-9a52-6c2f3a8e1f10"
TOKEN_SCO_TYPE = "x-iih-token"
# The official TLP 2.0 marking definitions (OASIS cti-stix-common-objects, tlp-2.0).
TLP2_EXTENSION_ID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP_AMBER_ID = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"  # member-visible data
TLP_RED_ID = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"  # operator-only data
_FIXED_CREATED = "2026-12-01T00:00:00.000Z"
# The hub extension's schema gained the feedback counts, then their small-count suppression:
# each change is a new version of the definition.
_EXTENSION_MODIFIED = "2026-12-01T05:30:00.000Z"
# Feedback from recipients travels as STIX sightings of a subject's indicator (sharing/feedback/).
FEEDBACK_EXTENSION_ID = "extension-definition--9c3e2f7a-6d41-4b8e-a0f5-3e7b1c9d2a64"
_TLP2_CREATED = "2022-10-01T00:00:00.000Z"
# What became of a rights owner's reports (sharing/feed/services/outcome_content.py) and what only
# operators see of a listing (sharing/feed/services/operator_content.py): one definition each.
OUTCOME_EXTENSION_ID = "extension-definition--2e6f1d84-9b3a-4c57-8d02-5a1e7c3b9f48"
OPERATOR_EXTENSION_ID = "extension-definition--c84a2f19-5e7d-4b36-a1f0-6d9e3b2c8a57"
_AUDIENCES_CREATED = "2026-12-01T06:00:00.000Z"

_EXTENSION_SCHEMA = (
    "Infringer Intelligence Hub extension, version 1. "
    f"New SCO '{TOKEN_SCO_TYPE}': a hub identifier token; properties identifier_type (the identifier's type, "
    "e.g. phone), value (lowercase hex of the RFC 9497 OPRF output the hub computes for the identifier; "
    "derive yours through the hub's oblivious evaluation to compare) and key_version (the OPRF key version). "
    "Property extension on indicator: the shareable state of the listed subject the pattern's tokens belong "
    "to: level, identifier_types, reporting_organisations (independent organisations, a count), "
    "reporter_kinds, strongest_verification, ip_types, categories, disputed, linked_store_accounts, "
    "members_acted and members_false_positive (independent members whose feedback says they acted on it, "
    "or found it a false positive: each an object {value, suppressed, fewer_than}; value is null and "
    "suppressed true when fewer than fewer_than organisations are behind it), first_seen, last_seen, "
    "expires. It never names a reporter or a "
    "member that gave feedback and never carries a raw identifier."
)


_FEEDBACK_EXTENSION_SCHEMA = (
    "Infringer Intelligence Hub feedback, version 1. Property extension on sighting (sighting_of_ref: the "
    "indicator of a listed subject the member's own check, bulk screening or watch matched): "
    "x_iih_outcome ('acted' or 'false_positive'), x_iih_action (with 'acted': 'blocked', 'delisted' or "
    "'parcel_refused'), x_iih_reasons (reason codes: counterfeit_confirmed, test_purchase, "
    "customer_complaints, different_seller, authorised_reseller, outdated) and x_iih_note (free text, seen "
    "only by the member's own organisation). A member's sighting is never shared with another member."
)


_OUTCOME_EXTENSION_SCHEMA = (
    "Infringer Intelligence Hub outcomes, version 1. Property extension on note (object_refs: the listed "
    "subject's indicator in the listings collection), published only to the organisation whose accepted "
    "reports name the subject: subject_id (the hub's public id of the subject), first_accepted_at, "
    "your_accepted_reports, expires_at (the latest expiry of those reports), the state a member holding "
    "your identifiers would get (level, risk, identifier_types, independent_reporters, live_reports, "
    "disputed, linked_store_accounts, first_seen, last_seen), new_accounts and new_account_types (accounts "
    "linked to the subject since your first accepted report: a count and types, never values), "
    "members_checked and members_acted (organisations: {value: n, suppressed: false, fewer_than: t}, or "
    "{value: null, suppressed: true, fewer_than: t} when fewer than t organisations are behind the count, "
    "which is then never published), disputes (filed_at, state, response_due, decided_at; never who filed). It never names "
    "another reporter or a member and never carries a raw identifier."
)

_OPERATOR_EXTENSION_SCHEMA = (
    "Infringer Intelligence Hub operator view, version 1. Property extension on indicator (TLP:RED, for "
    "the hub's operators only), beside the listing's own extension: pending_reports, suspended_reports and "
    "overturned_reports (reports naming the subject's identifiers, by status), open_disputes (covered "
    "reports whose dispute is not decided), suspended_reporting_organisations (suspended organisations "
    "among the subject's reporters). Counts only: never a raw value, never who reported."
)


@dataclass(frozen=True)
class PublishedState:
    """What one STIX object should say now; `digest` decides whether a new version is due."""

    stix_type: str
    state: dict

    @property
    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.state, sort_keys=True).encode()).hexdigest()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def subject_state(subject_pk: int) -> PublishedState | None:
    """The subject's shareable state, or None when it is not listed (gone, or no live report)."""
    rows = list(IdentifierToken.objects.filter(subject_id=subject_pk, identifier_type__in=LINKING_TYPES))
    if not rows:
        return None
    now = timezone.now()
    result = check_result_for(rows, policy=DEFAULT_LEVEL_POLICY, now=now)
    if result.level == "none" or result.first_seen is None or result.last_seen is None:
        return None
    expires = Report.objects.filter(counting(now), identifiers__token__subject_id=subject_pk).aggregate(
        last=Max("expires_at")
    )["last"]
    if expires is None:  # no live report (a listed level always has one)
        return None
    keys = token_storage_keys()
    tokens = sorted(
        [row.identifier_type, token_unseal(row.token, keys=keys), row.key_version] for row in rows
    )
    return PublishedState(
        "indicator",
        {
            "level": result.level,
            "identifier_types": result.matched_types,
            "reporting_organisations": result.reporting_organisations,
            "reporter_kinds": result.reporter_kinds,
            "strongest_verification": result.strongest_verification,
            "ip_types": result.ip_types,
            "categories": result.categories,
            "disputed": result.disputed,
            "linked_store_accounts": result.linked_store_accounts,
            "members_acted": result.members_acted.as_json(),
            "members_false_positive": result.members_false_positive.as_json(),
            "first_seen": _iso(result.first_seen),
            "last_seen": _iso(result.last_seen),
            "expires": _iso(expires),
            "tokens": tokens,
        },
    )


def indicator_content(
    *,
    stix_id: str,
    state: dict,
    created: datetime,
    modified: datetime,
    marking: str = TLP_AMBER_ID,
    more_extensions: dict | None = None,
) -> dict:
    """The STIX indicator of one listed subject, as published at `modified` (the operator view adds
    its own extension and marks it TLP:RED)."""
    pattern = " OR ".join(
        f"[{TOKEN_SCO_TYPE}:identifier_type = '{kind}' AND {TOKEN_SCO_TYPE}:value = '{value}'"
        f" AND {TOKEN_SCO_TYPE}:key_version = {version}]"
        for kind, value, version in state["tokens"]
    )
    properties = {key: value for key, value in state.items() if key != "tokens"}
    indicator = stix2.v21.Indicator(
        id=stix_id,
        created_by_ref=HUB_IDENTITY_ID,
        created=created,
        modified=modified,
        name=f"Listed seller ({state['level']})",
        description=(
            "A seller (subject) listed by independent reports on the Infringer Intelligence Hub. "
            "The pattern matches any of its identifier tokens; the extension carries its shareable state."
        ),
        indicator_types=["malicious-activity"],
        pattern=pattern,
        pattern_type="stix",
        valid_from=state["first_seen"],
        valid_until=state["expires"],
        object_marking_refs=[marking],
        extensions={
            EXTENSION_ID: {"extension_type": "property-extension", **properties},
            **(more_extensions or {}),
        },
    )
    return json.loads(indicator.serialize())


def revoked_content(content: dict, *, modified: datetime) -> dict:
    """The last version of a published object: the same, revoked (a mirror drops it)."""
    revoked = stix2.parse(content, allow_custom=True).new_version(revoked=True, modified=modified)
    return json.loads(revoked.serialize())


def fixed_objects() -> list[dict]:
    """Objects every collection carries: the hub's identity, its extension definitions, the TLP markings."""
    identity = stix2.v21.Identity(
        id=HUB_IDENTITY_ID,
        created=_FIXED_CREATED,
        modified=_FIXED_CREATED,
        name="Infringer Intelligence Hub",
        description="The neutral hub operator that publishes this feed.",
        identity_class="organization",
    )
    # (id, created, modified, name, description, schema, version, extension types)
    definitions = (
        (
            EXTENSION_ID,
            _FIXED_CREATED,
            _EXTENSION_MODIFIED,
            "Infringer Intelligence Hub: identifier tokens and listed subjects",
            "Hub identifier tokens (a new SCO) and the shareable state of a listed subject.",
            _EXTENSION_SCHEMA,
            "1.2.0",
            ["new-sco", "property-extension"],
        ),
        (
            FEEDBACK_EXTENSION_ID,
            _FIXED_CREATED,
            _FIXED_CREATED,
            "Infringer Intelligence Hub: feedback from recipients",
            "What a member did about a listed subject it matched, as a sighting of its indicator.",
            _FEEDBACK_EXTENSION_SCHEMA,
            "1.0.0",
            ["property-extension"],
        ),
        (
            OUTCOME_EXTENSION_ID,
            _AUDIENCES_CREATED,
            _AUDIENCES_CREATED,
            "Infringer Intelligence Hub: what became of your reports",
            "For each listed seller an organisation's accepted reports name, its outcome, as a note.",
            _OUTCOME_EXTENSION_SCHEMA,
            "1.0.0",
            ["property-extension"],
        ),
        (
            OPERATOR_EXTENSION_ID,
            _AUDIENCES_CREATED,
            _AUDIENCES_CREATED,
            "Infringer Intelligence Hub: operator view of a listing",
            "Operator-only counts about a listed seller (TLP:RED).",
            _OPERATOR_EXTENSION_SCHEMA,
            "1.0.0",
            ["property-extension"],
        ),
    )
    extensions = [
        stix2.v21.ExtensionDefinition(
            id=extension_id,
            created_by_ref=HUB_IDENTITY_ID,
            created=created,
            modified=modified,
            name=name,
            description=description,
            schema=schema,
            version=version,
            extension_types=types,
        )
        for extension_id, created, modified, name, description, schema, version, types in definitions
    ]
    markings = [
        stix2.v21.MarkingDefinition(
            id=marking_id,
            created=_TLP2_CREATED,
            name=name,
            extensions={TLP2_EXTENSION_ID: {"extension_type": "property-extension", "tlp_2_0": level}},
        )
        for marking_id, name, level in ((TLP_AMBER_ID, "TLP:AMBER", "amber"), (TLP_RED_ID, "TLP:RED", "red"))
    ]
    return [json.loads(obj.serialize()) for obj in (identity, *extensions, *markings)]
