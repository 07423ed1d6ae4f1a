"""A check's whole read on PostgreSQL in one statement: the seller's stored tokens and everything the
result rules read about the subjects they reach (checks.py `check_lookup`).

The ORM reads the same in five queries (`stored_tokens_of`, then `matched_evidence`), and that is what
SQLite runs; the checking organisation's policy (`policies.policy_of`, a sixth) rides along as one more
tagged row. On the hot path those five cost five round trips and five ORM compilations, about as much
Python as the rest of a check together (benchmarks/RESULTS.md). This statement's text depends on
nothing but the schema, so psycopg prepares it once per connection (hub/settings.py), and its
parameters are arrays. tests/sharing/test_check_lookup_sql.py proves both readings give the same
answer over a mixed set of sellers. The live-report condition (accepted, not past its expiry) is
`subjects.counting`'s spelled in SQL, its values passed in; that test holds the two spellings together.

Every row is tagged; the columns each tag fills are in `ROW_COLUMNS`.
"""

from __future__ import annotations

from functools import cache

ROW_COLUMNS = {
    # tag: the columns it fills, in order, after the tag (the rest are NULL)
    "token": ("n1 id", "n2 subject_id", "t1 identifier_type", "t2 subject public_id"),
    "link": (
        "n1 subject_id",
        "n2 token_id",
        "n3 report_id",
        "n4 reporter organisation",
        "t1 organisation kind",
        "t2 verification_level",
        "t3 ip_type",
        "t4 category",
        "b1 decision_verified",
        "b2 disputed",
        "at submitted_at",
    ),
    "store": ("n1 subject_id", "n2 store accounts"),
    "feedback": ("n1 subject_id", "n2 organisation", "t1 outcome"),
    "parcel": ("n1 subject_id", "n2 event", "n3 organisation", "n4 waybill token (or NULL)", "t1 kind"),
    # The checking organisation's own policy (policies.policy_of), when it has one: one row at most.
    "policy": (
        "n1 strikes",
        "n2 window_months",
        "t1 one_strike_verification_levels (JSON)",
        "t2 one_strike_categories (JSON)",
    ),
}


@cache
def check_lookup_sql() -> str:
    """The statement, with the tables' names from the models (built once per process).

    Parameters, in order: lookup forms (text[]), their types (text[]), the linking types (text[]),
    the accepted status, now, the store-account type, the waybill type, the checking organisation."""
    from accounts.models import Organisation
    from sharing.models import (
        HitFeedback,
        IdentifierToken,
        MemberPolicy,
        ParcelEvent,
        Report,
        ReportIdentifier,
        Subject,
    )

    token, subject = IdentifierToken._meta.db_table, Subject._meta.db_table
    link, report = ReportIdentifier._meta.db_table, Report._meta.db_table
    organisation, feedback = Organisation._meta.db_table, HitFeedback._meta.db_table
    event, event_token = ParcelEvent._meta.db_table, ParcelEvent.tokens.through._meta.db_table
    policy = MemberPolicy._meta.db_table
    null = "NULL::bigint"
    text = "NULL::text"
    return f"""
WITH wanted (form, identifier_type) AS (SELECT * FROM unnest(%s::text[], %s::text[])),
found AS (
    SELECT t.id, t.identifier_type, t.subject_id, s.public_id
    FROM wanted w
    JOIN {token} t ON t.token = w.form AND t.identifier_type = w.identifier_type
    LEFT JOIN {subject} s ON s.id = t.subject_id
),
reached AS (SELECT DISTINCT subject_id FROM found WHERE subject_id IS NOT NULL),
weak AS (SELECT id FROM found WHERE subject_id IS NULL AND NOT (identifier_type = ANY(%s::text[]))),
named AS (  -- the report links of the reached subjects' tokens, and of the weak tokens (no subject)
    SELECT tok.subject_id, tok.id AS token_id
    FROM reached x JOIN {token} tok ON tok.subject_id = x.subject_id
    UNION ALL
    SELECT NULL::bigint, weak.id FROM weak
),
links AS (
    SELECT n.subject_id, l.token_id, l.report_id, r.reporter_organisation_id, o.kind,
           r.verification_level, r.ip_type, r.category, r.decision_verified, r.disputed, r.submitted_at
    FROM named n
    JOIN {link} l ON l.token_id = n.token_id
    JOIN {report} r ON r.id = l.report_id
    JOIN {organisation} o ON o.id = r.reporter_organisation_id
    WHERE r.status = %s AND r.expires_at > %s
),
evidenced AS (SELECT DISTINCT subject_id FROM links WHERE subject_id IS NOT NULL)
-- Each read below starts from the few subjects at hand (LATERAL), never from a whole table.
SELECT 'token', id, subject_id, {null}, {null}, identifier_type, public_id::text, {text}, {text},
       NULL::boolean, NULL::boolean, NULL::timestamptz
FROM found
UNION ALL
SELECT 'link', subject_id, token_id, report_id, reporter_organisation_id, kind, verification_level, ip_type,
       category, decision_verified, disputed, submitted_at
FROM links
UNION ALL
SELECT 'store', e.subject_id, c.n, {null}, {null}, {text}, {text}, {text}, {text},
       NULL::boolean, NULL::boolean, NULL::timestamptz
FROM evidenced e,
     LATERAL (SELECT count(*) AS n FROM {token} t WHERE t.subject_id = e.subject_id AND t.identifier_type = %s) c
WHERE c.n > 0
UNION ALL
SELECT 'feedback', e.subject_id, f.organisation_id, {null}, {null}, f.outcome, {text}, {text}, {text},
       NULL::boolean, NULL::boolean, NULL::timestamptz
FROM evidenced e,
     LATERAL (SELECT organisation_id, outcome FROM {feedback} f
              WHERE f.subject_id = e.subject_id AND f.replaced_at IS NULL) f
UNION ALL
SELECT 'parcel', e.subject_id, p.parcelevent_id, p.organisation_id,
       (SELECT min(wt.identifiertoken_id) FROM {event_token} wt JOIN {token} w ON w.id = wt.identifiertoken_id
        WHERE wt.parcelevent_id = p.parcelevent_id AND w.identifier_type = %s),
       p.kind, {text}, {text}, {text}, NULL::boolean, NULL::boolean, NULL::timestamptz
FROM evidenced e,
     LATERAL (SELECT et.parcelevent_id, ev.organisation_id, ev.kind
              FROM {token} t
              JOIN {event_token} et ON et.identifiertoken_id = t.id
              JOIN {event} ev ON ev.id = et.parcelevent_id
              WHERE t.subject_id = e.subject_id) p
UNION ALL
SELECT 'policy', p.strikes, p.window_months, {null}, {null}, p.one_strike_verification_levels::text,
       p.one_strike_categories::text, {text}, {text}, NULL::boolean, NULL::boolean, NULL::timestamptz
FROM {policy} p WHERE p.organisation_id = %s
"""
