"""The feed's collections per audience: one object and its versions over TAXII with the OASIS client,
each rights owner's "Sellers you reported" (its own rows only, counts suppressed below the threshold,
revoked when no longer listed or no longer reported), and the operators' TLP:RED view members never see.
"""

from __future__ import annotations

import json

import pytest
import requests
from stix2validator import ValidationOptions, validate_instance
from taxii2client.v21 import Server, as_pages

from accounts.actors import Actor
from accounts.audit.models import AuditEvent, Outcome
from accounts.audit.tags import AuditTag
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from sharing.feed.services.audiences import OPERATOR_COLLECTION_ID, OUTCOMES_COLLECTION_ID
from sharing.feed.services.content import (
    LISTINGS_COLLECTION_ID,
    OPERATOR_EXTENSION_ID,
    OUTCOME_EXTENSION_ID,
    TLP_AMBER_ID,
    TLP_RED_ID,
)
from sharing.feed.services.publish import feed_refresh
from sharing.models import FeedObjectVersion
from sharing.reports.services.reports import report_retract
from tests.factories import (
    client_for,
    feed_subscribed,
    key_for,
    persona,
    report_make,
    report_make_accepted,
    seller_identifiers,
)

TAXII = "application/taxii+json;version=2.1"
ROOT = "/taxii2/hub/"


def _collection_url(collection_id: str) -> str:
    return f"{ROOT}collections/{collection_id}/"


def _no_error(obj: dict) -> list[str]:
    return [str(e) for e in validate_instance(obj, ValidationOptions(version="2.1")).errors]


def _get(member_or_client, path, **params):
    client = (
        member_or_client
        if hasattr(member_or_client, "get")
        else client_for(feed_subscribed(member_or_client))
    )
    return client.get(path, params, HTTP_ACCEPT=TAXII)


