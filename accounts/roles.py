"""Organisation kinds, member roles, capabilities, and the one role matrix.

Code asks for a capability, never for a role name. The role-matrix test walks
ROLE_CAPABILITIES and every API endpoint, so this table is the single source of
who may do what.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    PLATFORM = "platform", _("Platform")
    LOGISTICS = "logistics", _("Logistics firm")
    RIGHTS_OWNER = "rights_owner", _("Rights owner")
    COURT = "court", _("Court")
    OPERATOR = "operator", _("Operator")
    AUDITOR = "auditor", _("Auditor")
    # Administrative enforcement authorities and payment providers (seeds 000 and 001: platforms
    # cooperate "with customs and other law enforcement authorities"; payment accounts are how
    # sellers are paid and how they are cut off).
    MARKET_REGULATOR = "market_regulator", _("Market regulation authority")
    CUSTOMS = "customs", _("Customs authority")
    PAYMENT_PROVIDER = "payment_provider", _("Payment provider")


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    ANALYST = "analyst", _("Analyst")
    REPORTER = "reporter", _("Reporter")
    VIEWER = "viewer", _("Viewer")
    REVIEWER = "reviewer", _("Reviewer")
    DISCLOSURE_OFFICER = "disclosure_officer", _("Disclosure officer")


class Scope(models.TextChoices):
    """What an API key may be used for, on top of what its member's role allows."""

    CHECK = "check", _("Check")
    REPORT = "report", _("Report")
    BULK = "bulk", _("Bulk")
    AUDIT = "audit", _("Audit")
    DISCLOSURE = "disclosure", _("Disclosure")
    KEYS = "keys", _("API key management")


class Capability(models.TextChoices):
    CHECK_RUN = "check:run"
    REPORT_SUBMIT = "report:submit"
    REPORT_READ = "report:read"
    REPORT_RETRACT = "report:retract"
    REPORT_REVIEW = "report:review"
    AUDIT_READ = "audit:read"
    ALERT_HANDLE = "alert:handle"
    TOKEN_EVALUATE = "token:evaluate"
    CANARY_PLANT = "canary:plant"
    DISCLOSURE_REQUEST = "disclosure:request"
    DISCLOSURE_READ = "disclosure:read"
    DISCLOSURE_APPROVE = "disclosure:approve"
    DISCLOSURE_DOWNLOAD = "disclosure:download"
    ENCRYPTION_KEY_SET = "organisation:encryption_key"
    WATCHLIST_MANAGE = "watchlist:manage"
    WEBHOOK_MANAGE = "webhook:manage"
    POLICY_MANAGE = "policy:manage"
    DISPUTE_FILE = "dispute:file"
    DISPUTE_READ = "dispute:read"
    DISPUTE_RESPOND = "dispute:respond"
    DISPUTE_DECIDE = "dispute:decide"
    REPUTATION_OVERRIDE = "reputation:override"
    REPUTATION_READ_ANY = "reputation:read_any"
    ORGANISATION_READ = "organisation:read"
    ORGANISATION_ADMIN = "organisation:admin"
    APIKEY_MANAGE = "apikey:manage"
    MEMBER_MANAGE = "member:manage"
    BULK_RUN = "bulk:run"
    FEEDBACK_RECORD = "feedback:record"
    PARCEL_RECORD = "parcel:record"
    FEED_READ = "feed:read"
    SALES_TOTALS_REQUEST = "sales_totals:request"
    SALES_TOTALS_CONTRIBUTE = "sales_totals:contribute"
    TRANSPARENCY_OPERATE = "transparency:operate"
    LEGAL_HOLD_MANAGE = "legal_hold:manage"


