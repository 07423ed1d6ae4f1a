"""What each member can do on the web, in words: the home page and the header's navigation.

One registry: a page that a role can reach adds one `PortalLink` here, naming the capability that
opens it; the home page lists a member's links with their sentence, the header their short label.
Labels are lazy translations, so each renders in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.roles import Capability, capabilities_for


@dataclass(frozen=True)
class PortalLink:
    url_name: str
    label: str | Promise
    # One sentence saying what the member does there, shown on the home page.
    description: str | Promise
    # The capability that opens the page; None: every signed-in member.
    capability: Capability | None
    # Shown in the header's navigation as well as on the home page.
    in_nav: bool = True
    # A page about the organisation's own reporting (what became of its reports, its standing):
    # linked only when the member may file reports or its organisation has filed one. The
    # capability alone (report:read) is also held by screening analysts and viewers, who read
    # their organisation's reports but may belong to one that never reports.
    for_reporters: bool = False

    @property
    def url(self) -> str:
        return reverse(self.url_name)


PORTAL_LINKS: tuple[PortalLink, ...] = (
    PortalLink(
        "bulk-list",
        _("Bulk screening"),
        _("Screen a file of sellers or senders at once and download the hits."),
        Capability.BULK_RUN,
    ),
    PortalLink(
        "disclosure-list",
        _("Court disclosures"),
        _("Follow court orders for disclosure of restricted data, their deadlines and approvals."),
        Capability.DISCLOSURE_READ,
    ),
    PortalLink(
        "audit-log",
        _("Audit log"),
        _("Review every access to the hub, verify the log and handle alerts."),
        Capability.AUDIT_READ,
    ),
    PortalLink(
        "members-page",
        _("Members"),
        _("Invite colleagues, choose their roles and deactivate people who leave."),
        Capability.MEMBER_MANAGE,
    ),
    PortalLink(
        "api-keys-page",
        _("API keys"),
        _("Create and revoke the keys your systems use to call the hub."),
        Capability.APIKEY_MANAGE,
    ),
    PortalLink(
        "notifications-page",
        _("Notifications"),
        _("Read what the hub told your organisation: disputes against its reports, decisions and warnings."),
        # Every member reads their organisation's notifications (organisation:read is every member's).
        None,
    ),
    PortalLink(
        "docs",
        _("API documentation"),
        _("Read how to call the hub from your own systems."),
        None,
        in_nav=False,
    ),
    PortalLink(
        "disclosure-new",
        _("File a court order"),
        _("File an order for disclosure, by report or by the seller's identifiers, with its document."),
        Capability.DISCLOSURE_REQUEST,
    ),
    PortalLink(
        "disclosure-awaiting",
        _("Awaiting my approval"),
        _("Read the orders waiting for your decision, open their documents, approve, narrow or reject."),
        Capability.DISCLOSURE_APPROVE,
    ),
    PortalLink(
        "report-new",
        _("File a report"),
        _("Report an infringing seller with its identifiers, the right it infringes and your evidence."),
        Capability.REPORT_SUBMIT,
    ),
    PortalLink(
        "report-list",
        _("My reports"),
        _("Follow your reports' review and expiry; renew, retract or appeal them."),
        Capability.REPORT_READ,
    ),
    PortalLink(
        "outcomes-page",
        _("What became of my reports"),
        _(
            "See what became of the sellers you reported: their listing now, new accounts, checks and disputes."
        ),
        Capability.REPORT_READ,
        for_reporters=True,
    ),
    PortalLink(
        "statistics-page",
        _("Enforcement statistics"),
        _("Follow your reports, acceptance times, hits and reappearances month by month, and download them."),
        Capability.REPORT_READ,
        in_nav=False,
        for_reporters=True,
    ),
    PortalLink(
        "sales-totals-page",
        _("Sales totals"),
        _("Ask the members that matched a seller you reported for its sales, summed under your own key."),
        Capability.SALES_TOTALS_REQUEST,
        in_nav=False,
    ),
    PortalLink(
        "sales-totals-tasks-page",
        _("Sales totals to give"),
        _("Give a seller's sales, encrypted under the requester's key, or decline with a reason."),
        Capability.SALES_TOTALS_CONTRIBUTE,
        in_nav=False,
    ),
    PortalLink(
        "owner-dispute-list",
        _("Disputes to answer"),
        _("Answer platforms that contest your reports, within the working days the law gives."),
        Capability.DISPUTE_RESPOND,
    ),
    PortalLink(
        "standing",
        _("Standing"),
        _("See your record as a reporter and whether you are a trusted flagger."),
        Capability.REPORT_READ,
        for_reporters=True,
    ),
    PortalLink(
        "transparency-indicators",
        _("Per-member indicators"),
        _(
            "See how each member follows up its hits: time to act, share acted on, false positives; "
            "and this quarter's draft transparency report."
        ),
        Capability.TRANSPARENCY_OPERATE,
        in_nav=False,
    ),
    PortalLink(
        "reviewer-reports",
        _("Reports to review"),
        _("Read pending reports with their statement and evidence, and accept or reject them."),
        Capability.REPORT_REVIEW,
    ),
    PortalLink(
        "reviewer-disputes",
        _("Disputes to decide"),
        _("Weigh both sides of a dispute against their clock in working days, and decide it."),
        Capability.DISPUTE_DECIDE,
    ),
    PortalLink(
        "reviewer-canaries",
        _("Canary identifiers"),
        _("Plant identifiers that raise an alert when someone checks them, and see those planted."),
        Capability.CANARY_PLANT,
    ),
    PortalLink(
        "check-page",
        _("Check a seller"),
        _("Check whether a seller or sender is listed, why, and what your policy recommends."),
        Capability.CHECK_RUN,
    ),
    PortalLink(
        "watchlist-page",
        _("Watchlist"),
        _("Watch your own sellers and hear when one of them is reported."),
        Capability.WATCHLIST_MANAGE,
    ),
    PortalLink(
        "disputes-filed",
        _("Disputes filed"),
        _("Contest a listing for a seller you host and follow the reporters' clock."),
        Capability.DISPUTE_FILE,
    ),
    PortalLink(
        "webhooks-page",
        _("Webhooks"),
        _("Register the endpoints that receive your watchlist's events and see their deliveries."),
        Capability.WEBHOOK_MANAGE,
    ),
    PortalLink(
        "feed-subscriptions-page",
        _("Feed subscriptions"),
        _("State the purpose your systems read each feed collection for: it is served only then."),
        Capability.FEED_READ,
        in_nav=False,
    ),
    PortalLink(
        "parcel-events-page",
        _("Parcel events"),
        _("Record the parcels you seized, refused, returned or saw held at customs, and list your own."),
        Capability.PARCEL_RECORD,
    ),
    PortalLink(
        "policy-page",
        _("Action policy"),
        _("Set how many reports make the hub recommend blocking a seller."),
        Capability.POLICY_MANAGE,
    ),
)


def links_for(member) -> list[PortalLink]:
    """The links this member may follow, in registry order; none for a user with no organisation."""
    if member is None:
        return []
    capabilities = capabilities_for(member.organisation_kind, member.role)
    held = [link for link in PORTAL_LINKS if link.capability is None or link.capability in capabilities]
    if Capability.REPORT_SUBMIT in capabilities or not any(link.for_reporters for link in held):
        return held
    reports = _organisation_reports(member)
    return [link for link in held if not link.for_reporters or reports]


def _organisation_reports(member) -> bool:
    """Whether the member's organisation has filed a report (one query, through the relation
    sharing's Report declares: accounts never imports sharing)."""
    return member.organisation.reports.exists()
