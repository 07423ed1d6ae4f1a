"""The retention purge (sharing/retention/): every kind of record goes when its period is over and
nothing needs it, and stays while a legal hold, a live dispute or an order in progress needs it."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.actors import Actor
from accounts.audit.models import AuditEvent
from hub.errors import ConflictError, ForbiddenError
from sharing.models import (
    HitFeedback,
    IdentifierChallenge,
    IdentifierToken,
    LegalHold,
    MatchSource,
    RectificationRequest,
    Report,
    ReportIdentifier,
    RestrictedRecord,
    Subject,
    SubjectMatch,
)
from sharing.retention.services import purge
from sharing.retention.services.holds import legal_hold_place, legal_hold_release
from sharing.retention.services.purge import retention_purge
from sharing.retention.tasks import restricted_payloads_destroy_task, retention_purge_task
from sharing.subjects.services.tokens import identifiers_tokenise
from tests.factories import (
    _raw,
    disclosure_make,
    dispute_make,
    report_make,
    report_make_accepted,
    seller_identifiers,
)

pytestmark = pytest.mark.django_db

LATER = timedelta(days=366)


def _closed_long_ago(reporter, n: int) -> Report:
    """A retracted report, closed longer ago than the metadata retention period."""
    report = report_make(reporter, seller_identifiers(n))
    Report.objects.filter(pk=report.pk).update(status="retracted", closed_at=timezone.now() - LATER)
    return report


def _token_ids(report: Report) -> set[int]:
    return set(ReportIdentifier.objects.filter(report=report).values_list("token_id", flat=True))


def _purge_run() -> dict:
    return vars(retention_purge())


def test_a_long_closed_report_goes_with_its_links_its_tokens_and_its_payloads(brand_reporter, reviewer):
    old = _closed_long_ago(brand_reporter, 1)
    old_tokens = _token_ids(old)
    recent = report_make(brand_reporter, seller_identifiers(2))
    Report.objects.filter(pk=recent.pk).update(
        status="retracted", closed_at=timezone.now() - timedelta(days=30)
    )
    live = report_make_accepted(brand_reporter, reviewer, seller_identifiers(3))

    counts = _purge_run()

    assert not Report.objects.filter(pk=old.pk).exists()
    assert not IdentifierToken.objects.filter(pk__in=old_tokens).exists()
    assert not RestrictedRecord.objects.filter(owner_type="report", owner_id=str(old.public_id)).exists()
    assert Report.objects.filter(pk__in=[recent.pk, live.pk]).count() == 2
    assert IdentifierToken.objects.filter(pk__in=_token_ids(live) | _token_ids(recent)).count() == 4
    assert counts == {
        "reports": 1,
        "report_token_links": 2,
        "disputes": 0,
        "tokens": 2,
        "subjects": 0,
        "subject_matches": 0,
        "rectification_requests": 0,
        "identifier_challenges": 0,
        "parcel_events": 0,
    }


def test_a_token_another_report_still_names_stays(brand_reporter, other_brand_reporter, reviewer):
    old = _closed_long_ago(brand_reporter, 4)
    shared = report_make_accepted(other_brand_reporter, reviewer, seller_identifiers(4))

    _purge_run()

    assert not Report.objects.filter(pk=old.pk).exists()
    assert IdentifierToken.objects.filter(pk__in=_token_ids(shared)).count() == 2


def test_a_subject_left_with_no_token_goes_with_its_matches_and_feedback_is_kept_detached(
    brand_reporter, platform_analyst
):
    orphan = Subject.objects.create()
    SubjectMatch.objects.create(
        organisation=platform_analyst.organisation, subject=orphan, source=MatchSource.CHECK, reference="c1"
    )
    feedback = HitFeedback.objects.create(
        organisation=platform_analyst.organisation,
        subject=orphan,
        member=platform_analyst,
        outcome="false_positive",
    )

    counts = _purge_run()

    assert not Subject.objects.filter(pk=orphan.pk).exists()
    assert HitFeedback.objects.get(pk=feedback.pk).subject is None
    assert (counts["subjects"], counts["subject_matches"]) == (1, 1)


def test_stale_match_records_go_after_their_period_unless_the_seller_is_held(
    settings, brand_reporter, reviewer, platform_analyst, operator_admin
):
    held_report = report_make_accepted(brand_reporter, reviewer, seller_identifiers(5))
    free_report = report_make_accepted(brand_reporter, reviewer, seller_identifiers(6))
    held_subject, free_subject = (
        IdentifierToken.objects.filter(report_links__report=r).first().subject
        for r in (held_report, free_report)
    )
    old = timezone.now() - timedelta(days=settings.HUB_SUBJECT_MATCH_RETENTION_DAYS + 1)
    for subject in (held_subject, free_subject):
        SubjectMatch.objects.create(
            organisation=platform_analyst.organisation,
            subject=subject,
            source="check",
            reference="x",
            matched_at=old,
        )
    fresh = SubjectMatch.objects.create(
        organisation=platform_analyst.organisation, subject=free_subject, source="check", reference="y"
    )
    legal_hold_place(actor=Actor(member=operator_admin), reason="case 12", subject_id=held_subject.public_id)

    counts = _purge_run()

    assert set(SubjectMatch.objects.values_list("subject_id", "reference")) == {
        (held_subject.pk, "x"),
        (free_subject.pk, fresh.reference),
    }
    assert counts["subject_matches"] == 1


@pytest.mark.parametrize("target", ["report", "subject", "token"])
def test_a_legal_hold_keeps_the_report_and_its_tokens_until_released(
    target, brand_reporter, other_brand_reporter, reviewer, operator_admin
):
    identifiers = seller_identifiers(7)
    old = _closed_long_ago(brand_reporter, 7)
    tokens = _token_ids(old)
    operator = Actor(member=operator_admin)
    if target == "report":
        hold = legal_hold_place(actor=operator, reason="litigation hold", report_id=old.public_id)
    elif target == "subject":
        live = report_make_accepted(other_brand_reporter, reviewer, identifiers)
        subject = IdentifierToken.objects.filter(report_links__report=live).first().subject
        hold = legal_hold_place(actor=operator, reason="litigation hold", subject_id=subject.public_id)
        Report.objects.filter(pk=live.pk).update(status="retracted", closed_at=timezone.now() - LATER)
    else:
        token = identifiers_tokenise(identifiers=_raw(identifiers[:1]), default_country="CN")[0].token
        hold = legal_hold_place(actor=operator, reason="litigation hold", token=token)

    held_counts = _purge_run()
    kept = Report.objects.filter(pk=old.pk).exists(), IdentifierToken.objects.filter(pk__in=tokens).count()
    legal_hold_release(actor=operator, hold_id=hold.public_id)
    _purge_run()

    assert held_counts["reports"] == 0 and kept == (True, 2)
    assert not Report.objects.filter(pk=old.pk).exists()
    assert not IdentifierToken.objects.filter(pk__in=tokens).exists()
    assert LegalHold.objects.get(pk=hold.pk).released_by == operator_admin
    placed, released = (
        AuditEvent.objects.filter(action=f"sharing:legal_hold:{what}", object_id=str(hold.public_id)).get()
        for what in ("placed", "released")
    )
    assert placed.data_class == released.data_class == "administrative"
    assert placed.legal_basis == "operator_duty" and placed.actor_member == operator_admin


def test_only_operator_admins_hold_and_a_hold_is_released_once(reviewer, operator_admin, brand_reporter):
    report = report_make(brand_reporter)
    with pytest.raises(ForbiddenError):
        legal_hold_place(actor=Actor(member=reviewer), reason="x", report_id=report.public_id)
    hold = legal_hold_place(actor=Actor(member=operator_admin), reason="x", report_id=report.public_id)
    legal_hold_release(actor=Actor(member=operator_admin), hold_id=hold.public_id)

    with pytest.raises(ConflictError):
        legal_hold_release(actor=Actor(member=operator_admin), hold_id=hold.public_id)

    assert AuditEvent.objects.filter(action="sharing:legal_hold:placed", outcome="denied").count() == 1


def test_a_live_dispute_keeps_its_report_and_a_decided_one_does_not():
    dispute, _ = dispute_make(n=8)
    report = dispute.reports.get()
    Report.objects.filter(pk=report.pk).update(status="retracted", closed_at=timezone.now() - LATER)

    during = _purge_run()
    dispute.covered.update(state="upheld")
    type(dispute).objects.filter(pk=dispute.pk).update(status="upheld", decision_reason="stands")
    after = _purge_run()

    assert during["reports"] == 0
    assert (after["reports"], after["disputes"]) == (1, 1)
    assert not type(dispute).objects.filter(pk=dispute.pk).exists()


def test_an_order_in_progress_keeps_its_reports(brand_reporter):
    old = _closed_long_ago(brand_reporter, 9)
    order = disclosure_make(report_ids=[str(old.public_id)])

    during = _purge_run()
    type(order).objects.filter(pk=order.pk).update(status="expired")
    after = _purge_run()

    assert (during["reports"], after["reports"]) == (0, 1)


def test_a_hold_keeps_the_restricted_payload_too(brand_reporter, operator_admin, settings):
    report = report_make(brand_reporter, seller_identifiers(10))
    Report.objects.filter(pk=report.pk).update(
        status="retracted",
        closed_at=timezone.now() - timedelta(days=settings.HUB_RESTRICTED_RETENTION_DAYS + 1),
    )
    legal_hold_place(actor=Actor(member=operator_admin), reason="case", report_id=report.public_id)

    destroyed = restricted_payloads_destroy_task()

    assert destroyed == 0
    assert RestrictedRecord.objects.filter(owner_type="report", owner_id=str(report.public_id)).exists()


def test_each_run_logs_and_audits_its_counts_and_a_rerun_finds_nothing(brand_reporter, caplog):
    _closed_long_ago(brand_reporter, 11)

    with caplog.at_level(logging.INFO, logger="sharing.retention.services.purge"):
        first = retention_purge_task()
    second = retention_purge_task()

    assert first["reports"] == 1 and set(second.values()) == {0}
    assert "reports=1" in caplog.text and "tokens=2" in caplog.text
    runs = AuditEvent.objects.filter(action="sharing:retention:purged").order_by("seq")
    assert [run.details["reports"] for run in runs] == [1, 0]
    assert {(run.data_class, run.legal_basis, run.actor_member) for run in runs} == {
        ("administrative", "operator_duty", None)
    }


def test_a_run_that_stops_halfway_is_finished_by_the_next(brand_reporter, monkeypatch):
    reports = [_closed_long_ago(brand_reporter, n) for n in (12, 13, 14)]
    real, calls = purge._reports_delete, []

    def crash_on_second_batch(pks, now, counts):
        calls.append(pks)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real(pks, now, counts)

    monkeypatch.setattr(purge, "_reports_delete", crash_on_second_batch)
    with pytest.raises(RuntimeError):
        retention_purge(batch_size=1)
    left = Report.objects.filter(pk__in=[r.pk for r in reports]).count()
    monkeypatch.setattr(purge, "_reports_delete", real)
    rerun = retention_purge(batch_size=1)

    assert left == 2
    assert rerun.reports == 2 and rerun.tokens == 6
    assert not Report.objects.filter(pk__in=[r.pk for r in reports]).exists()


def test_the_legal_hold_command_places_lists_and_releases(brand_reporter, operator_admin, capsys):
    from django.core.management import call_command

    report = report_make(brand_reporter)
    officer = str(operator_admin.public_id)

    call_command(
        "legal_hold",
        "place",
        "--officer",
        officer,
        "--reason",
        "case 7",
        "--report",
        str(report.public_id),
        "--dry-run",
    )
    dry = LegalHold.objects.count()
    call_command(
        "legal_hold", "place", "--officer", officer, "--reason", "case 7", "--report", str(report.public_id)
    )
    hold = LegalHold.objects.get()
    call_command("legal_hold", "list")
    call_command("legal_hold", "release", "--officer", officer, str(hold.public_id))

    out = capsys.readouterr().out
    assert dry == 0 and "1 active legal holds" in out and f"Released legal hold {hold.public_id}" in out
    assert LegalHold.objects.get().released_at is not None


def test_the_purge_command_counts_on_a_dry_run_and_deletes_on_a_real_one(brand_reporter, capsys):
    from django.core.management import call_command

    old = _closed_long_ago(brand_reporter, 15)

    call_command("retention_purge", "--dry-run")
    kept = Report.objects.filter(pk=old.pk).exists()
    call_command("retention_purge")

    out = capsys.readouterr().out
    assert kept and "Would purge: reports=1" in out and "Purged: reports=1" in out
    assert not Report.objects.filter(pk=old.pk).exists()


def test_a_subject_with_no_token_left_cannot_be_held(operator_admin):
    empty = Subject.objects.create()

    with pytest.raises(ConflictError):
        legal_hold_place(actor=Actor(member=operator_admin), reason="case", subject_id=empty.public_id)

    assert not LegalHold.objects.exists()


def test_a_listed_persons_code_challenges_go_a_day_after_they_expire():
    from sharing.subject_access.services.proof import code_request

    for address in ("stale@example.com", "fresh@example.com"):
        code_request(identifier_type="email", value=address, client_address="127.0.0.1")
    stale, fresh = IdentifierChallenge.objects.order_by("pk")
    IdentifierChallenge.objects.filter(pk=stale.pk).update(
        expires_at=timezone.now() - timedelta(days=1, minutes=1)
    )
    IdentifierChallenge.objects.filter(pk=fresh.pk).update(expires_at=timezone.now() - timedelta(hours=23))

    counts = _purge_run()

    assert counts["identifier_challenges"] == 1
    assert list(IdentifierChallenge.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_a_correction_request_goes_with_its_sealed_words_once_every_report_it_named_is_gone(brand_reporter):
    from sharing.restricted.services.restricted import restricted_store

    old, kept = _closed_long_ago(brand_reporter, 171), report_make(brand_reporter, seller_identifiers(172))
    orphaned = RectificationRequest.objects.create(identifier_type="email", token="t1")
    orphaned.reports.set([old])
    alive = RectificationRequest.objects.create(identifier_type="email", token="t2")
    alive.reports.set([kept])
    for request in (orphaned, alive):  # sealed as sharing/subject_access/services/rectification.py seals them
        restricted_store(
            owner_type="rectification", owner_id=str(request.public_id), field="statement", payload=b"wrong"
        )

    counts = _purge_run()

    assert counts["rectification_requests"] == 1
    assert list(RectificationRequest.objects.values_list("pk", flat=True)) == [alive.pk]
    assert list(
        RestrictedRecord.objects.filter(owner_type="rectification").values_list("owner_id", flat=True)
    ) == [str(alive.public_id)]


def test_a_subject_an_open_sales_totals_request_names_stays_with_its_matches(
    brand_reporter, platform_analyst
):
    from datetime import date

    from sharing.models import SalesTotalsRequest

    asked = Subject.objects.create()
    SubjectMatch.objects.create(
        organisation=platform_analyst.organisation, subject=asked, source=MatchSource.CHECK, reference="c1"
    )
    request = SalesTotalsRequest.objects.create(
        requester=brand_reporter.organisation,
        requested_by=brand_reporter,
        subject=asked,
        subject_ref=asked.public_id,
        period_start=date(2025, 1, 1),
        period_end=date(2025, 6, 30),
        currency="EUR",
        public_key_n="3",
        k=3,
        deadline=timezone.now() + timedelta(days=14),
    )

    kept = _purge_run()
    SalesTotalsRequest.objects.filter(pk=request.pk).update(status="refused", refusal_reason="too few")
    gone = _purge_run()

    assert (kept["subjects"], kept["subject_matches"]) == (0, 0)
    assert (gone["subjects"], gone["subject_matches"]) == (1, 1)