def _notes(organisation) -> list[FeedObjectVersion]:
    return list(
        FeedObjectVersion.objects.filter(
            collection=OUTCOMES_COLLECTION_ID, audience_organisation=organisation
        ).order_by("sequence")
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.django_db
def test_versions_and_the_manifest_name_a_version_as_the_object_does():
    """STIX writes 100 ms as ".1Z": the versions list and the manifest give the object's own text."""
    from datetime import UTC, datetime

    report_make_accepted(
        persona(K.RIGHTS_OWNER, R.REPORTER), persona(K.OPERATOR, R.REVIEWER), seller_identifiers(640)
    )
    row = FeedObjectVersion.objects.get(collection=LISTINGS_COLLECTION_ID, stix_type="indicator")
    row.version = datetime(2026, 12, 1, 9, 0, 0, 100000, tzinfo=UTC)
    row.content = {**row.content, "modified": "2026-12-01T09:00:00.1Z"}
    row.save(update_fields=["version", "content"])
    analyst = persona(K.PLATFORM, R.ANALYST)
    base = _collection_url(LISTINGS_COLLECTION_ID)

    versions = _get(analyst, f"{base}objects/{row.stix_id}/versions/").json()["versions"]
    manifest = _get(analyst, f"{base}manifest/", **{"match[id]": row.stix_id}).json()["objects"]

    assert versions == ["2026-12-01T09:00:00.1Z"]
    assert [entry["version"] for entry in manifest] == ["2026-12-01T09:00:00.1Z"]


def test_the_oasis_client_gets_one_object_and_pages_through_its_versions(live_server):
    reviewer = persona(K.OPERATOR, R.REVIEWER)
    brands = [persona(K.RIGHTS_OWNER, R.REPORTER) for _ in range(3)]
    for brand in brands:  # three organisations: three versions of one listing
        report_make_accepted(brand, reviewer, seller_identifiers(601))
    analyst = persona(K.PLATFORM, R.ANALYST)
    server = Server(
        f"{live_server.url}/taxii2/", user="feed-reader", password=key_for(feed_subscribed(analyst))
    )
    listings = next(c for c in server.api_roots[0].collections if c.id == LISTINGS_COLLECTION_ID)
    indicator = FeedObjectVersion.objects.filter(collection=LISTINGS_COLLECTION_ID, stix_type="indicator")
    stix_id = indicator.first().stix_id
    stored = [row.content["modified"] for row in indicator.order_by("sequence")]

    last = listings.get_object(stix_id)
    every = listings.get_object(stix_id, version="all")
    first = listings.get_object(stix_id, version="first")
    versions, page = [], listings.object_versions(stix_id, limit=1)
    while True:
        versions += page["versions"]
        if not page["more"]:
            break
        page = listings.object_versions(stix_id, limit=1, next=page["next"])
    paged_objects = [
        obj
        for envelope in as_pages(listings.get_object, 2, stix_id, version="all")
        for obj in envelope.get("objects", [])
    ]
    with pytest.raises(requests.HTTPError) as missing:
        listings.get_object("indicator--00000000-0000-4000-8000-000000000000")
    owner = Server(
        f"{live_server.url}/taxii2/", user="feed-reader", password=key_for(feed_subscribed(brands[0]))
    )
    (reported,) = owner.api_roots[0].collections
    owned = [
        obj
        for envelope in as_pages(reported.get_objects, 2, version="all")
        for obj in envelope.get("objects", [])
    ]
    (note_id,) = {o["id"] for o in owned if o["type"] == "note"}
    note_versions = reported.object_versions(note_id)["versions"]

    assert len(stored) == 3
    assert [o["modified"] for o in last["objects"]] == stored[-1:]
    assert [o["modified"] for o in every["objects"]] == stored == versions
    assert [o["modified"] for o in first["objects"]] == stored[:1]
    assert [o["modified"] for o in paged_objects] == stored
    assert {o["id"] for o in every["objects"]} == {stix_id}
    assert missing.value.response.status_code == 404
    assert missing.value.response.json()["http_status"] == "404"
    assert {o["modified"]: _no_error(o) for o in every["objects"]} == {v: [] for v in stored}
    # The first reporter's note changed with each new independent reporter: three versions too.
    assert reported.id == OUTCOMES_COLLECTION_ID and len(note_versions) == 3
    assert reported.get_object(note_id)["objects"][0]["object_refs"] == [stix_id]
    assert [(o["id"], _no_error(o)) for o in owned] == [(o["id"], []) for o in owned]


def _two_owners_one_seller() -> dict:
    """Two rights owners report the same seller (listed); each has a seller of its own too."""
    reviewer = persona(K.OPERATOR, R.REVIEWER)
    alpha, beta = persona(K.RIGHTS_OWNER, R.REPORTER), persona(K.RIGHTS_OWNER, R.REPORTER)
    shared = seller_identifiers(610)
    reports = {
        "alpha_shared": report_make_accepted(alpha, reviewer, shared),
        "beta_shared": report_make_accepted(beta, reviewer, shared),
        "alpha_own": report_make_accepted(alpha, reviewer, seller_identifiers(611)),
        "beta_own": report_make_accepted(beta, reviewer, seller_identifiers(612)),
    }
    return {"alpha": alpha, "beta": beta, "reviewer": reviewer, "reports": reports}


@pytest.mark.django_db
def test_each_rights_owner_reads_only_its_own_outcomes_by_list_id_versions_and_manifest():
    scenario = _two_owners_one_seller()
    alpha, beta = scenario["alpha"], scenario["beta"]
    url = _collection_url(OUTCOMES_COLLECTION_ID)
    betas = {row.stix_id for row in _notes(beta.organisation)}

    collections = _get(alpha, f"{ROOT}collections/").json()["collections"]
    listed = _get(alpha, f"{url}objects/", **{"match[version]": "all"}).json()["objects"]
    manifest = _get(alpha, f"{url}manifest/", **{"match[version]": "all"}).json()["objects"]
    notes = _get(alpha, f"{url}objects/", **{"match[type]": "note"}).json()["objects"]
    by_id = [_get(alpha, f"{url}objects/{stix_id}/") for stix_id in sorted(betas)]
    versions = [_get(alpha, f"{url}objects/{stix_id}/versions/") for stix_id in sorted(betas)]
    filtered = _get(alpha, f"{url}objects/", **{"match[id]": ",".join(betas)})

    assert [c["id"] for c in collections] == [OUTCOMES_COLLECTION_ID]  # a rights owner checks nothing
    assert len(betas) == 2 and len(notes) == 2  # the shared seller's note has a second version
    assert len([o for o in listed if o["type"] == "note"]) == 3
    assert {o["id"] for o in listed} & betas == set() and {e["id"] for e in manifest} & betas == set()
    assert {r.status_code for r in by_id + versions} == {404}
    assert filtered.status_code == 200 and filtered.json() == {}
    denied = AuditEvent.objects.filter(action=AuditTag.FEED_READ, actor_member=alpha, outcome=Outcome.DENIED)
    assert denied.count() == 4
    subjects = {o["extensions"][OUTCOME_EXTENSION_ID]["subject_id"] for o in notes}
    assert len(subjects) == 2
    for note in notes:
        state = note["extensions"][OUTCOME_EXTENSION_ID]
        assert note["object_marking_refs"] == [TLP_AMBER_ID]
        assert state["your_accepted_reports"] == 1
        # One platform at most could be behind these counts: published as suppressed, no number.
        assert state["members_checked"] == {"value": None, "suppressed": True, "fewer_than": 3}
        assert state["members_acted"] == {"value": None, "suppressed": True, "fewer_than": 3}
        assert _no_error(note) == []
    served = json.dumps(listed)
    assert str(beta.organisation.public_id) not in served and beta.organisation.name not in served
    assert "+86 138 0013" not in served and "@example.com" not in served


@pytest.mark.django_db
@pytest.mark.parametrize("checkers,shown", [(2, None), (3, 3)])
def test_members_checked_reaches_the_feed_on_the_periodic_refresh_suppressed_below_the_threshold(
    checkers, shown
):
    owner, reviewer = persona(K.RIGHTS_OWNER, R.REPORTER), persona(K.OPERATOR, R.REVIEWER)
    identifiers = seller_identifiers(620)
    report_make_accepted(owner, reviewer, identifiers)
    for n in range(checkers):
        analyst = persona(K.PLATFORM, R.ANALYST, name=f"Checking platform {n}")
        checked = client_for(analyst).post(
            "/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": identifiers}, format="json"
        )
        assert checked.status_code == 200, checked.content
    before = _notes(owner.organisation)

    refreshed, again = feed_refresh(), feed_refresh()
    after = _notes(owner.organisation)

    published = after[-1].content["extensions"][OUTCOME_EXTENSION_ID]["members_checked"]
    assert published == (
        {"value": None, "suppressed": True, "fewer_than": 3}
        if shown is None
        else {
            "value": shown,
            "suppressed": False,
            "fewer_than": 3,
        }
    )
    # Only a changed digest makes a version: below the threshold nothing the owner sees moved.
    assert len(after) - len(before) == (0 if shown is None else 1)
    assert again == 0 and refreshed >= len(after) - len(before)


