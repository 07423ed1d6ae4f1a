"""Input validation of the audit review, shared by the API and the review pages (which must not
import the API)."""

from rest_framework import serializers


class AlertHandleInput(serializers.Serializer):
    reason = serializers.CharField(min_length=3, max_length=2000)