# The scope an API key needs for a capability; None means any valid key of the member.
CAPABILITY_SCOPE: dict[Capability, Scope | tuple[Scope, ...] | None] = {
    Capability.CHECK_RUN: Scope.CHECK,
    Capability.REPORT_SUBMIT: Scope.REPORT,
    Capability.REPORT_READ: Scope.REPORT,
    Capability.REPORT_RETRACT: Scope.REPORT,
    Capability.REPORT_REVIEW: Scope.REPORT,
    Capability.AUDIT_READ: Scope.AUDIT,
    Capability.ALERT_HANDLE: Scope.AUDIT,
    # Oblivious evaluation serves both checking and reporting; either scope will do.
    Capability.TOKEN_EVALUATE: (Scope.CHECK, Scope.REPORT, Scope.BULK),
    Capability.ORGANISATION_READ: None,
    Capability.ORGANISATION_ADMIN: None,
    # A key minting keys is how a leaked narrow key would widen itself: it needs its own scope.
    Capability.APIKEY_MANAGE: Scope.KEYS,
    # Inviting and deactivating people changes who has access: the same scope as minting keys.
    Capability.MEMBER_MANAGE: Scope.KEYS,
    Capability.CANARY_PLANT: None,
    Capability.DISCLOSURE_REQUEST: Scope.DISCLOSURE,
    Capability.DISCLOSURE_READ: Scope.DISCLOSURE,
    Capability.DISCLOSURE_APPROVE: Scope.DISCLOSURE,
    Capability.DISCLOSURE_DOWNLOAD: Scope.DISCLOSURE,
    Capability.ENCRYPTION_KEY_SET: Scope.DISCLOSURE,
    Capability.WATCHLIST_MANAGE: Scope.CHECK,
    Capability.WEBHOOK_MANAGE: None,
    Capability.POLICY_MANAGE: None,
    Capability.DISPUTE_FILE: Scope.REPORT,
    Capability.DISPUTE_READ: Scope.REPORT,
    Capability.DISPUTE_RESPOND: Scope.REPORT,
    Capability.DISPUTE_DECIDE: Scope.REPORT,
    Capability.REPUTATION_OVERRIDE: None,
    Capability.REPUTATION_READ_ANY: None,
    Capability.BULK_RUN: Scope.BULK,
    # Feedback is on what a check, a watch or a bulk screening matched: the screening scope.
    Capability.FEEDBACK_RECORD: Scope.CHECK,
    # A parcel event is evidence toward a report or feedback on a screening's hit: either scope will do.
    Capability.PARCEL_RECORD: (Scope.CHECK, Scope.REPORT),
    # The TAXII feed's door (discovery, API root, the collections list): each collection asks for its
    # own capability, with that capability's scope, so the door itself needs none.
    Capability.FEED_READ: None,
    # Sales totals: a rights owner asks as it reports, a court as it orders disclosure.
    Capability.SALES_TOTALS_REQUEST: (Scope.REPORT, Scope.DISCLOSURE),
    # Members answer for the sellers their screening matched: the screening scope.
    Capability.SALES_TOTALS_CONTRIBUTE: Scope.CHECK,
    # Web pages only (the running quarter's draft report, per-member indicators): no API route.
    Capability.TRANSPARENCY_OPERATE: None,
    # Operator commands only (manage.py legal_hold): no API route.
    Capability.LEGAL_HOLD_MANAGE: None,
}

_K = OrganisationKind
_R = Role
_C = Capability

# Every member can see their own organisation and manage their own API keys.
_EVERY_MEMBER = {_C.ORGANISATION_READ, _C.APIKEY_MANAGE}
_REPORTING = {
    _C.REPORT_SUBMIT,
    _C.REPORT_READ,
    _C.REPORT_RETRACT,
    _C.TOKEN_EVALUATE,
    _C.DISPUTE_READ,
    _C.DISPUTE_RESPOND,
}
# Platforms and couriers watch their own sellers and set their own action policy.
_SCREENING_ADMIN = {_C.CHECK_RUN, _C.WATCHLIST_MANAGE, _C.WEBHOOK_MANAGE, _C.POLICY_MANAGE}
_OVERSIGHT = {_C.AUDIT_READ, _C.ALERT_HANDLE}
_COURT_CLERK = {_C.DISCLOSURE_REQUEST, _C.DISCLOSURE_READ, _C.DISCLOSURE_DOWNLOAD}

