"""How hubctl prints tokens, check answers and reports: human text, CSV or JSON."""
from __future__ import annotations

import csv
import io
import json


def as_json(data: object) -> str:
    """Pretty JSON, keys in the hub's order."""
    return json.dumps(data, indent=2, ensure_ascii=False)


def as_csv(header: list[str], rows: list[list[object]]) -> str:
    """A CSV document with a header line; the csv module quotes refs that need it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().rstrip("\n")


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
        f"level: {result.get('level')}    risk: {result.get('risk')}/100",
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
    rows = [[ref, r.get("level"), r.get("risk"), " ".join(r.get("matched_types") or [])] for ref, r in results]
    return as_csv(["ref", "level", "risk", "matched_types"], rows)


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
