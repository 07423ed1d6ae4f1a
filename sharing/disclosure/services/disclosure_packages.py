"""Build a disclosure package (in a task) and hand it to the court.

Every decryption is preceded, in the same transaction, by its restricted-class audit
row naming the order and its approvals: if that write fails, nothing is decrypted.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from accounts.actors import Actor
from accounts.audit.models import DataClass
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.capabilities import holds_any
from accounts.roles import Capability
from accounts.scoped import scoped_get
from accounts.transfers.models import TransferChannel
from accounts.transfers.services import transfer_gate, transfer_record
from hub.errors import ConflictError, ForbiddenError
from hub.keys import signing_key
from hub.tasks_enqueue import enqueue_now, task_named
from hub.wording import status_word
from hubcore.packages import name_sanitised, name_unique, package_build
from sharing import locks
from sharing.disclosure.services.disclosure import (
    approvals_of,
    disclosure_build_alert,
    disclosure_lapse,
    fields_in_scope,
    refusing_lapsed,
    require_not_lapsed,
)
from sharing.disclosure.services.jurisdiction import (
    authority_approval_needed,
    authority_approval_of,
    reports_in_scope,
)
from sharing.models import DisclosurePackage, DisclosureRequest, DisclosureStatus, RestrictedRecord
from sharing.reports.services.deadlines import DeadlinePassed
from sharing.restricted.services.restricted import restricted_open


def _restricted_audit(actor: Actor | None, tag: AuditTag, request: DisclosureRequest, **target) -> None:
    audit_record(
        actor=actor,
        tag=tag,
        data_class=DataClass.RESTRICTED,
        legal_basis=request.legal_basis_tag,
        details={
            "order_reference": request.order_reference,
            "request": str(request.public_id),
            "approvals": approvals_of(request),
        },
        **target,
    )


def disclosure_package_build(*, request_id: int) -> DisclosurePackage | None:
    """Build an approved order's package once; a rerun, a duplicate send or a sweep after a crash is safe.

    The attempt is counted in its own commit first, so the sweeper knows of a build that died
    half-way (whose own transaction left nothing behind: no package, no audit row).
    """
    taken = DisclosureRequest.objects.filter(pk=request_id, status=DisclosureStatus.APPROVED).update(
        build_attempts=F("build_attempts") + 1, build_attempted_at=timezone.now()
    )
    if not taken:
        return None  # built already, withdrawn or expired: nothing to do
    try:
        return _build(request_id)
    except DeadlinePassed as passed:
        request = DisclosureRequest.objects.get(pk=request_id)
        disclosure_lapse(request=request, actor=None, tag=AuditTag.DISCLOSURE_PACKAGE_BUILT)(passed.message)
        return None


@transaction.atomic
def _build(request_id: int) -> DisclosurePackage | None:
    """Decrypt the in-scope records, build, sign and seal the package, in one transaction."""
    request = locks.lock_disclosure(request_id)
    if request.status != DisclosureStatus.APPROVED:
        return None  # a concurrent run built it
    require_not_lapsed(request)
    if not request.court.encryption_public_key:
        disclosure_build_alert(request, reason="court_key_missing")
        return None
    if authority_approval_needed(request) and authority_approval_of(request) is None:
        # Approval refuses this already; the scope's reports may have changed since (tokens linked anew).
        disclosure_build_alert(request, reason="authority_approval_missing")
        return None
    reports = reports_in_scope(request)
    request.resolved_reports = sorted(str(r.public_id) for r in reports)
    files, records = {}, []
    candidates = RestrictedRecord.objects.filter(
        owner_type="report", owner_id__in=request.resolved_reports
    ).order_by("pk")
    for record in candidates:
        if not fields_in_scope(request, record.field):
            continue  # out of scope: never opened
        _restricted_audit(None, AuditTag.RESTRICTED_DECRYPTED, request, target=record)
        records.append((record, restricted_open(record)))
    files.update(_package_files(request, records))
    envelope, manifest = package_build(
        files,
        _manifest_header(request),
        signing_key=signing_key(),
        court_public_key=bytes.fromhex(request.court.encryption_public_key),
    )
    package = DisclosurePackage.objects.create(
        request=request,
        envelope=envelope,
        manifest_sha256=_sha256(json.dumps(manifest, sort_keys=True).encode()),
    )
    request.status = DisclosureStatus.PACKAGE_READY
    request.save(update_fields=["status", "resolved_reports"])
    _restricted_audit(None, AuditTag.DISCLOSURE_PACKAGE_BUILT, request, target=request)
    return package


def disclosure_builds_sweep(*, now: datetime | None = None) -> int:
    """Re-send approved orders left unbuilt for a lease (a lost send, a dead worker); alert on hopeless ones.

    Returns how many builds were sent. An order that failed HUB_DISCLOSURE_BUILD_MAX_ATTEMPTS
    times raises an alert instead (again after each lease while it stays unbuilt).
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.HUB_DISCLOSURE_BUILD_LEASE_SECONDS)
    stale = list(
        DisclosureRequest.objects.filter(status=DisclosureStatus.APPROVED, approval_expires_at__gte=now)
        .filter(Q(build_attempted_at__lt=cutoff) | Q(build_attempted_at__isnull=True, approved_at__lt=cutoff))
        .select_related("court")
        .order_by("approved_at")[: settings.HUB_DISCLOSURE_BUILD_SWEEP_BATCH]
    )
    # Renew the lease as we go, so the next sweep neither re-sends nor re-alerts at once.
    taken = [
        r
        for r in stale
        if DisclosureRequest.objects.filter(pk=r.pk, build_attempted_at=r.build_attempted_at).update(
            build_attempted_at=now
        )
    ]
    hopeless = [r for r in taken if r.build_attempts >= settings.HUB_DISCLOSURE_BUILD_MAX_ATTEMPTS]
    for request in hopeless:
        disclosure_build_alert(request, reason="attempts_exhausted")
    build_task = task_named("sharing.tasks.disclosure_package_build_task")
    return enqueue_now(build_task, [r.pk for r in taken if r not in hopeless])