ROLE_CAPABILITIES: dict[tuple[OrganisationKind, Role], frozenset[Capability]] = {
    # Platforms and couriers check sellers and report their own enforcement actions.
    # A viewer reads the organisation's reports but neither checks nor reports.
    # Platforms and couriers contest a listing, on behalf of a seller or sender they serve.
    (_K.PLATFORM, _R.ADMIN): frozenset(_EVERY_MEMBER | _REPORTING | _SCREENING_ADMIN | {_C.DISPUTE_FILE}),
    (_K.PLATFORM, _R.ANALYST): frozenset(
        _EVERY_MEMBER
        | {
            _C.CHECK_RUN,
            _C.TOKEN_EVALUATE,
            _C.REPORT_READ,
            _C.WATCHLIST_MANAGE,
            _C.DISPUTE_FILE,
            _C.DISPUTE_READ,
        }
    ),
    (_K.PLATFORM, _R.REPORTER): frozenset(_EVERY_MEMBER | _REPORTING),
    (_K.PLATFORM, _R.VIEWER): frozenset(_EVERY_MEMBER | {_C.REPORT_READ}),
    (_K.LOGISTICS, _R.ADMIN): frozenset(_EVERY_MEMBER | _REPORTING | _SCREENING_ADMIN | {_C.DISPUTE_FILE}),
    (_K.LOGISTICS, _R.ANALYST): frozenset(
        _EVERY_MEMBER
        | {
            _C.CHECK_RUN,
            _C.TOKEN_EVALUATE,
            _C.REPORT_READ,
            _C.WATCHLIST_MANAGE,
            _C.DISPUTE_FILE,
            _C.DISPUTE_READ,
        }
    ),
    (_K.LOGISTICS, _R.REPORTER): frozenset(_EVERY_MEMBER | _REPORTING),
    (_K.LOGISTICS, _R.VIEWER): frozenset(_EVERY_MEMBER | {_C.REPORT_READ}),
    # Rights owners report and follow their reports; they never check sellers.
    (_K.RIGHTS_OWNER, _R.ADMIN): frozenset(_EVERY_MEMBER | _REPORTING),
    (_K.RIGHTS_OWNER, _R.ANALYST): frozenset(_EVERY_MEMBER | {_C.REPORT_READ}),
    (_K.RIGHTS_OWNER, _R.REPORTER): frozenset(_EVERY_MEMBER | _REPORTING),
    (_K.RIGHTS_OWNER, _R.VIEWER): frozenset(_EVERY_MEMBER | {_C.REPORT_READ}),
    # Courts neither check nor report: they obtain data only through disclosure orders,
    # and only their own clerks (admin, analyst) file, follow and download them.
    (_K.COURT, _R.ADMIN): frozenset(_EVERY_MEMBER | _COURT_CLERK | {_C.ENCRYPTION_KEY_SET}),
    (_K.COURT, _R.ANALYST): frozenset(_EVERY_MEMBER | _COURT_CLERK | {_C.ENCRYPTION_KEY_SET}),
    (_K.COURT, _R.VIEWER): frozenset(_EVERY_MEMBER | {_C.DISCLOSURE_READ}),
    # Operators admit organisations and review reports and the audit log; they never
    # check sellers, and restricted payloads stay closed to them outside a disclosure.
    # Operator admins also plant canary identifiers that catch enumeration sweeps.
    (_K.OPERATOR, _R.ADMIN): frozenset(
        _EVERY_MEMBER
        | _OVERSIGHT
        | {_C.ORGANISATION_ADMIN, _C.CANARY_PLANT, _C.REPUTATION_OVERRIDE, _C.REPUTATION_READ_ANY}
    ),
    # Reviewers decide reports, appeals and disputes, and read any organisation's standing
    # (its record as a reporter and as a filer of counter-notices) to weigh them.
    (_K.OPERATOR, _R.REVIEWER): frozenset(
        _EVERY_MEMBER
        | _OVERSIGHT
        | {_C.REPORT_REVIEW, _C.DISPUTE_READ, _C.DISPUTE_DECIDE, _C.REPUTATION_READ_ANY}
    ),
    # Disclosure officers approve orders (two distinct ones each) but never download packages.
    (_K.OPERATOR, _R.DISCLOSURE_OFFICER): frozenset(
        _EVERY_MEMBER | {_C.AUDIT_READ, _C.DISCLOSURE_READ, _C.DISCLOSURE_APPROVE}
    ),
    # Auditors read and verify the audit log and handle its alerts, nothing else.
    (_K.AUDITOR, _R.ADMIN): frozenset(_EVERY_MEMBER | _OVERSIGHT),
    (_K.AUDITOR, _R.ANALYST): frozenset(_EVERY_MEMBER | _OVERSIGHT),
    (_K.AUDITOR, _R.VIEWER): frozenset(_EVERY_MEMBER | {_C.AUDIT_READ}),
}

