"""Read-side helpers of the audit review pages: proofs against checkpoints, chart data, the JSONL export.

Nothing here imports `sharing`: a restricted event's order is shown from what the
event itself recorded (its legal basis and `details`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import Case, Count, IntegerField, QuerySet, Value, When
from django.db.models.functions import TruncDay, TruncHour
from django.utils import timezone

from accounts.actors import Actor
from accounts.audit.checkpoints import hub_public_key
from accounts.audit.log import canonical_leaf, log_size, stored_leaf_hashes, verifiable_leaf_hash
from accounts.audit.models import (
    Alert,
    AlertStatus,
    AuditCheckpoint,
    AuditEvent,
    DataClass,
    LegalBasis,
    Outcome,
)
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.audit.verify import audit_verify
from accounts.models import Organisation
from accounts.roles import Role
from hubcore import merkle
from hubcore.checkpoints import CheckpointError, note_verify

VERIFIED, UNCOVERED, FAILED = "verified", "uncovered", "failed"
COURT_ORDER_PREFIX = f"{LegalBasis.COURT_ORDER}:"


# --- checkpoints -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignedCheckpoint:
    """A stored checkpoint and whether its note carries a valid hub signature over the same size and root."""

    row: AuditCheckpoint
    verified: bool
    signed_root: bytes | None = None
    problem: str = ""


def latest_checkpoint() -> AuditCheckpoint | None:
    return AuditCheckpoint.objects.order_by("-size").first()


def covering_checkpoint(seq: int) -> AuditCheckpoint | None:
    """The latest checkpoint whose tree holds the event at `seq`, if any does yet."""
    return AuditCheckpoint.objects.filter(size__gt=seq).order_by("-size").first()


def checkpoint_checked(checkpoint: AuditCheckpoint) -> SignedCheckpoint:
    try:
        signed = note_verify(checkpoint.note, hub_public_key(), key_name=settings.HUB_AUDIT_ORIGIN)
    except CheckpointError as exc:
        return SignedCheckpoint(checkpoint, False, problem=str(exc))
    if signed.size != checkpoint.size or signed.root_hash.hex() != checkpoint.root_hash:
        return SignedCheckpoint(
            checkpoint, False, problem="the signed note does not match the stored size and root"
        )
    return SignedCheckpoint(checkpoint, True, signed.root_hash)


@dataclass(frozen=True)
class CheckpointStatus:
    latest: SignedCheckpoint | None
    log_size: int

    @property
    def uncovered(self) -> int:
        return self.log_size - (self.latest.row.size if self.latest else 0)


def checkpoint_status(*, actor: Actor) -> CheckpointStatus:
    """The latest checkpoint with its signature checked; the read is audited."""
    checkpoint = latest_checkpoint()
    status = CheckpointStatus(checkpoint_checked(checkpoint) if checkpoint else None, log_size())
    _audit_proof_read(
        actor,
        "checkpoint",
        {
            "size": checkpoint.size if checkpoint else None,
            "signature_verified": bool(status.latest and status.latest.verified),
        },
    )
    return status


def log_verify(*, actor: Actor) -> list[str]:
    """Run the whole-log verification (audit_verify) for a reviewer, and audit that it ran."""
    problems = audit_verify()
    _audit_proof_read(actor, "audit_verification", {"log_size": log_size(), "problems": len(problems)})
    return problems


def _audit_proof_read(actor: Actor, what: str, details: dict) -> None:
    audit_record(
        actor=actor,
        tag=AuditTag.AUDIT_PROOF_READ,
        data_class=DataClass.ADMINISTRATIVE,
        target_type=what,
        legal_basis=LegalBasis.OPERATOR_DUTY,
        details=details,
    )


# --- inclusion proofs --------------------------------------------------------------------------


@dataclass(frozen=True)
class Inclusion:
    """The outcome of checking one event against the latest checkpoint that covers it."""

    status: str
    size: int | None = None
    path: tuple[bytes, ...] = ()
    root_hash: bytes | None = None
    leaf_hash: bytes | None = None  # recomputed from the row, not the stored copy
    problem: str = ""

    @property
    def verified(self) -> bool:
        return self.status == VERIFIED


def event_inclusion(event: AuditEvent) -> Inclusion:
    """Recompute the event's leaf (its stored one once its details were purged) and check its
    RFC 9162 inclusion proof against the signed root."""
    checkpoint = covering_checkpoint(event.seq)
    leaf = verifiable_leaf_hash(event)
    if checkpoint is None:
        return Inclusion(UNCOVERED, leaf_hash=leaf)
    signed = checkpoint_checked(checkpoint)
    if not signed.verified or signed.signed_root is None:
        return Inclusion(
            FAILED, checkpoint.size, leaf_hash=leaf, problem=f"checkpoint not valid: {signed.problem}"
        )
    try:
        leaves = stored_leaf_hashes(checkpoint.size)
        path = tuple(merkle.inclusion_proof(leaves, event.seq, checkpoint.size))
    except ValueError:
        return Inclusion(
            FAILED,
            checkpoint.size,
            leaf_hash=leaf,
            root_hash=signed.signed_root,
            problem="the stored leaf hashes below the checkpoint are missing or malformed",
        )
    ok = merkle.verify_inclusion(leaf, event.seq, checkpoint.size, path, signed.signed_root)
    problem = (
        "" if ok else "the leaf recomputed from this row and its audit path do not lead to the signed root"
    )
    return Inclusion(VERIFIED if ok else FAILED, checkpoint.size, path, signed.signed_root, leaf, problem)


class ProofTree:
    """The tree of one checkpoint's size; subtree roots are memoised so that proofs for many
    events cost O(n) together rather than O(n) each. Paths equal merkle.inclusion_proof's."""

    def __init__(self, leaves: list[bytes]):
        self.leaves, self.size = leaves, len(leaves)
        self._roots: dict[tuple[int, int], bytes] = {}

    def root(self, start: int, end: int) -> bytes:
        if end - start == 1:
            return self.leaves[start]
        if (start, end) not in self._roots:
            mid = start + (1 << ((end - start - 1).bit_length() - 1))
            self._roots[(start, end)] = merkle.node_hash(self.root(start, mid), self.root(mid, end))
        return self._roots[(start, end)]

    def path(self, index: int) -> list[bytes]:
        path, start, end = [], 0, self.size
        while end - start > 1:
            mid = start + (1 << ((end - start - 1).bit_length() - 1))
            if index < mid:
                path.append(self.root(mid, end))
                end = mid
            else:
                path.append(self.root(start, mid))
                start = mid
        return path[::-1]


