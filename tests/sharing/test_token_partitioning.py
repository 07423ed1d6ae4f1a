"""The token table's links keep their integrity against raw SQL in either form: plain, with its foreign keys
(both backends), and hash-partitioned on PostgreSQL by manage.py token_table_partition, where constraint
triggers stand in for the foreign keys a partitioned table cannot take.

Each test runs once per form (the `form` fixture): the command partitions the table inside the test's
transaction (PostgreSQL's DDL is transactional), so the rollback at the end returns the plain table every
other test sees. Both kinds of check are deferred to commit, as Django's foreign keys are;
connection.check_constraints() fires them early (SET CONSTRAINTS ALL IMMEDIATE on PostgreSQL, PRAGMA
foreign_key_check on SQLite)."""

from __future__ import annotations

import re

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone

from accounts.audit.models import AuditEvent
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from sharing.models import IdentifierToken, ParcelEvent, ReportIdentifier
from sharing.subjects.services.token_partitioning import token_table_partitions
from tests.factories import persona, report_make

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="only PostgreSQL's token table can be partitioned"
)
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="the refusal is SQLite's")


def _partition(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("token_table_partition", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True, params=["plain", pytest.param("partitioned", marks=postgresql_only)])
def form(request) -> str:
    """Before any row is made: the copy cannot run while the transaction has deferred checks pending."""
    if request.param == "partitioned":
        _partition()
    return request.param


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
def test_the_command_partitions_on_token_in_sixteen(form):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_partkeydef('sharing_identifiertoken'::regclass)")
        key = cursor.fetchone()[0]
    assert (key, token_table_partitions()) == (("HASH (token)", 16) if form == "partitioned" else (None, 0))


@postgresql_only
def test_a_token_and_type_stay_unique_across_partitions(form):
    IdentifierToken.objects.create(token="1:once", identifier_type="phone", key_version=1)
    IdentifierToken.objects.create(token="1:once", identifier_type="email", key_version=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        IdentifierToken.objects.create(token="1:once", identifier_type="phone", key_version=1)


@postgresql_only
def test_a_lookup_by_token_reads_one_partition(form):
    if form == "plain":
        pytest.skip("a plain table has no partitions")
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN SELECT id FROM sharing_identifiertoken WHERE token = %s", ["1:some-token"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert len(set(re.findall(r" on (sharing_identifiertoken_p\d+)", plan))) == 1, plan


def test_tokens_counted_by_their_links_group_by_every_column(linked_token):
    """Django groups by the primary key alone where PostgreSQL allows it; the partitioned table's primary
    key is (id, token), so the hub's backend (hub/postgresql/base.py) groups by every selected column."""
    row = IdentifierToken.objects.annotate(links=Count("report_links")).get(id=linked_token.id)
    assert (row.token, row.links) == (linked_token.token, 1)


@postgresql_only
def test_the_command_says_the_table_is_already_in_the_form_asked_for(form):
    audited = AuditEvent.objects.filter(action="sharing:token_table:reshaped").count()
    if form == "partitioned":
        assert _partition() == "The token table is already partitioned in 16; nothing changed.\n"
    else:
        assert _partition("--undo") == "The token table is already a plain table; nothing changed.\n"
    assert AuditEvent.objects.filter(action="sharing:token_table:reshaped").count() == audited


@postgresql_only
def test_undo_returns_the_plain_table_with_its_rows_links_and_foreign_keys(form, linked_token):
    if form == "plain":
        pytest.skip("undo starts from a partitioned table")
    assert _partition("--undo") == "Returned the token table to a plain table (it had 16 partitions).\n"
    assert token_table_partitions() == 0
    assert ReportIdentifier.objects.filter(token__token=linked_token.token).count() == 1
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text FROM pg_constraint WHERE contype = 'f' "
            "AND confrelid = 'sharing_identifiertoken'::regclass ORDER BY 1"
        )
        assert [row[0] for row in cursor.fetchall()] == [
            "sharing_parcelevent_tokens",
            "sharing_reportidentifier",
        ]
    # New tokens continue the same identity sequence.
    assert (
        IdentifierToken.objects.create(token="1:after", identifier_type="phone", key_version=1).id
        > linked_token.id
    )


@postgresql_only
def test_each_change_of_form_is_audited_once(form):
    if form == "partitioned":
        _partition("--undo")
    _partition("--partitions", "4")
    assert token_table_partitions() == 4
    assert [
        e.details for e in AuditEvent.objects.filter(action="sharing:token_table:reshaped").order_by("seq")
    ] == [
        *(
            [
                {"partitions_before": 0, "partitions_after": 16},
                {"partitions_before": 16, "partitions_after": 0},
            ]
            if form == "partitioned"
            else []
        ),
        {"partitions_before": 0, "partitions_after": 4},
    ]


@postgresql_only
def test_another_partition_count_is_refused_until_undone(form):
    if form == "plain":
        pytest.skip("starts from a partitioned table")
    with pytest.raises(CommandError, match="already partitioned in 16"):
        _partition("--partitions", "8")
    _partition("--undo")
    with pytest.raises(CommandError, match="at least two partitions"):
        _partition("--partitions", "1")
    assert token_table_partitions() == 0


@sqlite_only
def test_sqlite_is_refused_with_a_reason():
    with pytest.raises(CommandError, match="Only a PostgreSQL hub"):
        _partition()
    with pytest.raises(CommandError, match="Only a PostgreSQL hub"):
        _partition("--undo")
