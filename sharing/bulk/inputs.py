"""Bulk inputs shared by the API and the web pages (which must not import the API)."""

from __future__ import annotations

from rest_framework import serializers

RESULT_FORMATS = {"jsonl": "application/x-ndjson", "csv": "text/csv; charset=utf-8"}


class BulkCancelInput(serializers.Serializer):
    # Optional, so an empty one (what the page's form posts when left empty) is no reason, not an error.
    reason = serializers.CharField(
        max_length=500, required=False, allow_blank=True, help_text="Why, for your audit trail; optional"
    )


class BulkHitsFilterInput(serializers.Serializer):
    """The job page's filter on its hits: by level and by recommended action; empty means any."""

    level = serializers.ChoiceField(
        choices=["reported", "listed", "confirmed"], required=False, allow_blank=True
    )
    action = serializers.ChoiceField(choices=["review", "block"], required=False, allow_blank=True)
