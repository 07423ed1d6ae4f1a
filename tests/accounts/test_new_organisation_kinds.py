"""Market regulation authorities, customs and payment providers: their roles, the database's guard on
them, how they join, and what least privilege leaves out (the role matrix walks every route for them)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from accounts.admission.services import application_verify
from accounts.models import Member, Organisation
from accounts.roles import Capability, OrganisationKind, Role, capabilities_for
from tests.accounts.test_admission import apply
from tests.factories import OrganisationFactory, persona, seller_identifiers

pytestmark = pytest.mark.django_db
K, R, C = OrganisationKind, Role, Capability


@pytest.mark.parametrize(
    ("kind", "role", "allowed", "disallowed"),
    [
        (K.MARKET_REGULATOR, R.ANALYST, {C.CHECK_RUN, C.REPORT_READ}, {C.BULK_RUN, C.DISCLOSURE_REQUEST}),
        (K.MARKET_REGULATOR, R.REPORTER, {C.REPORT_SUBMIT}, {C.CHECK_RUN, C.WATCHLIST_MANAGE}),
        (K.CUSTOMS, R.ANALYST, {C.CHECK_RUN, C.BULK_RUN, C.FEEDBACK_RECORD}, {C.WATCHLIST_MANAGE}),
        (K.CUSTOMS, R.REPORTER, {C.REPORT_SUBMIT}, {C.DISPUTE_FILE, C.DISCLOSURE_REQUEST}),
        (
            K.PAYMENT_PROVIDER,
            R.ANALYST,
            {C.CHECK_RUN, C.WATCHLIST_MANAGE, C.FEEDBACK_RECORD},
            {C.REPORT_SUBMIT},
        ),
        (K.PAYMENT_PROVIDER, R.ADMIN, {C.WEBHOOK_MANAGE, C.MEMBER_MANAGE}, {C.BULK_RUN, C.REPORT_SUBMIT}),
    ],
)
def test_each_new_kind_holds_what_its_work_needs_and_no_more(kind, role, allowed, disallowed):
    held = capabilities_for(kind, role)

    assert allowed <= held
    assert not (disallowed & held)


def test_the_database_takes_the_new_kinds_and_refuses_a_role_they_do_not_have():
    payments = OrganisationFactory(kind=K.PAYMENT_PROVIDER)
    persona(K.CUSTOMS, R.REPORTER)

    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.create(
            user=_user("payments-reporter"),
            organisation=payments,
            organisation_kind=payments.kind,
            role=R.REPORTER,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(name="Nowhere", kind="ministry", country="CN")


def test_a_customs_analyst_checks_a_sender(api):
    customs = persona(K.CUSTOMS, R.ANALYST)

    answer = api(customs).post(
        "/api/v1/checks", {"purpose": "parcel_screening", "identifiers": seller_identifiers()}, format="json"
    )

    assert answer.status_code == 200 and answer.json()["level"] == "none"


def test_a_payment_provider_applies_and_is_admitted_in_its_own_jurisdiction(operator_admin):
    from rest_framework.test import APIClient

    from accounts.actors import Actor
    from accounts.admission.models import OrganisationApplication

    applied = apply(
        APIClient(),
        kind="payment_provider",
        legal_name="Example Pay Ltd",
        country="HK",
        registration_number="12345678",
    )
    regulator = apply(APIClient(), kind="market_regulator", legal_name="Example Bureau")
    admitted = application_verify(
        application=OrganisationApplication.objects.get(public_id=applied.json()["id"]),
        reason="licence checked",
        actor=Actor(member=operator_admin),
    )

    assert applied.status_code == 201, applied.content
    assert regulator.status_code == 400 and "kind" in regulator.json()["error"]["fields"]
    assert admitted.kind == K.PAYMENT_PROVIDER and admitted.jurisdiction == "HK"


def _user(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username=username, password="x" * 20)


@pytest.mark.parametrize(
    ("kind", "role"),
    [(K.MARKET_REGULATOR, R.ANALYST), (K.CUSTOMS, R.ANALYST), (K.PAYMENT_PROVIDER, R.ANALYST)],
)
def test_the_home_and_check_pages_serve_the_new_kinds(client, kind, role):
    from tests.factories import web_login

    member = persona(kind, role)
    web_login(client, member)

    home = client.get("/")
    check = client.get("/check/")

    assert home.status_code == 200
    assert check.status_code == 200
