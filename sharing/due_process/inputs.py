"""Due process inputs the API and the pages both validate with: a dispute's answer, an appeal."""

from __future__ import annotations

from rest_framework import serializers

from hub.serializer_fields import ListField
from sharing.reports.inputs import EvidenceInput


class DisputeAnswerInput(serializers.Serializer):
    note = serializers.CharField(max_length=10000)
    evidence = ListField(child=EvidenceInput(), min_length=1, max_length=10)


class AppealInput(serializers.Serializer):
    grounds = serializers.CharField(min_length=3, max_length=10000)
