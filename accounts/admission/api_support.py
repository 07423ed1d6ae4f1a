"""What the API and the pages both answer: a document as a download."""

from __future__ import annotations

from django.http import HttpResponse

from accounts.admission.models import ApplicationDocument


def document_response(document: ApplicationDocument, content: bytes) -> HttpResponse:
    """Always an attachment of opaque bytes: an applicant's file never renders in the reviewer's browser."""
    response = HttpResponse(content, content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="document-{document.public_id}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
