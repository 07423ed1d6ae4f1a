"""The documented rules that turn a subject's accepted reports into a level and a risk score.

Verification
- An administrative decision or court judgment counts only once an operator has
  verified it (Report.decision_verified); until then it weighs as a rights-owner-
  verified report. So no single organisation, whatever it claims, lists a subject
  on its own: listing takes a second independent organisation or an operator-
  verified official decision.

Level
- none: no live accepted report matches.
- reported: live accepted reports from a single organisation, none of them an
  administrative decision or court judgment. One organisation alone never lists.
- listed: at least two independent reporting organisations, or an administrative
  decision.
- confirmed: a court judgment, or an administrative decision backed by a second
  independent organisation.

Risk (0–100)
  20 per independent reporting organisation (at most 60)
+ the strongest verification level: self-declared 0, rights-owner verified 10,
  platform enforcement 20, administrative decision 30, court judgment 40
+ 10 when a strong identifier (national ID, business licence, bank account) matched
+ 5 per weak identifier type (name, shipping or registered address, device id)
  that corroborates: the check names it and a live report of a subject the check
  reached through a strong or medium identifier names it too (at most 10). A
  corroborating weak type never adds an organisation or a report, so it never
  changes the level; a weak token known only elsewhere adds nothing.
- 10 when the latest report is more than a year old
- 30 while any of the reports is disputed
+ 10 per independent member organisation whose current feedback says it acted on the
  subject (blocked, delisted, refused a parcel), at most 20: others' enforcement confirms it
- 15 per independent member organisation whose current feedback calls the subject a false
  positive, at most 45, but only once FALSE_POSITIVE_MIN_MEMBERS (2) of them say so: one
  member alone cannot lower another's listing. Independent: not one of the subject's reporters.
  Feedback never changes the level, only the risk. Either kind of feedback counts only once at
  least the suppression threshold of organisations (HUB_OUTCOME_SUPPRESSION_THRESHOLD, 3) gave
  it: the counts leave the hub only through suppression.py, and a risk that moved by 10 for one
  organisation would hand out the number the suppression hides.
clamped to 0–100; a subject with no live report scores 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from hubcore.identifiers.types import IDENTIFIER_STRENGTH, Strength
from sharing.checks.services.suppression import suppression_threshold
from sharing.models.reports import VERIFICATION_RANK, VerificationLevel


class Level:
    NONE = "none"
    REPORTED = "reported"
    LISTED = "listed"
    CONFIRMED = "confirmed"


VERIFICATION_POINTS = {
    VerificationLevel.SELF_DECLARED: 0,
    VerificationLevel.RIGHTS_OWNER_VERIFIED: 10,
    VerificationLevel.PLATFORM_ENFORCEMENT: 20,
    VerificationLevel.ADMINISTRATIVE_DECISION: 30,
    VerificationLevel.COURT_JUDGMENT: 40,
}


@dataclass(frozen=True)
class Evidence:
    """What the risk rules look at: a summary of live accepted reports."""

    organisations: int
    strongest_verification: str | None
    matched_types: frozenset[str]
    last_seen: datetime | None
    disputed: bool
    corroborated_types: frozenset[str] = frozenset()  # weak types the reached subject's reports also name
    members_acted: int = 0  # independent organisations whose current feedback is "acted"
    members_false_positive: int = 0  # independent organisations whose current feedback is "false positive"


# Matched types are the stored strings; these are the strong ones among them.
STRONG_TYPES: frozenset[str] = frozenset(t for t, s in IDENTIFIER_STRENGTH.items() if s == Strength.STRONG)

# Corroboration by weak identifiers is worth little on its own: bounded so that it can at most
# match one strong identifier's bonus, and level_of never reads it.
CORROBORATION_POINTS = 5
CORROBORATION_MAX = 10

# Feedback from recipients (sharing/feedback/): bounded both ways, so feedback alone never makes
# or unmakes a listing; false positives count only from several members, so no single one can.
ACTED_POINTS = 10
ACTED_MAX = 20
FALSE_POSITIVE_POINTS = 15
FALSE_POSITIVE_MAX = 45
FALSE_POSITIVE_MIN_MEMBERS = 2


def level_of(evidence: Evidence) -> str:
    if evidence.organisations == 0 or evidence.strongest_verification is None:
        return Level.NONE
    rank = VERIFICATION_RANK[evidence.strongest_verification]
    court = VERIFICATION_RANK[VerificationLevel.COURT_JUDGMENT]
    administrative = VERIFICATION_RANK[VerificationLevel.ADMINISTRATIVE_DECISION]
    if rank >= court or (rank >= administrative and evidence.organisations >= 2):
        return Level.CONFIRMED
    if rank >= administrative or evidence.organisations >= 2:
        return Level.LISTED
    return Level.REPORTED


def risk_of(evidence: Evidence, *, now: datetime) -> int:
    if evidence.organisations == 0 or evidence.strongest_verification is None:
        return 0
    score = min(60, 20 * evidence.organisations)
    score += VERIFICATION_POINTS[VerificationLevel(evidence.strongest_verification)]
    if evidence.matched_types & STRONG_TYPES:
        score += 10
    score += min(CORROBORATION_MAX, CORROBORATION_POINTS * len(evidence.corroborated_types))
    if evidence.last_seen and now - evidence.last_seen > timedelta(days=365):
        score -= 10
    if evidence.disputed:
        score -= 30
    enough = suppression_threshold()  # below it, feedback is as invisible in the risk as in the counts
    if evidence.members_acted >= enough:
        score += min(ACTED_MAX, ACTED_POINTS * evidence.members_acted)
    if evidence.members_false_positive >= max(FALSE_POSITIVE_MIN_MEMBERS, enough):
        score -= min(FALSE_POSITIVE_MAX, FALSE_POSITIVE_POINTS * evidence.members_false_positive)
    return max(0, min(100, score))


OFFICIAL = (VerificationLevel.ADMINISTRATIVE_DECISION, VerificationLevel.COURT_JUDGMENT)


def effective_verification(claimed: str, decision_verified: bool) -> str:
    """What a report's verification level is worth: official claims need the operator's check."""
    if claimed in OFFICIAL and not decision_verified:
        return VerificationLevel.RIGHTS_OWNER_VERIFIED
    return claimed
