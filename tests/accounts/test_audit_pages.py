"""The audit review pages: who may open them, filters and pagination, proofs, alerts, export, and
that every read through them is itself audited."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.html import escape

from accounts.actors import Actor
from accounts.audit import review
from accounts.audit.checkpoints import checkpoint_create
from accounts.audit.models import Alert, AlertStatus, AuditCheckpoint, AuditEvent, DataClass, LegalBasis
from accounts.audit.services import alert_raise, audit_record
from accounts.audit.tags import AuditTag
from accounts.roles import OrganisationKind, Role
from hubcore import merkle
from tests import audit_triggers
from tests.factories import disclosure_make, persona, report_make, seller_identifiers, web_login

pytestmark = pytest.mark.django_db

PAGES = [
    "/audit/",
    "/audit/events/0/",
    "/audit/restricted/",
    "/audit/alerts/",
    "/audit/chart/",
    "/audit/chart/?period=hour",
    "/audit/checkpoints/",
    "/audit/export.jsonl",
]
SEQ_ROW = re.compile(r'<tr data-seq="(\d+)">')


def _as(client, member):
    web_login(client, member)
    return client


def _seqs(response) -> list[int]:
    assert response.status_code == 200, response.content[:500]
    return [int(s) for s in SEQ_ROW.findall(response.content.decode())]


def _last_read(action: str = AuditTag.AUDIT_LISTED) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).order_by("-seq").first()


def _export(client, query: str = "") -> list[dict]:
    response = client.get(f"/audit/export.jsonl{query}")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/x-ndjson")
    body = b"".join(response.streaming_content).decode()
    assert body.endswith("\n") or body == ""
    return [json.loads(line) for line in body.splitlines()]


def _canonical(line: dict) -> bytes:
    fields = {k: v for k, v in line.items() if k not in ("leaf_hash", "inclusion_proof")}
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@pytest.fixture
def logged_events(brand_reporter, outsider):
    """Shareable and administrative events from two organisations."""
    for n in range(2):
        report_make(brand_reporter, seller_identifiers(n))
    report_make(outsider, seller_identifiers(10))


# --- who may open the pages -------------------------------------------------------------------


@pytest.mark.parametrize("who", ["auditor", "reviewer"])
@pytest.mark.parametrize("url", PAGES)
def test_every_page_opens_for_auditors_and_operator_reviewers(client, request, who, url, logged_events):
    member = request.getfixturevalue(who)

    response = _as(client, member).get(url)

    assert response.status_code == 200
    if not url.endswith(".jsonl"):
        assert b"Audit log" in response.content  # the audit navigation


@pytest.mark.parametrize("url", PAGES)
def test_a_platform_analyst_is_refused_every_page_and_the_refusal_is_audited(
    client, platform_analyst, url, logged_events
):
    response = _as(client, platform_analyst).get(url)

    assert response.status_code == 403
    denied = _last_read(AuditTag.ACCESS_DENIED)
    assert denied.actor_member == platform_analyst and denied.outcome == "denied"
    assert url.split("?")[0] in denied.details["reason"]


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/audit/")

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_home_page_links_to_the_audit_review_only_for_those_who_may_read_it(
    client, auditor, platform_analyst
):
    assert b'href="/audit/"' in _as(client, auditor).get("/").content
    assert b'href="/audit/"' not in _as(client, platform_analyst).get("/").content


# --- the log: filters and pagination ----------------------------------------------------------


def test_the_log_lists_events_newest_first_with_links_to_each(client, auditor, logged_events):
    response = _as(client, auditor).get("/audit/")

    seqs = _seqs(response)
    assert seqs == sorted(seqs, reverse=True) and len(seqs) == min(50, AuditEvent.objects.count() - 1)
    assert f'href="/audit/events/{seqs[0]}/"' in response.content.decode()


def test_filters_narrow_the_rows(client, auditor, brand_reporter, outsider, logged_events):
    client = _as(client, auditor)
    brand = brand_reporter.organisation.public_id

    by_org = _seqs(client.get(f"/audit/?organisation={brand}"))
    shareable_reports = _seqs(client.get("/audit/?data_class=shareable&role=reporter"))
    by_action = _seqs(client.get("/audit/?action=sharing:report:submitted&outcome=allowed"))
    all_rows = _seqs(client.get("/audit/"))

    assert (
        set(by_org)
        == set(
            AuditEvent.objects.filter(organisation=brand_reporter.organisation, seq__in=all_rows).values_list(
                "seq", flat=True
            )
        )
        and by_org
    )
    assert set(by_org) < set(all_rows)
    assert shareable_reports and set(shareable_reports) == set(
        AuditEvent.objects.filter(data_class="shareable", role="reporter").values_list("seq", flat=True)
    )
    assert len(by_action) == 3


def test_since_and_until_filter_by_time_and_are_shown_back_in_utc(client, auditor, brand_reporter):
    report_make(brand_reporter, seller_identifiers(1))
    cut = timezone.now()
    report_make(brand_reporter, seller_identifiers(2))
    client = _as(client, auditor)
    submitted = list(
        AuditEvent.objects.filter(action="sharing:report:submitted")
        .order_by("seq")
        .values_list("seq", flat=True)
    )

    before = _seqs(client.get("/audit/", {"action": "sharing:report:submitted", "until": cut.isoformat()}))
    after = client.get("/audit/", {"action": "sharing:report:submitted", "since": cut.isoformat()})

    assert before == [submitted[0]] and _seqs(after) == [submitted[1]]
    assert f'value="{cut.strftime("%Y-%m-%dT%H:%M:%S")}"' in after.content.decode()


def test_a_malformed_filter_is_refused_rather_than_silently_ignored(client, auditor, logged_events):
    response = _as(client, auditor).get("/audit/?organisation=not-a-uuid&since=yesterday")

    assert response.status_code == 400
    assert b'id="filter-errors"' in response.content and not SEQ_ROW.findall(response.content.decode())


def test_fifty_events_a_page_with_previous_and_next_links(client, auditor):
    for n in range(60):
        audit_record(
            actor=None,
            tag=AuditTag.ORGANISATION_LISTED,
            data_class=DataClass.ADMINISTRATIVE,
            details={"n": n},
        )
    client = _as(client, auditor)

    first = client.get("/audit/?action=accounts:organisation:listed")
    second = client.get("/audit/?action=accounts:organisation:listed&page=2")
    listed = list(
        AuditEvent.objects.filter(action="accounts:organisation:listed")
        .order_by("-seq")
        .values_list("seq", flat=True)
    )

    assert _seqs(first) == listed[:50] and _seqs(second) == listed[50:]
    first_html, second_html = first.content.decode(), second.content.decode()
    assert (
        'id="page-next" rel="next"' in first_html
        and "page=2" in first_html
        and "action=accounts%3Aorganisation%3Alisted" in first_html
    )
    assert (
        'id="page-prev"' not in first_html
        and 'id="page-prev"' in second_html
        and 'id="page-next"' not in second_html
    )
    assert "Page 2 of 2 (60 events)" in second_html


# --- one event and its inclusion proof --------------------------------------------------------


def test_an_event_page_shows_every_column_and_its_proof_once_a_checkpoint_covers_it(
    client, auditor, brand_reporter
):
    report = report_make(brand_reporter)
    event = AuditEvent.objects.get(action="sharing:report:submitted")
    client = _as(client, auditor)

    before = client.get(f"/audit/events/{event.seq}/").content.decode()
    checkpoint = checkpoint_create()
    after = client.get(f"/audit/events/{event.seq}/").content.decode()

    assert "Inclusion proof: not yet covered by a checkpoint" in before
    assert f"Inclusion proof: verified against checkpoint of size {checkpoint.size}" in after
    for value in (
        event.leaf_hash,
        str(event.public_id),
        "sharing:report:submitted",
        "shareable",
        "membership_terms",
        str(report.public_id),
        brand_reporter.organisation.name,
        checkpoint.root_hash,
    ):
        assert value in after
    assert _last_read().details["filters"] == {"seq": str(event.seq)}


def test_a_changed_row_is_shown_as_not_verified(client, auditor, brand_reporter):
    report_make(brand_reporter)
    checkpoint_create()
    event = AuditEvent.objects.get(action="sharing:report:submitted")
    with audit_triggers.disabled():
        AuditEvent.objects.filter(pk=event.pk).update(details={"rewritten": True})

    page = _as(client, auditor).get(f"/audit/events/{event.seq}/").content.decode()

    assert 'class="bad">Inclusion proof: NOT verified against checkpoint of size' in page


def test_a_checkpoint_with_a_forged_signature_verifies_nothing(client, auditor, brand_reporter):
    report_make(brand_reporter)
    checkpoint = checkpoint_create()
    forged = checkpoint.note.rsplit(" ", 1)[0] + " " + "A" * 92 + "\n"
    AuditCheckpoint.objects.filter(pk=checkpoint.pk).update(note=forged)
    client = _as(client, auditor)

    event_page = client.get("/audit/events/0/").content.decode()
    checkpoints_page = client.get("/audit/checkpoints/").content.decode()

    assert "NOT verified" in event_page and "checkpoint not valid" in event_page
    assert '<span class="bad">no</span>' in checkpoints_page


def test_an_unknown_event_is_not_found(client, auditor):
    assert _as(client, auditor).get("/audit/events/99999/").status_code == 404


def test_restricted_events_show_their_order_and_approvals(client, auditor):
    request = disclosure_make(approvals=2, built=True)
    decrypted = AuditEvent.objects.filter(action=AuditTag.RESTRICTED_DECRYPTED).order_by("seq")
    assert decrypted.exists()
    client = _as(client, auditor)

    listing = client.get("/audit/restricted/")
    detail = client.get(f"/audit/events/{decrypted[0].seq}/").content.decode()

    assert set(_seqs(listing)) == set(
        AuditEvent.objects.filter(data_class="restricted").values_list("seq", flat=True)
    )
    assert escape(request.order_reference) in listing.content.decode()
    assert escape(request.order_reference) in detail and f"court_order:{request.public_id}" in detail
    for approval in decrypted[0].details["approvals"]:
        assert approval["officer"] in detail
    assert _last_read().details["filters"] == {"seq": str(decrypted[0].seq)}
    assert any(
        e.details["filters"].get("data_class") == "restricted"
        for e in AuditEvent.objects.filter(action=AuditTag.AUDIT_LISTED, actor_member=auditor)
    )


# --- alerts -----------------------------------------------------------------------------------


@pytest.fixture
def two_alerts(platform_analyst):
    first = alert_raise(
        kind="canary_hit",
        organisation=platform_analyst.organisation,
        dedupe_key="canary:1",
        details={"canary": "decoy-1"},
        severity="high",
    )
    second = alert_raise(
        kind="sequential_sweep",
        organisation=platform_analyst.organisation,
        dedupe_key="sweep:1",
        details={"block": "+86 138 0013 80xx"},
    )
    return first, second


def test_alerts_are_listed_open_first_and_filtered_by_status(client, auditor, two_alerts):
    canary, sweep = two_alerts
    Alert.objects.filter(pk=sweep.pk).update(status=AlertStatus.RESOLVED)
    Alert.objects.filter(pk=canary.pk).update(raised_at=timezone.now() - timedelta(days=2))
    client = _as(client, auditor)

    page = client.get("/audit/alerts/").content.decode()
    resolved_only = client.get("/audit/alerts/?status=resolved").content.decode()

    assert page.index(str(canary.public_id)) < page.index(str(sweep.public_id))
    assert page.count('class="alert-acknowledge"') == 1 and page.count('class="alert-resolve"') == 1
    assert str(sweep.public_id) in resolved_only and str(canary.public_id) not in resolved_only
    assert _last_read(AuditTag.ALERT_LISTED).actor_member == auditor


def test_acknowledging_then_resolving_an_alert_is_audited(client, reviewer, two_alerts):
    canary, _ = two_alerts
    client = _as(client, reviewer)

    acknowledged = client.post(
        f"/audit/alerts/{canary.public_id}/acknowledge", {"reason": "looking into it"}, follow=True
    )
    canary.refresh_from_db()
    status_after_ack = canary.status
    client.post(
        f"/audit/alerts/{canary.public_id}/resolve", {"reason": "test purchase by the platform itself"}
    )
    canary.refresh_from_db()

    assert (
        status_after_ack == AlertStatus.ACKNOWLEDGED
        and "is now acknowledged" in acknowledged.content.decode()
    )
    assert canary.status == AlertStatus.RESOLVED and canary.handled_by == reviewer
    ack, resolved = (
        AuditEvent.objects.get(action=tag) for tag in (AuditTag.ALERT_ACKNOWLEDGED, AuditTag.ALERT_RESOLVED)
    )
    assert (
        ack.actor_member == reviewer
        and ack.details == {"reason": "looking into it"}
        and ack.object_id == str(canary.public_id)
    )
    assert resolved.details["reason"] == "test purchase by the platform itself"


def test_an_alert_action_needs_a_reason_and_cannot_repeat(client, auditor, two_alerts):
    canary, _ = two_alerts
    client = _as(client, auditor)

    no_reason = client.post(f"/audit/alerts/{canary.public_id}/acknowledge", {"reason": " "})
    client.post(f"/audit/alerts/{canary.public_id}/acknowledge", {"reason": "on it"})
    again = client.post(f"/audit/alerts/{canary.public_id}/acknowledge", {"reason": "on it"})
    canary.refresh_from_db()

    assert no_reason.status_code == 400 and 'data-field="reason"' in no_reason.content.decode()
    assert again.status_code == 409 and "already acknowledged" in again.content.decode()
    assert (
        canary.status == AlertStatus.ACKNOWLEDGED
        and AuditEvent.objects.filter(action=AuditTag.ALERT_ACKNOWLEDGED).count() == 1
    )
    assert client.get(f"/audit/alerts/{canary.public_id}/acknowledge").status_code == 405
    assert client.post(f"/audit/alerts/{canary.public_id}/delete", {"reason": "xyz"}).status_code == 404


def test_disclosure_officers_see_alerts_but_cannot_handle_them(client, two_alerts, platform_analyst):
    canary, _ = two_alerts
    officer = persona(OrganisationKind.OPERATOR, Role.DISCLOSURE_OFFICER)
    client = _as(client, officer)

    page = client.get("/audit/alerts/")
    refused = client.post(f"/audit/alerts/{canary.public_id}/acknowledge", {"reason": "not mine"})
    analyst = _as(client, platform_analyst).post(
        f"/audit/alerts/{canary.public_id}/acknowledge", {"reason": "hide it"}
    )
    canary.refresh_from_db()

    assert (
        page.status_code == 200
        and b"alert-acknowledge" not in page.content
        and b"alert-resolve" not in page.content
    )
    assert refused.status_code == 403 and analyst.status_code == 403 and canary.status == AlertStatus.OPEN


# --- chart --------------------------------------------------------------------------------------


def test_the_chart_counts_accesses_per_data_class_per_day_and_hour(client, auditor, brand_reporter):
    client = _as(client, auditor)  # first: signing in is audited too (administrative rows)
    report_make(brand_reporter)
    audit_record(
        actor=None,
        tag=AuditTag.RESTRICTED_DECRYPTED,
        data_class=DataClass.RESTRICTED,
        legal_basis=f"{LegalBasis.COURT_ORDER}:00000000-0000-0000-0000-000000000000",
    )
    expected = {c: AuditEvent.objects.filter(data_class=c).count() for c in DataClass.values}
    chart = review.access_chart("day")

    daily = client.get("/audit/chart/").content.decode()
    hourly = client.get("/audit/chart/?period=hour").content.decode()

    assert [chart.counts[c][-1] for c in DataClass.values] == [expected[c] for c in DataClass.values]
    assert sum(chart.counts[c][-1] for c in DataClass.values) == chart.total and len(chart.starts) == 30
    assert len(review.access_chart("hour").starts) == 48
    for page in (daily, hourly):
        assert '<svg id="access-chart"' in page and 'class="bar"' in page and "restricted: 1" in page
    today = timezone.now().strftime("%Y-%m-%d")
    assert re.search(
        rf"<td>{today}</td>\s*<td>{expected['shareable']}</td><td>{expected['administrative']}</td>", daily
    )
    assert _last_read().details["filters"] == {"view": "chart", "period": "hour"}


def test_events_outside_the_window_are_not_counted():
    old = timezone.now() - timedelta(days=45)
    audit_record(actor=None, tag=AuditTag.ORGANISATION_LISTED, data_class=DataClass.ADMINISTRATIVE)
    chart = review.access_chart("day", now=old)

    assert chart.total == 0 and not chart.bars


# --- checkpoints and whole-log verification ---------------------------------------------------


def test_the_checkpoints_page_shows_the_latest_signed_checkpoint(client, auditor, brand_reporter):
    report_make(brand_reporter)
    checkpoint = checkpoint_create()
    client = _as(client, auditor)

    page = client.get("/audit/checkpoints/").content.decode()

    assert f'<td id="checkpoint-size">{checkpoint.size}</td>' in page and checkpoint.root_hash in page
    assert '<span class="ok">yes</span>' in page
    read = _last_read(AuditTag.AUDIT_PROOF_READ)
    assert read.actor_member == auditor and read.details == {
        "size": checkpoint.size,
        "signature_verified": True,
    }


def test_verify_now_reports_ok_then_the_problems_of_a_tampered_log(client, auditor, brand_reporter):
    report_make(brand_reporter)
    checkpoint_create()
    client = _as(client, auditor)

    clean = client.post("/audit/checkpoints/").content.decode()
    with audit_triggers.disabled():
        AuditEvent.objects.filter(seq=1).update(role="admin")
    tampered = client.post("/audit/checkpoints/").content.decode()

    assert '<p id="verify-result" class="ok">OK' in clean
    assert (
        'id="verify-result" class="bad"' in tampered and "the rows no longer match the checkpoint" in tampered
    )
    runs = AuditEvent.objects.filter(
        action=AuditTag.AUDIT_PROOF_READ, object_type="audit_verification"
    ).order_by("seq")
    assert [e.details["problems"] for e in runs] == [0, 1]


# --- export -------------------------------------------------------------------------------------


def test_the_export_carries_canonical_fields_and_proofs_that_verify(
    client, auditor, brand_reporter, logged_events
):
    checkpoint = checkpoint_create()
    report_make(brand_reporter, seller_identifiers(42))  # after the checkpoint: no proof yet
    client = _as(client, auditor)

    lines = _export(client)

    assert [line["seq"] for line in lines] == list(range(len(lines))) and len(
        lines
    ) == AuditEvent.objects.count() - 1
    for line in lines:
        leaf = merkle.leaf_hash(_canonical(line))
        assert leaf.hex() == line["leaf_hash"]
        proof = line["inclusion_proof"]
        if line["seq"] >= checkpoint.size:
            assert proof is None
            continue
        assert proof["size"] == checkpoint.size and proof["root_hash"] == checkpoint.root_hash
        assert merkle.verify_inclusion(
            leaf,
            line["seq"],
            proof["size"],
            [bytes.fromhex(h) for h in proof["path"]],
            bytes.fromhex(proof["root_hash"]),
        )
    assert any(line["inclusion_proof"] is None for line in lines)


def test_the_export_takes_the_same_filters_and_is_audited_with_them(
    client, auditor, brand_reporter, logged_events
):
    checkpoint_create()
    client = _as(client, auditor)
    brand = str(brand_reporter.organisation.public_id)

    lines = _export(client, f"?data_class=shareable&organisation={brand}&page=3")

    assert lines and {(line["data_class"], line["organisation"]) for line in lines} == {("shareable", brand)}
    exported = _last_read(AuditTag.AUDIT_EXPORTED)
    assert exported.actor_member == auditor and exported.legal_basis == "operator_duty"
    assert exported.details == {
        "filters": {"data_class": "shareable", "organisation": brand},
        "count": len(lines),
        "checkpoint_size": AuditCheckpoint.objects.get().size,
    }
    assert client.get("/audit/export.jsonl?since=soon").status_code == 400


def test_the_export_proof_tree_matches_rfc_9162_paths():
    leaves = [merkle.leaf_hash(bytes([n])) for n in range(37)]
    for size in (1, 2, 3, 7, 8, 13, 37):
        tree = review.ProofTree(leaves[:size])
        for index in range(size):
            assert tree.path(index) == merkle.inclusion_proof(leaves, index, size)


def test_page_views_are_audited_with_their_filters(client, auditor, logged_events):
    client = _as(client, auditor)

    client.get("/audit/?data_class=shareable&role=reporter&page=1")
    listed = _last_read()
    client.get("/audit/restricted/?outcome=allowed")
    restricted = _last_read()

    assert listed.actor_member == auditor and listed.details["filters"] == {
        "data_class": "shareable",
        "role": "reporter",
    }
    assert listed.details["count"] == len(
        AuditEvent.objects.filter(data_class="shareable", role="reporter", seq__lt=listed.seq)
    )
    assert restricted.details["filters"] == {"outcome": "allowed", "data_class": "restricted"}
    assert listed.request_id and listed.legal_basis == "operator_duty"


def test_the_checkpoint_status_without_any_checkpoint_is_still_audited(auditor, brand_reporter):
    report_make(brand_reporter)
    status = review.checkpoint_status(actor=Actor(member=auditor))

    assert status.latest is None and status.log_size == status.uncovered == AuditEvent.objects.count() - 1
    assert _last_read(AuditTag.AUDIT_PROOF_READ).details == {"size": None, "signature_verified": False}


@pytest.mark.parametrize(
    ("accept_language", "role", "data_class", "outcome"),
    [("en", "Reporter", "Shareable", "Allowed"), ("zh-hans", "举报人", "可共享", "已允许")],
)
def test_the_log_shows_roles_classes_and_outcomes_in_words_and_keeps_the_codes(
    client, accept_language, role, data_class, outcome
):
    reporter = persona(OrganisationKind.RIGHTS_OWNER, Role.REPORTER)
    report_make(reporter, seller_identifiers(31))
    auditor = persona(OrganisationKind.AUDITOR, Role.ANALYST)

    html = (
        _as(client, auditor)
        .get("/audit/?role=reporter", HTTP_ACCEPT_LANGUAGE=accept_language)
        .content.decode()
    )

    assert f'<td class="col-role" data-code="reporter">{role}</td>' in html
    assert f'data-code="shareable">{data_class}</td>' in html
    assert f'data-code="allowed">{outcome}</td>' in html
