"""Hand-written hot-path reads (hub/model_rows.py) give what the ORM gives, field for field.

Authentication (accounts/authentication.py `api_key_with_member`) and a check's policy
(sharing/checks/services/policies.py `policy_of`) read through a statement spelled once per process
instead of a compiled queryset; these tests hold each to the ORM's reading on the backend the suite
runs on (SQLite and PostgreSQL in CI), JSON, dates, UUIDs and booleans included.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.authentication import api_key_with_member
from accounts.models import ApiKey, Organisation
from hub.model_rows import instance_insert
from sharing.checks.services.policies import DEFAULT_POLICY, policy_of
from sharing.models import MemberPolicy
from tests.factories import key_for

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def test_the_key_statement_reads_what_select_related_reads(platform_analyst):
    plaintext = key_for(platform_analyst, ["check", "keys"])
    prefix = plaintext.split("_")[1]
    ApiKey.objects.filter(prefix=prefix).update(last_used_at=timezone.now() - timedelta(hours=1))
    Organisation.objects.filter(pk=platform_analyst.organisation_id).update(name="Näme «quoted» 名")

    orm = ApiKey.objects.select_related("member__organisation", "member__user").get(prefix=prefix)
    read = api_key_with_member(prefix)

    assert _fields(read) == _fields(orm)
    assert _fields(read.member) == _fields(orm.member)
    assert _fields(read.member.user) == _fields(orm.member.user)
    assert _fields(read.member.organisation) == _fields(orm.member.organisation)
    assert read.scopes == ["check", "keys"] and read.last_used_at.tzinfo is not None
    assert type(read.member.user) is get_user_model()
    assert api_key_with_member("zzzzzzzz") is None


def test_the_key_statement_sees_a_revocation_and_a_suspension_at_once(platform_analyst):
    prefix = key_for(platform_analyst, ["check"]).split("_")[1]
    assert api_key_with_member(prefix).is_usable()

    platform_analyst.active = False
    platform_analyst.save(update_fields=["active"])
    assert not api_key_with_member(prefix).is_usable()

    platform_analyst.active = True
    platform_analyst.save(update_fields=["active"])
    ApiKey.objects.filter(prefix=prefix).update(revoked_at=timezone.now())
    assert not api_key_with_member(prefix).is_usable()


def test_the_policy_statement_reads_what_the_orm_reads(platform_analyst):
    organisation = platform_analyst.organisation_id
    assert policy_of(organisation) == DEFAULT_POLICY

    MemberPolicy.objects.create(
        organisation_id=organisation,
        strikes=5,
        window_months=6,
        one_strike_verification_levels=["court_judgment", "platform_takedown"],
        one_strike_categories=["counterfeit"],
    )
    stored = MemberPolicy.objects.get(organisation_id=organisation)

    assert (
        policy_of(organisation)
        == {
            "strikes": stored.strikes,
            "window_months": stored.window_months,
            "one_strike_verification_levels": stored.one_strike_verification_levels,
            "one_strike_categories": stored.one_strike_categories,
        }
        == {
            "strikes": 5,
            "window_months": 6,
            "one_strike_verification_levels": ["court_judgment", "platform_takedown"],
            "one_strike_categories": ["counterfeit"],
        }
    )


def test_an_insert_statement_writes_what_save_writes(platform_analyst):
    from accounts.audit.models import AuditStagedEvent

    def staged(**extra):
        return AuditStagedEvent(
            actor_member=platform_analyst,
            organisation=platform_analyst.organisation,
            role=platform_analyst.role,
            action="sharing:check:run",
            object_type="check",
            object_id="c-1",
            data_class="shareable",
            legal_basis="legitimate_interest",
            details={"identifier_types": ["phone"], "n": 2, "nested": {"é": [1, None]}},
            **extra,
        )

    by_orm, by_statement = staged(), staged()
    by_orm.save(force_insert=True)
    instance_insert(by_statement)

    assert by_statement.pk is not None and by_statement.pk != by_orm.pk
    assert not by_statement._state.adding and by_statement._state.db == "default"
    rows = {
        row.pop("id"): row
        for row in AuditStagedEvent.objects.filter(pk__in=[by_orm.pk, by_statement.pk]).values()
    }
    written_by_orm, written_by_statement = rows[by_orm.pk], rows[by_statement.pk]
    assert written_by_statement.pop("public_id") == by_statement.public_id
    assert written_by_orm.pop("public_id") == by_orm.public_id
    assert written_by_statement.pop("occurred_at") == by_statement.occurred_at
    written_by_orm.pop("occurred_at")
    assert written_by_statement == written_by_orm
    assert written_by_statement["details"] == {
        "identifier_types": ["phone"],
        "n": 2,
        "nested": {"é": [1, None]},
    }


def test_nobody_listens_to_the_models_inserted_without_save():
    """instance_insert sends no model signals: a receiver added for these models would silently miss rows."""
    from django.db.models.signals import post_save, pre_save

    from accounts.audit.models import AuditEvent, AuditStagedEvent

    for model in (AuditEvent, AuditStagedEvent):
        assert not pre_save.has_listeners(model) and not post_save.has_listeners(model)


def test_the_canary_statement_reads_what_the_orm_reads(operator_admin):
    from sharing.checks.services.enumeration import canaries_among
    from sharing.models import Canary

    planted = [
        Canary.objects.create(
            token=f"1:{n:0128x}", identifier_type="phone", label=f"c{n}", planted_by=operator_admin
        )
        for n in range(3)
    ]
    forms = [planted[0].token, planted[2].token, "1:" + "f" * 128]

    read = sorted(canaries_among(forms), key=lambda canary: canary.pk)
    orm = list(Canary.objects.filter(token__in=forms).order_by("pk"))

    assert [_fields(canary) for canary in read] == [_fields(canary) for canary in orm]
    assert [canary.label for canary in read] == ["c0", "c2"]
    assert canaries_among([]) == []