# --- court orders (from the event's own record) ------------------------------------------------


def order_of(event: AuditEvent) -> dict | None:
    """The court order an event rests on, as the event recorded it; None for other legal bases."""
    if not event.legal_basis.startswith(COURT_ORDER_PREFIX) and event.data_class != DataClass.RESTRICTED:
        return None
    details = event.details if isinstance(event.details, dict) else {}
    approvals = found if isinstance(found := details.get("approvals"), list) else []
    return {
        "request": event.legal_basis.removeprefix(COURT_ORDER_PREFIX)
        if event.legal_basis.startswith(COURT_ORDER_PREFIX)
        else "",
        "order_reference": details.get("order_reference", ""),
        "approvals": [a for a in approvals if isinstance(a, dict)],
    }


# --- listings ----------------------------------------------------------------------------------


def filter_choices() -> dict:
    """Options of the audit log's filter form."""
    return {
        "organisations": list(Organisation.objects.order_by("name").values_list("public_id", "name")),
        "data_classes": DataClass.choices,
        "outcomes": Outcome.choices,
        "roles": Role.choices,
        "actions": AuditTag.values,
        "alert_statuses": AlertStatus.choices,
    }


def filter_values(params, form) -> dict:
    """The filter form's current values; times shown in UTC as a datetime-local input wants them."""
    values = {
        name: params.get(name, "")
        for name in ("organisation", "data_class", "outcome", "action", "role", "since", "until")
    }
    cleaned = getattr(form, "cleaned_data", {}) or {}
    for name in ("since", "until"):
        if isinstance(cleaned.get(name), datetime):
            values[name] = cleaned[name].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return values


