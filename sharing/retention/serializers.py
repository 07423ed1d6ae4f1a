"""The records of processing API's output serializers (the document of selectors.records_of_processing)."""

from __future__ import annotations

from rest_framework import serializers

from hub.serializer_fields import ListField


class CodeLabelOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class PurposeOutput(CodeLabelOutput):
    organisation_kinds = ListField(child=serializers.CharField())


class RecordOutput(serializers.Serializer):
    model = serializers.CharField()
    columns = ListField(child=serializers.CharField())


class RecipientOutput(serializers.Serializer):
    organisation_kind = serializers.CharField()
    role = serializers.CharField()
    capabilities = ListField(child=serializers.CharField())


class RetentionOutput(serializers.Serializer):
    setting = serializers.CharField()
    value = serializers.IntegerField()
    applies_to = serializers.CharField()


class ActivityOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    records = RecordOutput(many=True)
    data_classes = ListField(child=serializers.CharField())
    legal_bases = ListField(child=serializers.CharField())
    purposes = ListField(child=serializers.CharField())
    recipients = RecipientOutput(many=True)
    retention = RetentionOutput(many=True)


class DestinationOutput(serializers.Serializer):
    jurisdiction = serializers.CharField()
    basis = serializers.CharField()
    basis_name = serializers.CharField()


class TransfersOutput(serializers.Serializer):
    residency = serializers.CharField()
    destinations = DestinationOutput(many=True)
    recorded_as = serializers.CharField()
    record_columns = ListField(child=serializers.CharField())


class RecordsOfProcessingOutput(serializers.Serializer):
    generated_at = serializers.DateTimeField()
    controller = serializers.CharField()
    activities = ActivityOutput(many=True)
    data_classes = CodeLabelOutput(many=True)
    legal_bases = CodeLabelOutput(many=True)
    purposes = PurposeOutput(many=True)
    transfers = TransfersOutput()
    retention_exceptions = ListField(child=serializers.CharField())
