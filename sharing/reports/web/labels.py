"""The report's choices in the reader's language (the models' choices carry no translated labels)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sharing.models import Category, IpType, ReportStatus, VerificationLevel

STATE_LABELS: dict[str, str | Promise] = {
    ReportStatus.PENDING: _("Pending review"),
    ReportStatus.ACCEPTED: _("Accepted"),
    ReportStatus.REJECTED: _("Rejected"),
    ReportStatus.RETRACTED: _("Retracted"),
    ReportStatus.EXPIRED: _("Expired"),
    ReportStatus.SUSPENDED: _("Suspended"),
    ReportStatus.OVERTURNED: _("Overturned"),
}

STATE_BADGES: dict[str, str] = {
    ReportStatus.ACCEPTED: "badge-ok",
    ReportStatus.PENDING: "badge-warn",
    ReportStatus.REJECTED: "badge-danger",
    ReportStatus.SUSPENDED: "badge-danger",
    ReportStatus.OVERTURNED: "badge-danger",
}

IP_TYPE_LABELS: dict[str, str | Promise] = {
    IpType.TRADEMARK: _("Trademark"),
    IpType.COPYRIGHT: _("Copyright"),
    IpType.PATENT: _("Patent"),
    IpType.OTHER: _("Other"),
}

CATEGORY_LABELS: dict[str, str | Promise] = {
    Category.COUNTERFEIT: _("Counterfeit goods"),
    Category.PIRACY: _("Piracy"),
    Category.DESIGN_COPY: _("Copied design"),
    Category.GREY_MARKET: _("Grey-market goods"),
    Category.OTHER: _("Other"),
}

LEVEL_LABELS: dict[str, str | Promise] = {
    VerificationLevel.SELF_DECLARED: _("Self-declared"),
    VerificationLevel.RIGHTS_OWNER_VERIFIED: _("Verified by the rights owner (test purchase)"),
    VerificationLevel.PLATFORM_ENFORCEMENT: _("Platform enforcement"),
    VerificationLevel.ADMINISTRATIVE_DECISION: _("Administrative decision"),
    VerificationLevel.COURT_JUDGMENT: _("Court judgment"),
}
