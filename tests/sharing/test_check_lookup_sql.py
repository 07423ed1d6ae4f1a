"""A check's one-statement read on PostgreSQL (lookup_sql.py) gives what the ORM's five queries give
(`stored_tokens_of` + `matched_evidence`, what SQLite runs), over sellers that exercise every branch:
linked and direct hits, weak corroboration, store accounts, expired and pending reports, current and
replaced feedback, parcel events with and without waybills, a token claimed under another type."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from sharing.checks.services.checks import (
    check_lookup,
    evidence_keys,
    matched_evidence,
    matched_tokens,
)
from sharing.checks.services.policies import DEFAULT_POLICY, policy_of
from sharing.models import MemberPolicy, Report
from sharing.subjects.inputs import raw_identifiers
from sharing.subjects.services.tokens import identifiers_tokenise, stored_tokens_of
from tests.factories import client_for, persona, report_make, report_make_accepted, seller_identifiers

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the one-statement read is PostgreSQL's; SQLite runs the ORM reading it is compared with",
    ),
]

NAME = {"type": "name", "value": "Wang Xiaoming"}
SHOP = {"type": "store_url", "value": "https://shop123456.taobao.com/"}
WAYBILLS = iter(range(10**12, 10**12 + 100))


def _event(courier, identifiers, kind="refused", waybill=True):
    ids = list(identifiers)
    if waybill:
        ids.append({"type": "waybill", "value": f"sf:SF{next(WAYBILLS):013d}"})
    body = {
        "kind": kind,
        "occurred_at": (timezone.now() - timedelta(hours=2)).isoformat(),
        "origin_region": "cn-gd",
        "category": "counterfeit",
        "identifiers": ids,
    }
    assert client_for(courier).post("/api/v1/parcel-events", body, format="json").status_code == 201


def _feedback(member, identifiers, outcome):
    check = client_for(member).post(
        "/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": identifiers}, format="json"
    )
    body = {"check_id": check.json()["check_id"], "outcome": outcome, "action": "delisted"}
    if outcome != "acted":
        body.pop("action")
    assert client_for(member).post("/api/v1/feedback", body, format="json").status_code == 201


def _orm_reading(tokenised, now):
    rows = stored_tokens_of(tokenised)
    found = sorted(
        (row.pk, row.identifier_type, row.subject_id, str(row.subject.public_id) if row.subject else None)
        for row in rows
    )
    tokens = matched_tokens((row.pk, row.identifier_type, row.subject_id) for row in rows)
    return found, matched_evidence(*evidence_keys(tokens), now=now)


def _plain(evidence):
    return {
        subject: (
            {pk: dataclasses.astuple(report) for pk, report in item.reports.items()},
            {pk: tokens for pk, tokens in item.tokens_named.items() if tokens},
            {pk: tokens for pk, tokens in item.weak_named.items() if tokens},
            item.store_accounts,
            dict(item.feedback),
            dict(item.parcel_events),
        )
        for subject, item in evidence.items()
    }


def test_the_one_statement_read_is_the_orm_read(brand_reporter, other_brand_reporter, reviewer):
    a, b, c, d, e = (seller_identifiers(n) for n in (61, 62, 63, 64, 65))
    report_make_accepted(brand_reporter, reviewer, a)
    report_make_accepted(
        other_brand_reporter, reviewer, [a[0], b[1]], decision_verified=True
    )  # links a and b
    report_make_accepted(brand_reporter, reviewer, [*d, NAME, SHOP])  # weak name, a store account
    report_make(brand_reporter, c)  # pending: never counts
    expired = report_make_accepted(other_brand_reporter, reviewer, e)
    Report.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    couriers = [persona(K.LOGISTICS, R.ANALYST) for _ in range(2)]
    for courier in couriers:
        _event(courier, [a[0]])
        _event(courier, [d[1]], kind="seized")
    _event(couriers[0], [b[0]], kind="returned", waybill=False)
    platforms = [persona(K.PLATFORM, R.ANALYST) for _ in range(3)]
    _feedback(platforms[0], a, "acted")
    _feedback(platforms[1], a, "false_positive")
    _feedback(platforms[2], d, "acted")
    _feedback(platforms[2], d, "false_positive")  # replaces its earlier feedback

    sellers = [
        a,
        b,
        [a[1], b[0]],
        c,
        d,
        [d[0], NAME],
        [NAME],
        [NAME, SHOP],
        e,
        [*a, *d, NAME],
        [{"type": "observed_phone", "value": a[0]["value"]}],  # the phone's value, another type
        seller_identifiers(99),
    ]
    # One checking organisation with a policy of its own, one with the default.
    MemberPolicy.objects.create(
        organisation=platforms[0].organisation,
        strikes=2,
        window_months=6,
        one_strike_verification_levels=["court_judgment", "trademark_registry"],
        one_strike_categories=["counterfeit"],
    )
    checking = [platforms[0].organisation_id, platforms[1].organisation_id]
    hits = 0
    now = timezone.now()
    for n, identifiers in enumerate(sellers):
        organisation = checking[n % 2]
        tokenised = identifiers_tokenise(identifiers=raw_identifiers(identifiers), default_country="CN")
        found, evidence, policy = check_lookup(tokenised, now=now, organisation_id=organisation)
        orm_found, orm_evidence = _orm_reading(tokenised, now)

        assert sorted(dataclasses.astuple(row) for row in found) == orm_found, identifiers
        assert _plain(evidence) == _plain(orm_evidence), identifiers
        assert policy() == policy_of(organisation), identifiers
        hits += bool(evidence)
    assert policy_of(checking[0])["strikes"] == 2 and policy_of(checking[1]) == DEFAULT_POLICY
    assert hits == 7  # a, b, a+b, d, d+name, a+d+name, and the name alone reaching nothing is not one