@pytest.mark.django_db
def test_an_owners_object_is_revoked_when_its_report_goes_and_when_the_seller_is_no_longer_listed():
    scenario = _two_owners_one_seller()
    alpha, beta, reports = scenario["alpha"], scenario["beta"], scenario["reports"]
    beta_live = {row.stix_id for row in _notes(beta.organisation)}

    report_retract(report=reports["alpha_shared"], actor=Actor(member=alpha))  # still listed by beta
    report_retract(report=reports["alpha_own"], actor=Actor(member=alpha))  # no longer listed at all

    alpha_rows = _notes(alpha.organisation)
    revoked = {row.stix_id for row in alpha_rows if row.revoked}
    assert len(revoked) == 2 == len({row.stix_id for row in alpha_rows})
    assert all(
        row.content["revoked"] is True and _no_error(row.content) == [] for row in alpha_rows if row.revoked
    )
    assert not any(row.revoked for row in _notes(beta.organisation))
    assert {row.stix_id for row in _notes(beta.organisation)} == beta_live


@pytest.mark.django_db
def test_the_operator_view_is_tlp_red_and_members_never_see_it():
    reviewer = persona(K.OPERATOR, R.REVIEWER)
    owner = persona(K.RIGHTS_OWNER, R.REPORTER)
    identifiers = seller_identifiers(630)
    report_make_accepted(owner, reviewer, identifiers)
    report_make(persona(K.RIGHTS_OWNER, R.REPORTER), identifiers)  # pending: the operators' count only
    feed_refresh()
    url = _collection_url(OPERATOR_COLLECTION_ID)
    operator_objects = _get(reviewer, f"{url}objects/").json()["objects"]
    operator_lists = [c["id"] for c in _get(reviewer, f"{ROOT}collections/").json()["collections"]]

    assert operator_lists == [OPERATOR_COLLECTION_ID]
    (indicator,) = [o for o in operator_objects if o["type"] == "indicator"]
    assert indicator["object_marking_refs"] == [TLP_RED_ID]
    assert indicator["extensions"][OPERATOR_EXTENSION_ID]["pending_reports"] == 1
    assert {o["id"]: _no_error(o) for o in operator_objects} == {o["id"]: [] for o in operator_objects}
    assert str(owner.organisation.public_id) not in json.dumps(operator_objects)
    for member in (owner, persona(K.PLATFORM, R.ANALYST), persona(K.PLATFORM, R.ADMIN)):
        listed = _get(member, f"{ROOT}collections/").json()["collections"]
        assert OPERATOR_COLLECTION_ID not in [c["id"] for c in listed]
        for path in ("", "objects/", "manifest/", f"objects/{indicator['id']}/"):
            response = _get(member, f"{url}{path}")
            assert response.status_code == 404, (member.role, path)
            assert response.json()["http_status"] == "404"


@pytest.mark.django_db
def test_whoever_reads_no_collection_is_refused_the_feed():
    court = persona(K.COURT, R.ANALYST)

    response = _get(court, f"{ROOT}collections/")

    assert response.status_code == 403 and response.json()["http_status"] == "403"
