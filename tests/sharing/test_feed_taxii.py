"""The TAXII 2.1 feed with real clients: the OASIS taxii2-client reads it unchanged, every object passes
the OASIS stix2-validator, filters and pages follow TAXII 2.1, and no feed byte names a raw value or a reporter."""

from __future__ import annotations

import json

import pytest
from stix2validator import ValidationOptions, validate_instance
from taxii2client.common import TokenAuth
from taxii2client.v21 import Server, as_pages

from accounts.actors import Actor
from accounts.audit.models import AuditEvent, Outcome
from accounts.audit.tags import AuditTag
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from sharing.feed.services.audiences import OUTCOMES_COLLECTION_ID
from sharing.feed.services.content import (
    EXTENSION_ID,
    HUB_IDENTITY_ID,
    LISTINGS_COLLECTION_ID,
    TLP_AMBER_ID,
    TLP_RED_ID,
)
from sharing.models import FeedObjectVersion
from sharing.reports.services.reports import report_retract
from tests.factories import (
    client_for,
    feed_subscribed,
    key_for,
    persona,
    report_make_accepted,
    seller_identifiers,
)

TAXII = "application/taxii+json;version=2.1"
ROOT = "/taxii2/hub/"
COLLECTION = f"{ROOT}collections/{LISTINGS_COLLECTION_ID}/"


def _listings() -> dict:
    """Three sellers listed by two organisations, one of them withdrawn (a revoked version)."""
    reviewer = persona(K.OPERATOR, R.REVIEWER)
    brands = [persona(K.RIGHTS_OWNER, R.REPORTER) for _ in range(2)]
    sellers = [seller_identifiers(n) for n in (301, 302, 303)]
    reports = [report_make_accepted(brand, reviewer, seller) for seller in sellers for brand in brands]
    report_retract(report=reports[-1], actor=Actor(member=brands[1]))
    report_retract(report=reports[-2], actor=Actor(member=brands[0]))
    return {"sellers": sellers, "organisations": [b.organisation for b in brands], "reporters": brands}


def _no_error(obj: dict) -> list[str]:
    return [str(e) for e in validate_instance(obj, ValidationOptions(version="2.1")).errors]


@pytest.mark.django_db(transaction=True)
def test_the_oasis_client_lists_collections_and_pages_through_objects_that_validate(live_server):
    scenario = _listings()
    analyst = persona(K.PLATFORM, R.ANALYST)
    server = Server(
        f"{live_server.url}/taxii2/", user="feed-reader", password=key_for(feed_subscribed(analyst))
    )

    (api_root,) = server.api_roots
    # A platform's analyst checks sellers and follows its organisation's reports: two collections.
    offered = {c.id: c for c in api_root.collections}
    assert set(offered) == {LISTINGS_COLLECTION_ID, OUTCOMES_COLLECTION_ID}
    collection = offered[LISTINGS_COLLECTION_ID]
    pages = list(as_pages(collection.get_objects, per_request=2))
    objects = [obj for page in pages for obj in page.get("objects", [])]
    by_token = Server(f"{live_server.url}/taxii2/", auth=TokenAuth(key_for(feed_subscribed(analyst))))
    everything = [
        obj
        for page in as_pages(
            next(c for c in by_token.api_roots[0].collections if c.id == LISTINGS_COLLECTION_ID).get_objects,
            per_request=3,
            version="all",
        )
        for obj in page.get("objects", [])
    ]
    manifest = [
        entry
        for page in as_pages(collection.get_manifest, per_request=2)
        for entry in page.get("objects", [])
    ]

    assert (collection.id, collection.can_read, collection.can_write) == (LISTINGS_COLLECTION_ID, True, False)
    assert len(pages) > 2  # really paged
    listings = FeedObjectVersion.objects.filter(collection=LISTINGS_COLLECTION_ID)
    assert len(objects) == len({o["id"] for o in objects}) == listings.values("stix_id").distinct().count()
    assert len(everything) == listings.count()
    assert [e["id"] for e in manifest] == [o["id"] for o in objects]
    assert {o["id"] for o in objects} >= {HUB_IDENTITY_ID, EXTENSION_ID, TLP_AMBER_ID, TLP_RED_ID}
    indicators = [o for o in objects if o["type"] == "indicator"]
    assert sorted(bool(o.get("revoked")) for o in indicators) == [False, False, True]
    assert all(o["object_marking_refs"] == [TLP_AMBER_ID] for o in indicators)
    assert {o["id"]: _no_error(o) for o in everything} == {o["id"]: [] for o in everything}
    served = json.dumps(everything) + json.dumps(manifest)
    assert _no_raw_value_nor_reporter(served, scenario)


def _no_raw_value_nor_reporter(served: str, scenario: dict) -> bool:
    raw = [i["value"] for seller in scenario["sellers"] for i in seller]
    canonical = [v.replace(" ", "") for v in raw] + [v.split("@")[0] for v in raw if "@" in v]
    reporters = [
        text
        for organisation in scenario["organisations"]
        for text in (organisation.name, str(organisation.public_id))
    ] + [text for member in scenario["reporters"] for text in (member.user.username, str(member.public_id))]
    leaked = [text for text in raw + canonical + reporters if text in served]
    assert leaked == []
    return True


@pytest.fixture
def listed(db):
    return _listings()


@pytest.fixture
def feed(db):
    return client_for(feed_subscribed(persona(K.PLATFORM, R.ANALYST)))


def _get(client, path, **params):
    return client.get(path, params, HTTP_ACCEPT=TAXII)


