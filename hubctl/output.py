"""How hubctl prints tokens, check answers and reports: human text, CSV or JSON."""

from __future__ import annotations

import json

from hubcore.csv_safe import csv_document


def as_json(data: object) -> str:
    """Pretty JSON, keys in the hub's order."""
    return json.dumps(data, indent=2, ensure_ascii=False)


def as_csv(header: list[str], rows: list[list[object]]) -> str:
    """A CSV document with a header line, safe to open in a spreadsheet (hubcore/csv_safe.py)."""
    return csv_document(header, rows)


def tokens_csv(tokens: list[dict], *, with_ref: bool) -> str:
    """type,token,key_version lines (ref first for wide input)."""
    header = ["type", "token", "key_version"]
    rows = [[t["type"], t["token"], t["key_version"]] for t in tokens]
    if with_ref:
        header = ["ref", *header]
        rows = [[t["ref"], *row] for t, row in zip(tokens, rows)]
    return as_csv(header, rows)


def check_text(result: dict) -> str:
    """A check answer for people: the level first, then why."""
    kinds = ", ".join(result.get("reporter_kinds") or []) or "none"
    lines = [
        f"level: {result.get('level')}    risk: {result.get('risk')}/100    "
        f"recommended action: {result.get('recommended_action', '-')}",
        f"why: {result.get('explanation', '-')}",
        f"matched types: {_listed(result.get('matched_types'))}",
        f"reporting organisations: {result.get('reporting_organisations', 0)} ({kinds})",
        f"subjects matched: {result.get('subjects_matched', 0)}",
        f"strongest verification: {result.get('strongest_verification') or 'none'}",
        f"IP types: {_listed(result.get('ip_types'))}    categories: {_listed(result.get('categories'))}",
        f"first seen: {result.get('first_seen') or '-'}    last seen: {result.get('last_seen') or '-'}",
        f"disputed: {'yes' if result.get('disputed') else 'no'}",
        f"check id: {result.get('check_id')}",
    ]
    return "\n".join(lines)


def checks_csv(results: list[tuple[str | None, dict]]) -> str:
    """One line per checked row of a wide CSV: ref, level, risk, matched types (space separated)."""
    rows = [
        [ref, r.get("level"), r.get("risk"), " ".join(r.get("matched_types") or [])] for ref, r in results
    ]
    return as_csv(["ref", "level", "risk", "matched_types"], rows)


def parcel_event_text(event: dict, *, tokens_only: bool) -> str:
    """A recorded parcel event for people."""
    mode = "tokens only" if tokens_only else "raw values sent"
    return "\n".join(
        [
            f"parcel event {event.get('id')}: {event.get('kind')}",
            f"identifiers: {_listed(event.get('identifier_types'))} ({mode})",
            f"origin: {event.get('origin_region')}    category: {event.get('category')}    "
            f"occurred: {event.get('occurred_at')}",
        ]
    )


def report_text(report: dict, *, tokens_only: bool | None = None) -> str:
    """A submitted or fetched report for people."""
    count = report.get("identifier_count")
    mode = {True: ", tokens only", False: ", raw values sent", None: ""}[tokens_only]
    lines = [
        f"report {report.get('id')}: {report.get('status')}",
        f"identifiers: {_listed(report.get('identifier_types'))} ({count} distinct{mode})",
        f"IP type: {report.get('ip_type')}    category: {report.get('category')}    "
        f"verification: {report.get('verification_level')}",
        f"evidence files: {report.get('evidence_count', 0)}    disputed: {'yes' if report.get('disputed') else 'no'}",
        f"submitted: {report.get('submitted_at') or '-'}    reviewed: {report.get('reviewed_at') or '-'}",
    ]
    if report.get("review_reason"):
        lines.append(f"review reason: {report['review_reason']}")
    return "\n".join(lines)


def _listed(values: list | None) -> str:
    """Comma-separated values, or "none"."""
    return ", ".join(str(v) for v in values or []) or "none"


