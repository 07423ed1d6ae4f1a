"""hubctl feed pull keeps a SQLite mirror of a hub TAXII collection (the listings, or a rights owner's
own "Sellers you reported"): what the hub shows now, nothing withdrawn, and a cursor so the next pull
reads only what was added since."""

from __future__ import annotations

import sqlite3

import pytest

from accounts.actors import Actor
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from hubctl.cli import main
from hubctl.feed import Mirror
from sharing.feed.services.audiences import OUTCOMES_COLLECTION_ID
from sharing.feed.services.content import OUTCOME_EXTENSION_ID, fixed_objects
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
    argv = [
        "--hub",
        live_server.url,
        "--api-key",
        key_for(persona(K.PLATFORM, R.ANALYST)),
        "feed",
        "pull",
        "--purpose",
        "listing_review",
    ]

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


def test_a_rights_owner_pulls_its_own_collection_and_its_withdrawn_seller_leaves_the_mirror(
    live_server, tmp_path, capsys
):
    brand, reviewer = persona(K.RIGHTS_OWNER, R.REPORTER), persona(K.OPERATOR, R.REVIEWER)
    other = persona(K.RIGHTS_OWNER, R.REPORTER)
    report_make_accepted(brand, reviewer, seller_identifiers(511))
    withdrawn = report_make_accepted(brand, reviewer, seller_identifiers(512))
    report_make_accepted(other, reviewer, seller_identifiers(513))  # another organisation's: never mirrored
    into = tmp_path / "outcomes.sqlite"
    argv = [
        "--hub",
        live_server.url,
        "--api-key",
        key_for(brand),
        "feed",
        "pull",
        "--purpose",
        "enforcement_action",
        "--into",
        str(into),
    ]

    first = main([*argv, "--collection", OUTCOMES_COLLECTION_ID, "--page-size", "3"])
    subjects_first = _outcome_subjects(into)
    report_retract(report=withdrawn, actor=Actor(member=brand))
    second = main(argv)  # the only collection it is offered: the default
    lines = capsys.readouterr().out.splitlines()

    assert (first, second) == (0, 0)
    assert len(subjects_first) == 2
    assert len(_outcome_subjects(into)) == 1 and _outcome_subjects(into) < subjects_first
    assert f"Pulled {len(fixed_objects()) + 2} version(s) of collection {OUTCOMES_COLLECTION_ID}" in lines[0]
    assert "Pulled 1 version(s)" in lines[1] and "1 revoked" in lines[1]


def _outcome_subjects(path) -> set[str]:
    mirror = Mirror(path)
    try:
        return {
            obj["extensions"][OUTCOME_EXTENSION_ID]["subject_id"]
            for obj in mirror.objects()
            if obj["type"] == "note"
        }
    finally:
        mirror.close()


def test_pull_without_a_role_that_reads_a_collection_is_refused(live_server, tmp_path, capsys):
    court_key = key_for(persona(K.COURT, R.ANALYST))

    status = main(
        [
            "--hub",
            live_server.url,
            "--api-key",
            court_key,
            "feed",
            "pull",
            "--purpose",
            "listing_review",
            "--into",
            str(tmp_path / "m"),
        ]
    )

    assert status == 1
    assert "or role is not allowed to do this" in capsys.readouterr().err