def test_discovery_api_root_and_collection_answer_taxii_resources(listed, feed):
    discovery, root, collections, collection = (
        _get(feed, path) for path in ("/taxii2/", ROOT, f"{ROOT}collections/", COLLECTION)
    )

    assert {r.status_code for r in (discovery, root, collections, collection)} == {200}
    assert {r["Content-Type"] for r in (discovery, root, collections, collection)} == {TAXII}
    assert discovery.json()["api_roots"] == ["http://testserver/taxii2/hub/"]
    assert root.json()["versions"] == [TAXII]
    assert collections.json()["collections"][0] == collection.json()
    assert [c["id"] for c in collections.json()["collections"]] == [
        LISTINGS_COLLECTION_ID,
        OUTCOMES_COLLECTION_ID,
    ]
    assert collection.json()["can_write"] is False


def test_filters_select_objects_by_id_type_and_version(listed, feed):
    indicator = FeedObjectVersion.objects.filter(stix_type="indicator", revoked=True).first()
    versions = list(FeedObjectVersion.objects.filter(stix_id=indicator.stix_id).order_by("sequence"))

    def ids_and_versions(**params):
        response = _get(feed, f"{COLLECTION}objects/", **params)
        assert response.status_code == 200, response.content
        return [
            (o["id"], o.get("modified"), o.get("revoked", False)) for o in response.json().get("objects", [])
        ]

    assert ids_and_versions(**{"match[id]": indicator.stix_id}) == [
        (indicator.stix_id, versions[-1].content["modified"], True)
    ]
    assert ids_and_versions(**{"match[id]": indicator.stix_id, "match[version]": "first"}) == [
        (indicator.stix_id, versions[0].content["modified"], False)
    ]
    assert (
        len(ids_and_versions(**{"match[id]": indicator.stix_id, "match[version]": "all"}))
        == len(versions)
        >= 2
    )
    assert ids_and_versions(
        **{"match[id]": indicator.stix_id, "match[version]": versions[0].content["modified"]}
    ) == [(indicator.stix_id, versions[0].content["modified"], False)]
    assert {i for i, _, _ in ids_and_versions(**{"match[type]": "marking-definition"})} == {
        TLP_AMBER_ID,
        TLP_RED_ID,
    }
    last = FeedObjectVersion.objects.order_by("-sequence").first()
    assert ids_and_versions(added_after=last.date_added.strftime("%Y-%m-%dT%H:%M:%S.%fZ")) == []


def test_a_page_says_where_it_starts_and_ends_and_where_the_next_begins(listed, feed):
    first = _get(feed, f"{COLLECTION}objects/", limit=2, **{"match[version]": "all"})
    second = _get(
        feed, f"{COLLECTION}objects/", limit=2, next=first.json()["next"], **{"match[version]": "all"}
    )
    rows = list(FeedObjectVersion.objects.order_by("sequence")[:4])

    def stamp(row):
        return row.date_added.strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    assert first.json()["more"] is True and len(first.json()["objects"]) == 2
    assert (first["X-TAXII-Date-Added-First"], first["X-TAXII-Date-Added-Last"]) == (
        stamp(rows[0]),
        stamp(rows[1]),
    )
    assert (second["X-TAXII-Date-Added-First"], second["X-TAXII-Date-Added-Last"]) == (
        stamp(rows[2]),
        stamp(rows[3]),
    )


@pytest.mark.parametrize(
    "params,field",
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"added_after": "yesterday"}, "added_after"),
        ({"next": "-4"}, "next"),
        ({"match[version]": "newest"}, "match[version]"),
    ],
)
def test_a_bad_filter_is_a_taxii_400_naming_it(listed, feed, params, field):
    response = _get(feed, f"{COLLECTION}objects/", **params)

    assert response.status_code == 400
    assert response["Content-Type"] == TAXII
    assert response.json()["http_status"] == "400"
    assert list(response.json()["details"]["fields"]) == [field]


def test_reads_are_audited_and_refusals_are_taxii_errors(listed, feed, client):
    analyst = persona(K.PLATFORM, R.ANALYST)
    reader = client_for(feed_subscribed(analyst))

    read = _get(reader, f"{COLLECTION}objects/", limit=3)
    missing = _get(reader, f"{ROOT}collections/not-a-collection/objects/")
    not_taxii = reader.get(f"{COLLECTION}objects/", HTTP_ACCEPT="application/json")
    no_key = client.get(f"{COLLECTION}objects/", HTTP_ACCEPT=TAXII)
    reporter = _get(client_for(feed_subscribed(persona(K.RIGHTS_OWNER, R.REPORTER))), f"{COLLECTION}objects/")

    assert read.status_code == 200
    event = AuditEvent.objects.filter(
        action=AuditTag.FEED_READ, actor_member=analyst, outcome=Outcome.ALLOWED
    ).get()
    assert (event.data_class, event.object_id, event.details["count"]) == (
        "shareable",
        LISTINGS_COLLECTION_ID,
        3,
    )
    assert missing.status_code == 404 and missing.json()["http_status"] == "404"
    assert (
        AuditEvent.objects.filter(
            action=AuditTag.FEED_READ, actor_member=analyst, outcome=Outcome.DENIED
        ).count()
        == 1
    )
    assert "not-a-collection" not in missing.content.decode()
    assert not_taxii.status_code == 406
    assert no_key.status_code == 401
    # A rights owner's reporter reads its own collection, not the listings: to it they do not exist.
    assert reporter.status_code == 404 and reporter.json()["http_status"] == "404"
    court = _get(client_for(persona(K.COURT, R.ANALYST)), f"{COLLECTION}objects/")  # reads no collection
    assert court.status_code == 403 and court.json()["http_status"] == "403"
