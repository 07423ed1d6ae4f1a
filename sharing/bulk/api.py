"""API of bulk screening: thin views over sharing/bulk/services/bulk.py."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from accounts.api.base import HubApiView
from accounts.roles import Capability
from hub.parsers import BoundedJSONParser, NulFreeMultiPartParser
from sharing.bulk.inputs import RESULT_FORMATS, BulkCancelInput
from sharing.bulk.serializers import BulkJobCreated, BulkJobOutput, BulkSubmitInput
from sharing.bulk.services import bulk


class BulkChecksApi(HubApiView):
    required_capability = Capability.BULK_RUN
    audit_object_type = "bulkjob"
    match_revealing_methods = frozenset({"post"})
    # JSON is accepted only to answer a request without a file with a clear 400, not a 415.
    parser_classes = [NulFreeMultiPartParser, BoundedJSONParser]
    upload_limit_setting = "HUB_BULK_MAX_UPLOAD_BYTES"  # hub/uploads.py refuses a larger body with 413

    @extend_schema(
        request={"multipart/form-data": BulkSubmitInput},
        examples=[
            OpenApiExample(
                "A CSV of sellers",
                request_only=True,
                media_type="multipart/form-data",
                value={
                    "file": "ref,phone,email\nseller-1,+86 138 0013 8000,seller@example.com\n",
                    "purpose": "seller_onboarding",
                },
            )
        ],
        responses={202: BulkJobCreated},
        summary="Check many sellers from a CSV or JSONL file",
    )
    def post(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError(
                {"file": [gettext("Upload a CSV or JSONL file in the multipart field 'file'.")]}
            )
        try:
            job = bulk.bulk_submit(
                upload=upload,
                purpose=request.data.get("purpose", ""),
                actor=self.actor,
                language=request.LANGUAGE_CODE,
            )
        finally:
            upload.close()  # frees the spool (and its key) now, not when the response is closed
        return Response({"id": str(job.public_id)}, status=status.HTTP_202_ACCEPTED)


class BulkCheckDetailApi(HubApiView):
    required_capability = Capability.BULK_RUN
    audit_object_type = "bulkjob"

    @extend_schema(responses={200: BulkJobOutput}, summary="A bulk job's progress")
    def get(self, request, job_id):
        job = bulk.bulk_job_get(actor=self.actor, public_id=job_id)
        return Response(BulkJobOutput(bulk.bulk_status(job=job, actor=self.actor)).data)


class BulkCheckCancelApi(HubApiView):
    required_capability = Capability.BULK_RUN
    audit_object_type = "bulkjob"

    @extend_schema(
        request=BulkCancelInput,
        examples=[
            OpenApiExample("A wrong upload", request_only=True, value={"reason": "Uploaded the wrong file."})
        ],
        responses={200: BulkJobOutput},
        summary="Cancel a queued or running bulk job",
    )
    def post(self, request, job_id):
        payload = BulkCancelInput(data=request.data)
        payload.is_valid(raise_exception=True)
        job = bulk.bulk_job_get(actor=self.actor, public_id=job_id)
        job = bulk.bulk_cancel(job=job, actor=self.actor, reason=payload.validated_data.get("reason", ""))
        return Response(BulkJobOutput(bulk.bulk_status(job=job, actor=self.actor)).data)


class _FormatIsOurs(DefaultContentNegotiation):
    """`?format=csv` names the results' format here, not a DRF renderer; errors render as JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        """Always the view's one (JSON) renderer, whatever `format` says."""
        return renderers[0], renderers[0].media_type


class BulkCheckResultsApi(HubApiView):
    required_capability = Capability.BULK_RUN
    audit_object_type = "bulkjob"
    renderer_classes = [JSONRenderer]
    content_negotiation_class = _FormatIsOurs

    @extend_schema(
        responses={(200, "application/x-ndjson"): str, (200, "text/csv"): str},
        parameters=[OpenApiParameter("format", enum=list(RESULT_FORMATS), default="jsonl")],
        summary="A finished bulk job's results, one row per input row",
    )
    def get(self, request, job_id):
        wanted = request.query_params.get("format", "jsonl")
        if wanted not in RESULT_FORMATS:
            raise ValidationError(
                {"format": [gettext("Choose one of: %(choices)s.") % {"choices": ", ".join(RESULT_FORMATS)}]}
            )
        job = bulk.bulk_job_get(actor=self.actor, public_id=job_id)
        lines = bulk.bulk_results_open(job=job, actor=self.actor, file_format=wanted)
        response = StreamingHttpResponse(lines, content_type=RESULT_FORMATS[wanted])
        response["Content-Disposition"] = f'attachment; filename="bulk-{job.public_id}.{wanted}"'
        return response