# Market regulation authorities (administrative enforcement) check a seller in a case they investigate,
# file their administrative decisions as reports and follow them. Disallowed: bulk screening and
# watchlists (they investigate cases, they do not screen a seller base), disputes (they serve no
# seller), and disclosure (restricted data leaves the hub only under a court's order).
_REGULATOR_ANALYST = {_C.CHECK_RUN, _C.TOKEN_EVALUATE, _C.REPORT_READ}
ROLE_CAPABILITIES |= {
    (_K.MARKET_REGULATOR, _R.ADMIN): frozenset(_EVERY_MEMBER | _REPORTING | {_C.CHECK_RUN}),
    (_K.MARKET_REGULATOR, _R.ANALYST): frozenset(_EVERY_MEMBER | _REGULATOR_ANALYST),
    (_K.MARKET_REGULATOR, _R.REPORTER): frozenset(_EVERY_MEMBER | _REPORTING),
    (_K.MARKET_REGULATOR, _R.VIEWER): frozenset(_EVERY_MEMBER | {_C.REPORT_READ}),
    # Customs screen declared senders and consignees one by one and by the file, and report seizures.
    # Disallowed: watchlists and webhooks (a declaration is screened once), disputes, disclosure.
    (_K.CUSTOMS, _R.ADMIN): frozenset(_EVERY_MEMBER | _REPORTING | {_C.CHECK_RUN}),
    (_K.CUSTOMS, _R.ANALYST): frozenset(_EVERY_MEMBER | _REGULATOR_ANALYST),
    (_K.CUSTOMS, _R.REPORTER): frozenset(_EVERY_MEMBER | _REPORTING),
    (_K.CUSTOMS, _R.VIEWER): frozenset(_EVERY_MEMBER | {_C.REPORT_READ}),
    # Payment providers check a merchant at onboarding, watch their merchants and say what they did
    # about a hit. Disallowed: reporting (their evidence is a platform's or a rights owner's to give),
    # bulk screening, disputes, disclosure; their viewers see nothing but their own organisation.
    (_K.PAYMENT_PROVIDER, _R.ADMIN): frozenset(_EVERY_MEMBER | _SCREENING_ADMIN | {_C.TOKEN_EVALUATE}),
    (_K.PAYMENT_PROVIDER, _R.ANALYST): frozenset(
        _EVERY_MEMBER | {_C.CHECK_RUN, _C.TOKEN_EVALUATE, _C.WATCHLIST_MANAGE}
    ),
    (_K.PAYMENT_PROVIDER, _R.VIEWER): frozenset(_EVERY_MEMBER),
}

# Bulk screening: the members who check sellers one by one may also check them by the file.
for _bulk_runner in (
    (_K.PLATFORM, _R.ADMIN),
    (_K.PLATFORM, _R.ANALYST),
    (_K.LOGISTICS, _R.ADMIN),
    (_K.LOGISTICS, _R.ANALYST),
    (_K.CUSTOMS, _R.ADMIN),
    (_K.CUSTOMS, _R.ANALYST),
):
    ROLE_CAPABILITIES[_bulk_runner] = ROLE_CAPABILITIES[_bulk_runner] | {_C.BULK_RUN}

# Feedback on hits: the members who screen sellers and act on what they match say what they did
# (acted, or a false positive). Viewers and reporters screen nothing, so they have nothing to say.
for _screener in (
    (_K.PLATFORM, _R.ADMIN),
    (_K.PLATFORM, _R.ANALYST),
    (_K.LOGISTICS, _R.ADMIN),
    (_K.LOGISTICS, _R.ANALYST),
    (_K.CUSTOMS, _R.ADMIN),
    (_K.CUSTOMS, _R.ANALYST),
    (_K.PAYMENT_PROVIDER, _R.ADMIN),
    (_K.PAYMENT_PROVIDER, _R.ANALYST),
):
    ROLE_CAPABILITIES[_screener] = ROLE_CAPABILITIES[_screener] | {_C.FEEDBACK_RECORD}

# Parcel events (sharing/parcels/): the couriers' members who check senders or report them record what
# became of a parcel (seized, refused, returned, held at customs). Disallowed: their viewers, and every
# other kind (customs report their seizures as reports; platforms and payment providers carry no parcels).
for _courier in ((_K.LOGISTICS, _R.ADMIN), (_K.LOGISTICS, _R.ANALYST), (_K.LOGISTICS, _R.REPORTER)):
    ROLE_CAPABILITIES[_courier] = ROLE_CAPABILITIES[_courier] | {_C.PARCEL_RECORD}

# The TAXII feed (sharing/feed/): whoever reads one of its collections may open it. Members who check
# sellers read the listings, those who follow their reports read "Sellers you reported", operators who
# read any organisation's standing read the operator view (sharing/feed/services/audiences.py).
for _kind_role, _capabilities in list(ROLE_CAPABILITIES.items()):
    if _capabilities & {_C.CHECK_RUN, _C.REPORT_READ, _C.REPUTATION_READ_ANY}:
        ROLE_CAPABILITIES[_kind_role] = _capabilities | {_C.FEED_READ}
