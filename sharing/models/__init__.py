from sharing.models.disclosure import (
    DisclosureApproval,
    DisclosureAuthorityApproval,
    DisclosurePackage,
    DisclosureRequest,
    DisclosureScopeChange,
    DisclosureStatus,
    RestrictedField,
)
from sharing.models.disputes import (
    AppealStatus,
    CoverageState,
    Dispute,
    DisputedReport,
    DisputeStatus,
    MemberPolicy,
    Notification,
    ReportAppeal,
    ReporterStanding,
)
from sharing.models.enumeration import Canary, SweepProbe, SweepWindow
from sharing.models.feedback import (
    FeedbackAction,
    FeedbackOutcome,
    FeedbackReason,
    HitFeedback,
    MatchSource,
    SubjectMatch,
)
from sharing.models.identifiers import IdentifierToken, Subject
from sharing.models.reports import (
    Category,
    IpType,
    Report,
    ReportIdentifier,
    ReportStatus,
    UrgencyReason,
    VerificationLevel,
)
from sharing.models.restricted import RestrictedRecord
from sharing.models.sales_totals import (
    SalesTotalsRequest,
    SalesTotalsStatus,
    SalesTotalsTask,
    SalesTotalsTaskStatus,
)
from sharing.models.subject_access import IdentifierChallenge, RectificationRequest
from sharing.models.transparency import TransparencyReport
from sharing.models.watchlists import (
    AttemptOutcome,
    OutboxStatus,
    WatchEntry,
    WebhookDeliveryAttempt,
    WebhookEndpoint,
    WebhookOutbox,
)

__all__ = [
    "UrgencyReason",
    "IdentifierChallenge",
    "RectificationRequest",
    "SalesTotalsRequest",
    "SalesTotalsStatus",
    "SalesTotalsTask",
    "SalesTotalsTaskStatus",
    "TransparencyReport",
    "FeedbackAction",
    "FeedbackOutcome",
    "FeedbackReason",
    "HitFeedback",
    "MatchSource",
    "SubjectMatch",
    "AppealStatus",
    "ReportAppeal",
    "CoverageState",
    "Dispute",
    "DisputedReport",
    "DisputeStatus",
    "MemberPolicy",
    "Notification",
    "ReporterStanding",
    "DisclosureApproval",
    "DisclosureAuthorityApproval",
    "DisclosurePackage",
    "DisclosureRequest",
    "DisclosureScopeChange",
    "DisclosureStatus",
    "RestrictedField",
    "Canary",
    "SweepProbe",
    "SweepWindow",
    "Category",
    "IdentifierToken",
    "IpType",
    "Report",
    "ReportIdentifier",
    "ReportStatus",
    "RestrictedRecord",
    "Subject",
    "VerificationLevel",
    "AttemptOutcome",
    "OutboxStatus",
    "WatchEntry",
    "WebhookDeliveryAttempt",
    "WebhookEndpoint",
    "WebhookOutbox",
]
from sharing.models.bulk import BulkChunk, BulkChunkStatus, BulkJob, BulkJobStatus, BulkResult, BulkRow  # noqa: E402

__all__ += ["BulkChunk", "BulkChunkStatus", "BulkJob", "BulkJobStatus", "BulkResult", "BulkRow"]
from sharing.models.feed import FeedClock, FeedObjectVersion, FeedSubscription  # noqa: E402

__all__ += ["FeedClock", "FeedObjectVersion", "FeedSubscription"]
from sharing.models.retention import LegalHold  # noqa: E402

__all__ += ["LegalHold"]
from sharing.models.parcels import ParcelEvent, ParcelEventKind  # noqa: E402

__all__ += ["ParcelEvent", "ParcelEventKind"]
