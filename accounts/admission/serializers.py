"""The admission API's own input and output serializers."""

from __future__ import annotations

from rest_framework import serializers

from accounts.admission.inputs import ApplicationInput, DocumentsAddInput, documents_field
from accounts.admission.models import ApplicationDocument, OrganisationApplication


class ApplicationSubmitInput(ApplicationInput):
    documents = documents_field()


class ApplicationDocumentsAddInput(DocumentsAddInput):
    documents = documents_field()


class ApplicationReceiptOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", help_text="Your reference")
    upload_secret = serializers.CharField(
        help_text="Shown once: with the reference it lets you add documents later; the hub keeps its hash only"
    )

    class Meta:
        model = OrganisationApplication
        fields = ["id", "state", "created_at", "upload_secret"]


class ApplicationStatusOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")

    class Meta:
        model = OrganisationApplication
        fields = ["id", "state"]


class DocumentOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")

    class Meta:
        model = ApplicationDocument
        fields = ["id", "name", "content_type", "size", "created_at"]


class ApplicationOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    organisation = serializers.UUIDField(source="organisation.public_id", allow_null=True, default=None)
    documents = DocumentOutput(many=True)

    class Meta:
        model = OrganisationApplication
        fields = [
            "id",
            "legal_name",
            "kind",
            "country",
            "registration_number",
            "contact_name",
            "contact_email",
            "terms_version",
            "terms_accepted_at",
            "state",
            "reason",
            "created_at",
            "decided_at",
            "organisation",
            "documents",
        ]
