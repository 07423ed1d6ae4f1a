"""The services' own "not yours" checks answer and audit exactly as accounts/scoped.py: scoped_get does.

Revoking another member's API key, answering or pausing a dispute that covers none of one's reports,
and downloading another court's package (an officer who sees the order included) each raise
scoped_get's 404 and write exactly one denied audit row, of the same shape as the row scoped_get
writes for an id that names nothing, and that row survives the refused write's rollback.
"""

from __future__ import annotations

import uuid

import pytest

from accounts import services as account_services
from accounts.actors import Actor
from accounts.audit.models import AuditEvent
from accounts.audit.tags import AuditTag
from accounts.models import ApiKey
from accounts.roles import OrganisationKind as K
from accounts.roles import Role as R
from accounts.scoped import not_found_message, scoped_get
from hub.errors import NotFoundError
from sharing.disclosure.services import disclosure_packages
from sharing.due_process.services import disputes
from sharing.models import DisclosureRequest, Dispute
from sharing.reports.services.reports import EvidenceFile
from tests.factories import disclosure_make, dispute_make, member_make, persona

pytestmark = pytest.mark.django_db


def _last_pk() -> int:
    last = AuditEvent.objects.order_by("-pk").first()
    return last.pk if last else 0


def _denied_since(before: int, object_id) -> list[tuple]:
    """The denied rows written since `before`, the probed id replaced, as test_not_yours compares them."""
    return [
        (
            row.action,
            row.object_type,
            row.object_id,
            row.role,
            row.organisation_id,
            row.details.get("reason", "").replace(str(object_id), "<id>"),
            sorted(row.details),
            row.data_class,
        )
        for row in AuditEvent.objects.filter(pk__gt=before, outcome="denied").order_by("pk")
    ]


def _refused(call, object_id) -> tuple[str, list[tuple]]:
    before = _last_pk()
    with pytest.raises(NotFoundError) as refused:
        call()
    return refused.value.message, _denied_since(before, object_id)


def _scoped_gets_probe(*, actor: Actor, model, tag: AuditTag, target_type: str, noun: str):
    """What scoped_get answers and writes for an id that names nothing."""
    nothing = uuid.uuid4()
    return _refused(
        lambda: scoped_get(
            actor=actor,
            queryset=model.objects.none(),
            public_id=nothing,
            tag=tag,
            target_type=target_type,
            noun=noun,
        ),
        nothing,
    )


def test_revoking_another_members_key_is_scoped_gets_404():
    analyst = persona(K.PLATFORM, R.ANALYST)
    colleague = member_make(analyst.organisation, R.ANALYST)
    theirs, _ = account_services.api_key_issue(
        member=colleague, name="theirs", scopes=["check"], expires_in_days=30, actor=None
    )
    actor = Actor(member=analyst)

    message, rows = _refused(
        lambda: account_services.api_key_revoke(api_key=theirs, actor=actor), theirs.public_id
    )

    assert (message, rows) == _scoped_gets_probe(
        actor=actor, model=ApiKey, tag=AuditTag.API_KEY_REVOKED, target_type="api_key", noun="API key"
    )
    assert len(rows) == 1 and "not visible: <id>" in rows[0]
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_an_admin_still_revokes_a_members_key_and_a_member_its_own():
    admin = persona(K.PLATFORM, R.ADMIN)
    member = member_make(admin.organisation, R.ANALYST)
    first, _ = account_services.api_key_issue(
        member=member, name="a", scopes=["check"], expires_in_days=30, actor=None
    )
    second, _ = account_services.api_key_issue(
        member=member, name="b", scopes=["check"], expires_in_days=30, actor=None
    )
    before = _last_pk()

    account_services.api_key_revoke(api_key=first, actor=Actor(member=admin))
    account_services.api_key_revoke(api_key=second, actor=Actor(member=member))

    assert _denied_since(before, "") == []
    assert all(k.revoked_at for k in ApiKey.objects.filter(pk__in=[first.pk, second.pk]))


@pytest.mark.parametrize(
    ("action", "tag"),
    [
        (
            lambda d, a: disputes.dispute_answer(
                dispute=d, note="suit", evidence=[EvidenceFile("s.pdf", "application/pdf", b"%PDF")], actor=a
            ),
            AuditTag.DISPUTE_ANSWERED,
        ),
        (
            lambda d, a: disputes.dispute_pause(dispute=d, working_days=2, reason="notarisation", actor=a),
            AuditTag.DISPUTE_PAUSED,
        ),
    ],
    ids=["answer", "pause"],
)
def test_answering_or_pausing_a_dispute_of_others_reports_is_scoped_gets_404(action, tag):
    dispute, _ = dispute_make()
    stranger = Actor(member=persona(K.RIGHTS_OWNER, R.REPORTER))

    message, rows = _refused(lambda: action(dispute, stranger), dispute.public_id)

    assert (message, rows) == _scoped_gets_probe(
        actor=stranger, model=Dispute, tag=tag, target_type="dispute", noun="dispute"
    )
    assert len(rows) == 1  # written outside the refused write's transaction, so it stayed
    dispute.refresh_from_db()
    assert dispute.answered_at is None


def test_the_covered_reporter_still_answers():
    reporter = persona(K.RIGHTS_OWNER, R.REPORTER)
    dispute, _ = dispute_make(reporter=reporter)
    before = _last_pk()

    answered = disputes.dispute_answer(
        dispute=dispute,
        note="suit filed",
        evidence=[EvidenceFile("s.pdf", "application/pdf", b"%PDF")],
        actor=Actor(member=reporter),
    )

    assert answered.answered_at is not None and _denied_since(before, "") == []


def test_downloading_another_courts_package_is_scoped_gets_404():
    clerk = persona(K.COURT, R.ANALYST)
    request = disclosure_make(clerk, approvals=2, built=True)
    officer = Actor(member=persona(K.OPERATOR, R.DISCLOSURE_OFFICER))  # sees the order, is not its court
    other_court = Actor(member=persona(K.COURT, R.ANALYST))

    for actor in (officer, other_court):
        message, rows = _refused(
            lambda actor=actor: disclosure_packages.disclosure_package_download(request=request, actor=actor),
            request.public_id,
        )
        assert (message, rows) == _scoped_gets_probe(
            actor=actor,
            model=DisclosureRequest,
            tag=AuditTag.DISCLOSURE_PACKAGE_DOWNLOADED,
            target_type="disclosure",
            noun="disclosure request",
        )
        assert len(rows) == 1 and message == not_found_message("disclosure request")
    request.refresh_from_db()
    assert request.downloads == 0
    assert disclosure_packages.disclosure_package_download(request=request, actor=Actor(member=clerk))