def disclosure_text(request: dict) -> str:
    """A disclosure request and its state for people."""
    scope = request.get("scope") or {}
    overdue = " (overdue)" if request.get("overdue") else ""
    lines = [
        f"disclosure request {request.get('id')}: {request.get('status')}",
        f"order: {request.get('order_reference')}",
        f"legal basis: {request.get('legal_basis')}",
        f"scope: {len(scope.get('reports') or [])} reports, {len(scope.get('subjects') or [])} subjects, "
        f"{len(scope.get('tokens') or [])} tokens; fields: {_listed(scope.get('fields'))}",
        f"deadline: {request.get('deadline')}{overdue}    submitted: {request.get('submitted_at') or '-'}",
        f"approvals: {len(request.get('approvals') or [])}",
        *[f"  officer {a.get('officer')} at {a.get('approved_at')}" for a in request.get("approvals") or []],
    ]
    if request.get("approved_at"):
        lines.append(
            f"approved: {request['approved_at']}    approval expires: {request.get('approval_expires_at')}"
        )
    lines.append(f"downloads: {request.get('downloads', 0)} of {request.get('max_downloads')}")
    if request.get("decision_reason"):
        lines.append(f"decision reason: {request['decision_reason']}")
    return "\n".join(lines)


def package_text(summary: dict) -> str:
    """A verified disclosure package's summary for people; ends with the verdict."""
    width = max((len(f["name"]) for f in summary["files"]), default=0)
    lines = [
        f"disclosure request {summary['request']}",
        f"order: {summary.get('order_reference')}",
        f"legal basis: {summary.get('legal_basis')}",
        f"built: {summary.get('built_at')}    fields: {_listed(summary.get('scope_fields'))}",
        f"records: {summary['records']} (reports: {len(summary.get('reports') or [])})",
        f"approvals: {len(summary['approvals'])}",
        *[f"  officer {a.get('officer')} at {a.get('approved_at')}" for a in summary["approvals"]],
        "files:",
        *[f"  {f['name'].ljust(width)}  {f['size']} bytes" for f in summary["files"]],
        f"hub key: {summary.get('hub_key')} ({summary.get('hub_key_source')})",
        f"signature OK, {summary['files_verified']} files match the manifest",
    ]
    if summary.get("written_to"):
        lines.append(f"written to {summary['written_to']}: {len(summary.get('written') or [])} files")
    return "\n".join(lines)


def checkpoint_text(summary: dict) -> str:
    """A verified, saved checkpoint for people."""
    return "\n".join(
        [
            f"origin: {summary['origin']}",
            f"size: {summary['size']}",
            f"root: {summary['root_hash']}",
            f"signature OK by hub key {summary['hub_key']} ({summary['hub_key_source']})",
            f"saved to {summary['saved_to']}",
        ]
    )


def inclusion_text(summary: dict) -> str:
    """A verified inclusion proof for people; starts with the verdict."""
    return "\n".join(
        [
            f"included: event {summary['index']} is in the tree of size {summary['size']}",
            f"leaf hash: {summary['leaf_hash']}",
            f"checkpoint: {summary['checkpoint']} ({summary['origin']}, root {summary['root_hash']})",
            f"proof: {summary['proof']}",
            f"signature OK by hub key {summary['hub_key']} ({summary['hub_key_source']})",
        ]
    )


def consistency_text(summary: dict) -> str:
    """A verified consistency proof for people; starts with the verdict."""
    old, new = summary["old"], summary["new"]
    return "\n".join(
        [
            f"consistent: the newer checkpoint extends the older one (size {old['size']} -> {new['size']})",
            f"origin: {summary['origin']}",
            f"old: {old['file']} (root {old['root_hash']})",
            f"new: {new['file']} (root {new['root_hash']})",
            f"proof: {summary['proof']}",
            f"signatures OK by hub key {summary['hub_key']} ({summary['hub_key_source']})",
        ]
    )


def proof_text(summary: dict) -> str:
    """A saved proof for people, with the command that verifies it."""
    target, count = summary["saved_to"], summary["hashes"]
    if "index" in summary:
        index, size = summary["index"], summary["size"]
        return (
            f"saved the inclusion proof of event {index} in the tree of size {size} ({count} hashes) to {target}\n"
            f"verify it with: hubctl audit verify-inclusion --checkpoint NOTE_OF_SIZE_{size} --index {index} "
            f"--proof {target}"
        )
    first, second = summary["first"], summary["second"]
    return (
        f"saved the consistency proof between the trees of sizes {first} and {second} ({count} hashes) "
        f"to {target}\nverify it with: hubctl audit verify-consistency --old NOTE_OF_SIZE_{first} "
        f"--new NOTE_OF_SIZE_{second} --proof {target}"
    )
