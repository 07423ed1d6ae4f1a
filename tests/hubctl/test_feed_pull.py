"""hubctl feed pull keeps a SQLite mirror of the hub's TAXII collection: what the hub lists now, nothing
withdrawn, and a cursor so the next pull reads only what was added since."""

from __future__ import annotations

import sqlite3

import pytest

from accounts.actors import Actor
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from hubctl.cli import main
from hubctl.feed import Mirror
from sharing.feed.services.content import fixed_objects
from sharing.reports.services.reports import report_retract
from tests.factories import key_for, persona, report_make_accepted, seller_identifiers
from tests.sharing.feed_mirror import TOKEN_IN_PATTERN

pytestmark = pytest.mark.django_db(transaction=True)


def _listed_tokens(path) -> set[frozenset]:
    mirror = Mirror(path)
    try:
        return {
            frozenset(TOKEN_IN_PATTERN.findall(obj["pattern"]))
            for obj in mirror.objects()
            if obj["type"] == "indicator"
        }
    finally:
        mirror.close()


def test_pull_mirrors_the_listings_drops_a_withdrawn_one_and_resumes_from_its_cursor(
    live_server, tmp_path, capsys
):
    brand, reviewer = persona(K.RIGHTS_OWNER, R.REPORTER), persona(K.OPERATOR, R.REVIEWER)
    kept = report_make_accepted(brand, reviewer, seller_identifiers(501))
    withdrawn = report_make_accepted(brand, reviewer, seller_identifiers(502))
    into = tmp_path / "listings.sqlite"
    argv = ["--hub", live_server.url, "--api-key", key_for(persona(K.PLATFORM, R.ANALYST)), "feed", "pull"]

    first = main([*argv, "--into", str(into), "--page-size", "2"])
    listed_first = _listed_tokens(into)
    report_retract(report=withdrawn, actor=Actor(member=brand))
    second = main([*argv, "--into", str(into)])
    third = main([*argv, "--into", str(into)])
    lines = capsys.readouterr().out.splitlines()

    assert (first, second, third) == (0, 0, 0)
    assert len(listed_first) == 2
    assert len(_listed_tokens(into)) == 1 and _listed_tokens(into) < listed_first
    # Every collection's fixed objects (identity, extension definitions, TLP markings), then two listings.
    assert f"Pulled {len(fixed_objects()) + 2} version(s)" in lines[0]
    assert "Pulled 1 version(s)" in lines[1] and "1 revoked" in lines[1]
    assert "Pulled 0 version(s)" in lines[2]
    assert sqlite3.connect(into).execute("SELECT COUNT(*) FROM cursors").fetchone()[0] == 1
    assert kept.status == "accepted"


def test_pull_without_a_role_that_checks_sellers_is_refused(live_server, tmp_path, capsys):
    reporter_key = key_for(persona(K.RIGHTS_OWNER, R.REPORTER))

    status = main(
        ["--hub", live_server.url, "--api-key", reporter_key, "feed", "pull", "--into", str(tmp_path / "m")]
    )

    assert status == 1
    assert "or role is not allowed to do this" in capsys.readouterr().err
