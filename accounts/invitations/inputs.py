"""Input serializers shared by the invitations API and the pages."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.utils.translation import gettext
from rest_framework import serializers

from accounts.roles import Role, Scope
from hub.serializer_fields import ListField


class InvitationCreateInput(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=Role.choices)
    organisation = serializers.UUIDField(
        required=False, help_text="Operators only: the organisation whose first admin is invited"
    )


class MemberStandingReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class AcceptInput(serializers.Serializer):
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    password_again = serializers.CharField(max_length=128, trim_whitespace=False)

    def validate(self, attrs):
        if attrs["password"] != attrs["password_again"]:
            raise serializers.ValidationError({"password_again": [gettext("The two passwords differ.")]})
        return attrs


class WebApiKeyInput(serializers.Serializer):
    """The key page's form: a name, scopes within the role (the service checks), an expiry date."""

    name = serializers.CharField(max_length=100)
    scopes = ListField(
        child=serializers.ChoiceField(choices=Scope.choices), min_length=1, max_length=len(Scope.values)
    )
    expires_on = serializers.DateField(required=False)

    def validate_expires_on(self, value: date) -> date:
        today = date.today()
        if value <= today:
            raise serializers.ValidationError(gettext("Choose a date after today."))
        if value > today + timedelta(days=settings.HUB_API_KEY_DEFAULT_DAYS):
            raise serializers.ValidationError(
                gettext("Choose a date at most %(days)s days ahead.")
                % {"days": settings.HUB_API_KEY_DEFAULT_DAYS}
            )
        return value
