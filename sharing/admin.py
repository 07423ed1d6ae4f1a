"""Read-only admin listings: the restricted tier is never shown, not even as ciphertext."""

from django.contrib import admin

from accounts.admin import ReadOnlyAdmin
from sharing.models import Report, Subject


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "status", "ip_type", "category", "verification_level", "submitted_at"]
    list_filter = ["status", "verification_level", "category"]


@admin.register(Subject)
class SubjectAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "created_at"]
