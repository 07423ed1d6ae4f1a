"""The token table's links keep their integrity against raw SQL on both backends (sharing migration 0035):
on PostgreSQL the table is hash-partitioned on token and constraint triggers stand in for the foreign keys
a partitioned table cannot take; on SQLite the original foreign keys do the same job.

Both are deferred to commit, as Django's foreign keys are; connection.check_constraints() fires them early
(SET CONSTRAINTS ALL IMMEDIATE on PostgreSQL, PRAGMA foreign_key_check on SQLite)."""

from __future__ import annotations

import re

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from sharing.models import IdentifierToken, ParcelEvent, ReportIdentifier
from tests.factories import persona, report_make

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the partitioned table exists on PostgreSQL only"
)


def _execute(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _fails_at_commit(sql: str, params: list) -> None:
    """The statement runs, but the transaction holding it cannot commit (the deferred check refuses it)."""
    with pytest.raises(IntegrityError), transaction.atomic():
        _execute(sql, params)
        connection.check_constraints()


@pytest.fixture
def linked_token() -> IdentifierToken:
    report = report_make(persona(K.RIGHTS_OWNER, R.REPORTER))
    return ReportIdentifier.objects.filter(report=report).select_related("token").first().token


@pytest.fixture
def parcel_event() -> ParcelEvent:
    courier = persona(K.LOGISTICS, R.ANALYST)
    return ParcelEvent.objects.create(
        organisation=courier.organisation,
        member=courier,
        kind="seized",
        occurred_at=timezone.now(),
        origin_region="CN",
        category="counterfeit",
    )


def test_a_raw_delete_of_a_token_a_report_links_to_fails(linked_token):
    _fails_at_commit("DELETE FROM sharing_identifiertoken WHERE id = %s", [linked_token.id])
    assert IdentifierToken.objects.filter(id=linked_token.id).exists()


def test_a_raw_delete_of_a_token_a_parcel_event_links_to_fails(parcel_event):
    token = IdentifierToken.objects.create(token="1:parcel-only", identifier_type="waybill", key_version=1)
    parcel_event.tokens.add(token)
    _fails_at_commit("DELETE FROM sharing_identifiertoken WHERE id = %s", [token.id])
    assert parcel_event.tokens.filter(id=token.id).exists()


def test_a_raw_delete_of_a_token_nothing_links_to_succeeds():
    token = IdentifierToken.objects.create(token="1:unlinked", identifier_type="phone", key_version=1)
    with transaction.atomic():
        _execute("DELETE FROM sharing_identifiertoken WHERE id = %s", [token.id])
        connection.check_constraints()
    assert not IdentifierToken.objects.filter(id=token.id).exists()


def test_a_token_deleted_with_its_links_in_one_transaction_commits(parcel_event):
    """A link made and then deleted before commit, with its token (as rotation's merge does), holds nothing."""
    token = IdentifierToken.objects.create(token="1:merged-away", identifier_type="phone", key_version=1)
    with transaction.atomic():
        parcel_event.tokens.add(token)
        parcel_event.tokens.remove(token)
        _execute("DELETE FROM sharing_identifiertoken WHERE id = %s", [token.id])
        connection.check_constraints()
    assert not IdentifierToken.objects.filter(id=token.id).exists()


def test_a_report_link_to_a_missing_token_fails(linked_token):
    link = ReportIdentifier.objects.filter(token=linked_token).first()
    missing = IdentifierToken.objects.order_by("-id").first().id + 1000
    _fails_at_commit(
        "INSERT INTO sharing_reportidentifier (report_id, token_id) VALUES (%s, %s)",
        [link.report_id, missing],
    )
    _fails_at_commit("UPDATE sharing_reportidentifier SET token_id = %s WHERE id = %s", [missing, link.id])


def test_a_parcel_event_link_to_a_missing_token_fails(parcel_event):
    missing = (IdentifierToken.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1000
    _fails_at_commit(
        "INSERT INTO sharing_parcelevent_tokens (parcelevent_id, identifiertoken_id) VALUES (%s, %s)",
        [parcel_event.id, missing],
    )


def test_a_linked_token_rewritten_in_place_keeps_its_links(linked_token):
    """rotate_token_storage rewrites the token column; on PostgreSQL that moves the row to another partition
    (a DELETE plus an INSERT underneath), which must not read as deleting a linked token."""
    with transaction.atomic():
        for n in range(8):  # eight new values: some land in another partition whatever the hash
            _execute(
                "UPDATE sharing_identifiertoken SET token = %s WHERE id = %s",
                [f"9:moved-{n}", linked_token.id],
            )
        connection.check_constraints()
    assert ReportIdentifier.objects.filter(token__token="9:moved-7").exists()


@postgresql_only
def test_the_token_table_is_hash_partitioned_on_token_in_sixteen():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_partkeydef('sharing_identifiertoken'::regclass), "
            "(SELECT count(*) FROM pg_inherits WHERE inhparent = 'sharing_identifiertoken'::regclass)"
        )
        assert cursor.fetchone() == ("HASH (token)", 16)


@postgresql_only
def test_a_token_and_type_stay_unique_across_partitions():
    IdentifierToken.objects.create(token="1:once", identifier_type="phone", key_version=1)
    IdentifierToken.objects.create(token="1:once", identifier_type="email", key_version=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        IdentifierToken.objects.create(token="1:once", identifier_type="phone", key_version=1)


@postgresql_only
def test_a_lookup_by_token_reads_one_partition():
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN SELECT id FROM sharing_identifiertoken WHERE token = %s", ["1:some-token"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert len(set(re.findall(r" on (sharing_identifiertoken_p\d+)", plan))) == 1, plan


def test_tokens_counted_by_their_links_group_by_every_column(linked_token):
    """Django groups by the primary key alone where PostgreSQL allows it; the partitioned table's primary
    key is (id, token), so the hub's backend (hub/postgresql/base.py) groups by every selected column."""
    from django.db.models import Count

    row = IdentifierToken.objects.annotate(links=Count("report_links")).get(id=linked_token.id)
    assert (row.token, row.links) == (linked_token.token, 1)
