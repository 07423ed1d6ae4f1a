"""Filters of the audit log listing."""

import django_filters

from accounts.audit.models import Alert, AlertStatus, AuditEvent, DataClass, Outcome


class AuditEventFilter(django_filters.FilterSet):
    organisation = django_filters.UUIDFilter(field_name="organisation__public_id")
    data_class = django_filters.ChoiceFilter(choices=DataClass.choices)
    outcome = django_filters.ChoiceFilter(choices=Outcome.choices)
    action = django_filters.CharFilter(field_name="action")
    role = django_filters.CharFilter(field_name="role")
    since = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = AuditEvent
        fields = ["organisation", "data_class", "outcome", "action", "role", "since", "until"]


class AlertFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=AlertStatus.choices)
    kind = django_filters.CharFilter(field_name="kind")
    organisation = django_filters.UUIDFilter(field_name="organisation__public_id")

    class Meta:
        model = Alert
        fields = ["status", "kind", "organisation"]
