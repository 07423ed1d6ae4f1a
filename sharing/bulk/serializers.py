"""Input and output serializers of the bulk API."""

from __future__ import annotations

from rest_framework import serializers

from accounts.purpose_field import PurposeField


class BulkSubmitInput(serializers.Serializer):
    file = serializers.FileField(
        help_text="CSV with a ref column and identifier-type columns, or JSONL lines "
        '{"ref", "identifiers": [{type, value} | {type, token, key_version}]}'
    )
    purpose = PurposeField()


class BulkJobCreated(serializers.Serializer):
    # The answer to an upload: the job's id (no docstring: it would become the schema's description).
    id = serializers.UUIDField()


class BulkJobOutput(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.CharField()
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    rate = serializers.FloatField(help_text="Rows checked per second")
    eta_seconds = serializers.IntegerField(allow_null=True)
    purpose = serializers.CharField(help_text="The purpose stated when the job was submitted")
