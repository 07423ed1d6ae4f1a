"""Read-only admin listings: the restricted tier is never shown, not even as ciphertext."""

from django.contrib import admin

from accounts.admin import ReadOnlyAdmin
from sharing.models import LegalHold, Report, Subject


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "status", "ip_type", "category", "verification_level", "submitted_at"]
    list_filter = ["status", "verification_level", "category"]


@admin.register(Subject)
class SubjectAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "created_at"]


# Placed and released with `manage.py legal_hold` (audited); listed here to see what is held.
@admin.register(LegalHold)
class LegalHoldAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "report_ref", "subject_ref", "placed_at", "released_at"]
    list_filter = ["released_at"]
