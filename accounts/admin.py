"""Read-only admin views: state changes go through the services, never the admin's save()."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from accounts.audit.models import AuditEvent
from accounts.models import ApiKey, Member, Organisation


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Django's own user admin would let a superuser set anyone's password, a credential that
# acts as someone else; the user list stays, read-only, and its password form is closed.
admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class ReadOnlyUserAdmin(ReadOnlyAdmin, UserAdmin):
    pass


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "country", "verification", "suspended"]
    list_filter = ["kind", "verification", "suspended"]


@admin.register(Member)
class MemberAdmin(ReadOnlyAdmin):
    list_display = ["user", "organisation", "role", "active"]
    list_filter = ["role", "organisation__kind"]


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyAdmin):
    list_display = ["prefix", "name", "member", "expires_at", "revoked_at", "last_used_at"]
    exclude = ["key_hash"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["id", "occurred_at", "action", "organisation", "role", "data_class", "outcome"]
    list_filter = ["data_class", "outcome", "action"]
