"""The partitioned token table's link checks lock the token they find, as PostgreSQL's own foreign keys do
(FOR KEY SHARE): two transactions, one linking to a token and one deleting it, each checked before the
other commits, cannot both commit and leave a link to nothing.

Two real connections on committed rows, so the table is partitioned for the test and returned after it.
"""

from __future__ import annotations

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from sharing.models import IdentifierToken, ParcelEvent
from tests.factories import persona

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="only PostgreSQL's token table can be partitioned"
    ),
]


@pytest.fixture(params=["plain", "partitioned"])
def form(request):
    if request.param == "partitioned":
        call_command("token_table_partition", stdout=None)
    yield request.param
    if request.param == "partitioned":
        call_command("token_table_partition", "--undo", stdout=None)


def _connect() -> psycopg.Connection:
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        dbname=db["NAME"],
        password=db["PASSWORD"] or None,
    )


def test_a_link_checked_before_its_token_is_deleted_holds_the_token_until_it_commits(form):
    courier = persona(K.LOGISTICS, R.ANALYST)
    event = ParcelEvent.objects.create(
        organisation=courier.organisation,
        member=courier,
        kind="seized",
        occurred_at=timezone.now(),
        origin_region="CN",
        category="counterfeit",
    )
    token = IdentifierToken.objects.create(token="1:raced", identifier_type="waybill", key_version=1)
    linking, deleting = _connect(), _connect()
    try:
        linking.execute(
            "INSERT INTO sharing_parcelevent_tokens (parcelevent_id, identifiertoken_id) VALUES (%s, %s)",
            [event.id, token.id],
        )
        linking.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the link's check runs now: the token is there
        deleting.execute("SET lock_timeout = '1s'")
        with pytest.raises(psycopg.errors.LockNotAvailable):
            # Held by the link's check until the link commits; unlocked, the delete and its own check
            # (which cannot see the uncommitted link) would pass, and both would commit.
            deleting.execute("DELETE FROM sharing_identifiertoken WHERE id = %s", [token.id])
            deleting.execute("SET CONSTRAINTS ALL IMMEDIATE")
            deleting.commit()
        deleting.rollback()
        linking.commit()
    finally:
        linking.close()
        deleting.close()

    assert event.tokens.filter(id=token.id).exists()
