"""A TAXII mirror as a member would keep one, and the hub's shareable state to compare it with.

The mirror is built only from what the feed serves: it keeps each object's newest version and
drops an object once a version says `revoked`. The expected state is read from the hub with the
check service (the level and counts a check would answer) and the stored tokens.
"""

from __future__ import annotations

import re

from django.utils import timezone

from accounts.actors import Actor
from hub.keys import token_storage_keys
from hubcore.identifiers.types import LINKING_TYPES
from sharing.checks.services.checks import DEFAULT_LEVEL_POLICY, check_result_for
from sharing.crypto.tokens import token_unseal
from sharing.feed.services.content import EXTENSION_ID, OUTCOME_EXTENSION_ID
from sharing.models import IdentifierToken, Subject
from sharing.outcomes.selectors import owner_subjects, subject_outcomes

TOKEN_IN_PATTERN = re.compile(
    r"x-iih-token:identifier_type = '([a-z_]+)' AND x-iih-token:value = '([0-9a-f]+)'"
    r" AND x-iih-token:key_version = (\d+)"
)


class Mirror:
    def __init__(self):
        self.objects: dict[str, dict] = {}
        self.revoked: set[str] = set()
        self.seen_versions: list[tuple[str, str]] = []

    def take(self, obj: dict) -> None:
        self.seen_versions.append((obj["id"], obj.get("modified", obj.get("created", ""))))
        if obj["id"] in self.revoked:
            return
        if obj.get("revoked"):
            self.revoked.add(obj["id"])
            self.objects.pop(obj["id"], None)
            return
        held = self.objects.get(obj["id"])
        if held is None or obj.get("modified", "") >= held.get("modified", ""):
            self.objects[obj["id"]] = obj

    def listings(self) -> set[tuple]:
        """Each listed subject as it reads: its tokens and its shareable state."""
        return {
            _listing(
                frozenset(tuple(t) for t in TOKEN_IN_PATTERN.findall(obj["pattern"])),
                {k: v for k, v in obj["extensions"][EXTENSION_ID].items() if k != "extension_type"},
            )
            for obj in self.objects.values()
            if obj["type"] == "indicator"
        }

    def outcomes(self) -> set[tuple]:
        """Each "Sellers you reported" note as it reads (the fields a rights owner's page shows)."""
        return {
            _outcome(
                state["subject_id"],
                state["level"],
                state["your_accepted_reports"],
                state["new_accounts"],
                tuple(state.get("new_account_types", [])),
                _count(state["members_checked"]),
                _count(state["members_acted"]),
                tuple(d["state"] for d in state.get("disputes", [])),
                state["disputed"],
            )
            for obj in self.objects.values()
            if obj["type"] == "note"
            for state in [obj["extensions"][OUTCOME_EXTENSION_ID]]
        }


def _count(published: dict) -> int | None:
    """A published count of members' behaviour: None when suppressed (and then it carries no number)."""
    if published["suppressed"]:
        assert "count" not in published
        return None
    return published["count"]


def _outcome(*fields) -> tuple:
    return tuple(fields)


def hub_outcomes(member) -> set[tuple]:
    """What the outcomes selectors say now of every listed subject the member's organisation reported."""
    actor, now = Actor(member=member), timezone.now()
    listed = set()
    for subject in Subject.objects.all():
        rows = list(IdentifierToken.objects.filter(subject=subject, identifier_type__in=LINKING_TYPES))
        if check_result_for(rows, policy=DEFAULT_LEVEL_POLICY, now=now).level != "none":
            listed.add(subject.pk)
    subjects = [subject for subject in owner_subjects(actor=actor) if subject.pk in listed]
    return {
        _outcome(
            outcome.public_id,
            outcome.state.level,
            outcome.your_reports,
            outcome.new_accounts,
            tuple(outcome.new_account_types),
            outcome.checked_by.value,
            outcome.acted_by.value,
            tuple(d.state for d in outcome.disputes),
            outcome.state.disputed,
        )
        for outcome in subject_outcomes(actor=actor, subjects=subjects, now=now)
    }


def _listing(tokens: frozenset, state: dict) -> tuple:
    return (tokens, tuple(sorted((k, _hashable(v)) for k, v in state.items())))


def _hashable(value):
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, dict):  # a suppressed count {value, suppressed, fewer_than}
        return tuple(sorted(value.items()))
    return value


def hub_listings() -> set[tuple]:
    """Every listed subject of the hub now, as the mirror should read it."""
    keys, now, listings = token_storage_keys(), timezone.now(), set()
    for subject in Subject.objects.all():
        rows = list(IdentifierToken.objects.filter(subject=subject, identifier_type__in=LINKING_TYPES))
        result = check_result_for(rows, policy=DEFAULT_LEVEL_POLICY, now=now)
        if result.level == "none":
            continue
        tokens = frozenset(
            (r.identifier_type, token_unseal(r.token, keys=keys), str(r.key_version)) for r in rows
        )
        expires = max(
            report.expires_at
            for report in subject_reports(subject)
            if report.status == "accepted" and report.expires_at > now
        )
        stamp = "%Y-%m-%dT%H:%M:%S.%fZ"
        state = {
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
            "first_seen": result.first_seen.strftime(stamp),
            "last_seen": result.last_seen.strftime(stamp),
            "expires": expires.strftime(stamp),
        }
        listings.add(_listing(tokens, state))
    return listings


def subject_reports(subject: Subject):
    from sharing.models import Report

    return Report.objects.filter(identifiers__token__subject=subject).distinct()