def alerts_open_first(alerts: QuerySet[Alert]) -> QuerySet[Alert]:
    rank = Case(
        When(status=AlertStatus.OPEN, then=Value(0)),
        When(status=AlertStatus.ACKNOWLEDGED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return alerts.annotate(status_rank=rank).order_by("status_rank", "-raised_at", "-id")


# --- chart: accesses per data class over time --------------------------------------------------

PERIODS = {"day": (TruncDay, timedelta(days=1), 30), "hour": (TruncHour, timedelta(hours=1), 48)}
CLASS_COLOURS: dict[str, str] = {
    DataClass.SHAREABLE: "#3b7dd8",
    DataClass.ADMINISTRATIVE: "#8a8f98",
    DataClass.RESTRICTED: "#c0392b",
}
_W, _H, _LEFT, _BOTTOM, _TOP = 760, 240, 44, 28, 10


@dataclass
class Chart:
    period: str
    starts: list[datetime]
    counts: dict[str, list[int]]
    rows: list[dict] = field(default_factory=list)
    bars: list[dict] = field(default_factory=list)
    y_ticks: list[dict] = field(default_factory=list)
    x_labels: list[dict] = field(default_factory=list)
    legend: list[dict] = field(default_factory=list)
    total: int = 0
    width: int = _W
    height: int = _H


def access_chart(period: str = "day", *, now: datetime | None = None) -> Chart:
    """Events per data class per day (last 30 days) or per hour (last 48 hours), with SVG geometry."""
    trunc, step, buckets = PERIODS[period]
    now = (now or timezone.now()).astimezone(UTC)
    last = (
        now.replace(minute=0, second=0, microsecond=0)
        if period == "hour"
        else now.replace(hour=0, minute=0, second=0, microsecond=0)
    )
    first = last - step * (buckets - 1)
    counts = {c: [0] * buckets for c in DataClass.values}
    grouped = (
        AuditEvent.objects.filter(occurred_at__gte=first, occurred_at__lt=last + step)
        .annotate(bucket=trunc("occurred_at", tzinfo=UTC))
        .values("bucket", "data_class")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in grouped:
        index = int((row["bucket"].astimezone(UTC) - first) / step)
        if 0 <= index < buckets and row["data_class"] in counts:
            counts[row["data_class"]][index] += row["n"]
    chart = Chart(period, [first + step * i for i in range(buckets)], counts)
    _chart_layout(chart)
    return chart


def _chart_layout(chart: Chart) -> None:
    n = len(chart.starts)
    totals = [sum(chart.counts[c][i] for c in DataClass.values) for i in range(n)]
    chart.total, top = sum(totals), _nice_max(max(totals, default=0))
    plot_h, slot = _H - _BOTTOM - _TOP, (_W - _LEFT - 4) / n
    label = "%m-%d" if chart.period == "day" else "%d %H:00"
    for i, start in enumerate(chart.starts):
        y: float = _H - _BOTTOM
        for data_class in DataClass.values:
            value = chart.counts[data_class][i]
            if value:
                h = value / top * plot_h
                y -= h
                chart.bars.append(
                    {
                        "x": round(_LEFT + i * slot + 1, 1),
                        "y": round(y, 1),
                        "w": round(max(slot - 2, 1), 1),
                        "h": round(h, 1),
                        "colour": CLASS_COLOURS[data_class],
                        "title": f"{start.strftime(label)} {data_class}: {value}",
                    }
                )
        if i % (5 if chart.period == "day" else 6) == 0:
            chart.x_labels.append(
                {"x": round(_LEFT + i * slot + slot / 2, 1), "y": _H - 10, "text": start.strftime(label)}
            )
        chart.rows.append(
            {"start": start, **{c: chart.counts[c][i] for c in DataClass.values}, "total": totals[i]}
        )
    chart.y_ticks = [
        {"y": round(_H - _BOTTOM - f * plot_h, 1), "text": str(int(top * f))} for f in (0, 0.5, 1)
    ]
    chart.legend = [
        {"label": c.label, "colour": CLASS_COLOURS[c], "x": _LEFT + 130 * k} for k, c in enumerate(DataClass)
    ]


def _nice_max(value: int) -> int:
    """The axis maximum: the first of 2, 4, 10, 20, 40, 100… at or above `value` (halves stay whole)."""
    scale = 1
    while True:
        for multiple in (2, 4, 10):
            if multiple * scale >= value:
                return multiple * scale
        scale *= 10


# --- JSONL export ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Export:
    events: QuerySet[AuditEvent]
    checkpoint: AuditCheckpoint | None
    count: int


def export_prepare(events: QuerySet[AuditEvent]) -> Export:
    """Fix the range now (events already in the log), so the export's own audit row is not in it."""
    bounded = events.filter(seq__lt=log_size()).order_by("seq")
    return Export(bounded, latest_checkpoint(), bounded.count())


def export_audit(*, actor: Actor, export: Export, filters: dict) -> None:
    audit_record(
        actor=actor,
        tag=AuditTag.AUDIT_EXPORTED,
        data_class=DataClass.ADMINISTRATIVE,
        target_type="audit_event",
        legal_basis=LegalBasis.OPERATOR_DUTY,
        details={
            "filters": filters,
            "count": export.count,
            "checkpoint_size": export.checkpoint.size if export.checkpoint else None,
        },
    )


def export_lines(export: Export) -> Iterator[str]:
    """One JSON object a line: the canonical leaf fields, the stored leaf hash, and an inclusion proof."""
    checkpoint, tree = export.checkpoint, None
    if checkpoint is not None:
        leaves = stored_leaf_hashes(checkpoint.size)
        tree = ProofTree(leaves) if len(leaves) == checkpoint.size else None
    for event in export.events.iterator(chunk_size=1000):
        record = json.loads(canonical_leaf(event))
        record["leaf_hash"] = event.leaf_hash
        if event.details_purged_at is not None:
            # Its details were emptied after their retention period: a verifier takes leaf_hash as is.
            record["details_purged_at"] = event.details_purged_at.isoformat()
        record["inclusion_proof"] = (
            {
                "size": checkpoint.size,
                "path": [h.hex() for h in tree.path(event.seq)],
                "root_hash": checkpoint.root_hash,
            }
            if checkpoint is not None and tree is not None and event.seq < checkpoint.size
            else None
        )
        yield json.dumps(record, sort_keys=True, ensure_ascii=False) + "\n"