def _package_files(
    request: DisclosureRequest, records: list[tuple[RestrictedRecord, bytes]]
) -> dict[str, bytes]:
    """records.json and the evidence, each file under evidence/<report>/ with its original name."""
    metas = {
        (record.owner_id, record.field.removesuffix(":meta")): json.loads(plaintext)
        for record, plaintext in records
        if record.field.startswith("evidence:") and record.field.endswith(":meta")
    }
    disclosed: dict[str, dict] = {}
    files: dict[str, bytes] = {}
    taken: set[str] = set()
    for record, plaintext in records:
        entry = disclosed.setdefault(record.owner_id, {"report": record.owner_id})
        if record.field.startswith("evidence:") and not record.field.endswith(":meta"):
            meta = metas.get((record.owner_id, record.field)) or {}
            original = meta.get("name") or f"evidence-{record.field.split(':')[1]}"
            name = name_unique(f"evidence/{record.owner_id}/{name_sanitised(original)}", taken)
            files[name] = plaintext
            entry.setdefault("evidence_files", []).append(name)
        elif record.field.endswith(":meta"):
            entry.setdefault("evidence_meta", []).append(json.loads(plaintext))
        elif record.field == "statement":
            entry["statement"] = plaintext.decode()
        else:
            entry[record.field] = json.loads(plaintext)
    files["records.json"] = json.dumps(
        sorted(disclosed.values(), key=lambda e: e["report"]), indent=2, ensure_ascii=False
    ).encode()
    return files


def _manifest_header(request: DisclosureRequest) -> dict:
    """What the manifest says of the order; hubcore.packages adds the format, signature and file list."""
    return {
        "request": str(request.public_id),
        "order_reference": request.order_reference,
        "case_number": request.case_number,
        "issuing_court": request.issuing_court,
        "legal_basis": request.legal_basis,
        "scope_fields": sorted(request.scope_fields),
        "reports": request.resolved_reports,
        "approvals": approvals_of(request),
        "created_at": timezone.now().isoformat(),
    }


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def disclosure_package_download(*, request: DisclosureRequest, actor: Actor) -> bytes:
    """Hand the sealed package to the requesting court, at most max_downloads times, while the approval holds."""
    # Only the requesting court's package: to anyone else (an officer who sees the order included) it is not
    # there, scoped_get's audited 404, found outside the download's transaction so the probe stays on record.
    courts_own = DisclosureRequest.objects.filter(court=actor.organisation)
    scoped_get(
        actor=actor,
        queryset=courts_own if holds_any(actor, [Capability.DISCLOSURE_DOWNLOAD]) else courts_own.none(),
        public_id=request.public_id,
        tag=AuditTag.DISCLOSURE_PACKAGE_DOWNLOADED,
        target_type="disclosure",
        noun=gettext_noop("disclosure request"),
    )
    transfer_gate(organisation=actor.organisation, channel=TransferChannel.PACKAGE, actor=actor)
    return refusing_lapsed(
        _download, request=request, actor=actor, tag=AuditTag.DISCLOSURE_PACKAGE_DOWNLOADED
    )


@transaction.atomic
def _download(*, request: DisclosureRequest, actor: Actor) -> bytes:
    request = locks.lock_disclosure(request.pk)
    if request.status not in (DisclosureStatus.PACKAGE_READY, DisclosureStatus.DELIVERED):
        raise ConflictError(
            gettext("No package to download: the request is %(status)s.")
            % {"status": status_word(DisclosureStatus, request.status)}
        )
    require_not_lapsed(request)
    if request.downloads >= request.max_downloads:
        raise ForbiddenError(
            gettext("The package was downloaded the maximum %(count)s times.")
            % {"count": request.max_downloads}
        )
    _restricted_audit(actor, AuditTag.DISCLOSURE_PACKAGE_DOWNLOADED, request, target=request)
    transfer_record(
        organisation=actor.organisation,
        channel=TransferChannel.PACKAGE,
        target_type="disclosure",
        target_id=str(request.public_id),
        member=actor.member,
    )
    DisclosureRequest.objects.filter(pk=request.pk).update(
        downloads=F("downloads") + 1, status=DisclosureStatus.DELIVERED
    )
    return bytes(request.package.envelope)
