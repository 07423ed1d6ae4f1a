"""The records of processing API's output serializers (the document of selectors.records_of_processing)."""

from __future__ import annotations

from rest_framework import serializers


class CodeLabelOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class PurposeOutput(CodeLabelOutput):
    organisation_kinds = serializers.ListField(child=serializers.CharField())


class RecordOutput(serializers.Serializer):
    model = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())


class RecipientOutput(serializers.Serializer):
    organisation_kind = serializers.CharField()
    role = serializers.CharField()
    capabilities = serializers.ListField(child=serializers.CharField())


class RetentionOutput(serializers.Serializer):
    setting = serializers.CharField()
    value = serializers.IntegerField()
    applies_to = serializers.CharField()


class ActivityOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    records = RecordOutput(many=True)
    data_classes = serializers.ListField(child=serializers.CharField())
    legal_bases = serializers.ListField(child=serializers.CharField())
    purposes = serializers.ListField(child=serializers.CharField())
    recipients = RecipientOutput(many=True)
    retention = RetentionOutput(many=True)


class RecordsOfProcessingOutput(serializers.Serializer):
    generated_at = serializers.DateTimeField()
    controller = serializers.CharField()
    activities = ActivityOutput(many=True)
    data_classes = CodeLabelOutput(many=True)
    legal_bases = CodeLabelOutput(many=True)
    purposes = PurposeOutput(many=True)
    retention_exceptions = serializers.ListField(child=serializers.CharField())
