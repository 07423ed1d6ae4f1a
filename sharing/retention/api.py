"""The records of processing for operators and auditors (audit:read)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from accounts.api.base import HubApiView
from accounts.roles import Capability
from sharing.retention.selectors import records_of_processing_read
from sharing.retention.serializers import RecordsOfProcessingOutput


class RecordsOfProcessingApi(HubApiView):
    required_capability = Capability.AUDIT_READ
    audit_object_type = "records_of_processing"

    @extend_schema(
        responses={200: RecordsOfProcessingOutput},
        summary="Records of processing: what is processed, for which purposes, kept how long, for whom",
    )
    def get(self, request):
        return Response(RecordsOfProcessingOutput(records_of_processing_read(actor=self.actor)).data)
