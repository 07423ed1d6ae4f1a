from sharing.models.enumeration import Canary, SweepProbe, SweepWindow
from sharing.models.identifiers import IdentifierToken, Subject
from sharing.models.reports import Category, IpType, Report, ReportIdentifier, ReportStatus, VerificationLevel
from sharing.models.restricted import RestrictedRecord

__all__ = [
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
]