# Cross-platform sales totals (sharing/sales_totals/): rights owners who report, and court clerks
# for a case, ask for a listed seller's totals under their own Paillier key; the platforms' and
# couriers' screeners whose screening matched the seller answer (encrypted) or decline.
for _requester in (
    (_K.RIGHTS_OWNER, _R.ADMIN),
    (_K.RIGHTS_OWNER, _R.REPORTER),
    (_K.COURT, _R.ADMIN),
    (_K.COURT, _R.ANALYST),
):
    ROLE_CAPABILITIES[_requester] = ROLE_CAPABILITIES[_requester] | {_C.SALES_TOTALS_REQUEST}
for _contributor in (
    (_K.PLATFORM, _R.ADMIN),
    (_K.PLATFORM, _R.ANALYST),
    (_K.LOGISTICS, _R.ADMIN),
    (_K.LOGISTICS, _R.ANALYST),
):
    ROLE_CAPABILITIES[_contributor] = ROLE_CAPABILITIES[_contributor] | {_C.SALES_TOTALS_CONTRIBUTE}
# Operator admins and reviewers see the running quarter's draft transparency report and the
# per-member indicators (time to act on hits, share acted on, false positives). Disallowed: every
# member organisation (a member sees only the public report) and disclosure officers and auditors.
for _operator in ((_K.OPERATOR, _R.ADMIN), (_K.OPERATOR, _R.REVIEWER)):
    ROLE_CAPABILITIES[_operator] = ROLE_CAPABILITIES[_operator] | {_C.TRANSPARENCY_OPERATE}

# Operator admins place and release legal holds, which keep records from the retention purge
# (sharing/retention/). Disallowed: every member organisation, reviewers, disclosure officers, auditors.
ROLE_CAPABILITIES[(_K.OPERATOR, _R.ADMIN)] = ROLE_CAPABILITIES[(_K.OPERATOR, _R.ADMIN)] | {
    _C.LEGAL_HOLD_MANAGE
}

# Every organisation's administrators invite, deactivate and reactivate its members.
for _kind_role in list(ROLE_CAPABILITIES):
    if _kind_role[1] == _R.ADMIN:
        ROLE_CAPABILITIES[_kind_role] = ROLE_CAPABILITIES[_kind_role] | {_C.MEMBER_MANAGE}

VALID_ROLES: dict[OrganisationKind, tuple[Role, ...]] = {}
for _kind, _role in ROLE_CAPABILITIES:
    VALID_ROLES.setdefault(_kind, ())
    VALID_ROLES[_kind] += (_role,)


def capabilities_for(kind: str, role: str) -> frozenset[Capability]:
    return ROLE_CAPABILITIES.get((OrganisationKind(kind), Role(role)), frozenset())


def scopes_for(kind: str, role: str) -> frozenset[Scope]:
    """The scopes a role's capabilities need: the most a key of this member may carry.

    A capability reachable through several scopes (a tuple) adds none of its own; one of
    them is always among the role's other scopes."""
    needed = (CAPABILITY_SCOPE[capability] for capability in capabilities_for(kind, role))
    return frozenset(scope for scope in needed if isinstance(scope, Scope))


def role_allowed(kind: str, role: str, capability: Capability) -> bool:
    return capability in capabilities_for(kind, role)


# A second factor (TOTP, accounts/two_factor/) guards every role that can reach restricted data or
# change other people's access: holding any of these capabilities implies it, and so does every
# organisation's admin (who manages its members). Court clerks download disclosure packages,
# disclosure officers approve them, operators review and admit, auditors read the whole log.
SECOND_FACTOR_CAPABILITIES: frozenset[Capability] = frozenset(
    {
        _C.DISCLOSURE_DOWNLOAD,
        _C.DISCLOSURE_APPROVE,
        _C.ENCRYPTION_KEY_SET,
        _C.AUDIT_READ,
        _C.ORGANISATION_ADMIN,
        _C.REPORT_REVIEW,
        _C.DISPUTE_DECIDE,
        _C.REPUTATION_OVERRIDE,
    }
)


def second_factor_required(kind: str, role: str) -> bool:
    """Whether a member of this kind and role must sign in with a second factor."""
    if Role(role) == Role.ADMIN:
        return True
    return bool(capabilities_for(kind, role) & SECOND_FACTOR_CAPABILITIES)
