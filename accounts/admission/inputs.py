"""Validation of applications and decisions, shared by the API and the pages."""

from __future__ import annotations

import base64
import binascii

from django.conf import settings
from django.utils.translation import gettext, gettext_lazy, ngettext
from rest_framework import serializers

from accounts.admission.models import APPLYING_KIND_CHOICES, ApplicationState
from accounts.admission.registration import RegistrationNumberError, registration_number_clean
from accounts.admission.services import Applicant, DocumentUpload
from accounts.roles import OrganisationKind

KIND_MESSAGE = gettext_lazy(
    "Apply as a platform, a logistics firm, a rights owner or a payment provider; courts, auditors and "
    "administrative authorities (market regulation, customs) are admitted by the operator directly."
)


class ApplicationInput(serializers.Serializer):
    legal_name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(
        choices=APPLYING_KIND_CHOICES, error_messages={"invalid_choice": KIND_MESSAGE}
    )
    country = serializers.RegexField(
        r"^[A-Za-z]{2}$", error_messages={"invalid": gettext_lazy("Give a two-letter ISO 3166 country code.")}
    )
    registration_number = serializers.CharField(max_length=64)
    contact_name = serializers.CharField(max_length=200)
    contact_email = serializers.EmailField(max_length=254)
    terms_version = serializers.CharField(
        max_length=40, help_text="The version of the membership terms accepted (GET the form to read them)"
    )
    accept_terms = serializers.BooleanField(help_text="true: the organisation accepts the membership terms")

    def validate_accept_terms(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError(gettext("Accept the membership terms to apply."))
        return value

    def validate_terms_version(self, value: str) -> str:
        if value != settings.HUB_MEMBERSHIP_TERMS_VERSION:
            raise serializers.ValidationError(
                gettext("The current membership terms are version %(version)s.")
                % {"version": settings.HUB_MEMBERSHIP_TERMS_VERSION}
            )
        return value

    def validate(self, attrs: dict) -> dict:
        try:
            attrs["registration_number"] = registration_number_clean(
                country=attrs["country"], number=attrs["registration_number"]
            )
        except RegistrationNumberError as exc:
            raise serializers.ValidationError({"registration_number": [str(exc)]}) from None
        attrs["country"] = attrs["country"].upper()
        return attrs


def applicant_from(data: dict) -> Applicant:
    return Applicant(
        legal_name=data["legal_name"],
        kind=OrganisationKind(data["kind"]),
        country=data["country"],
        registration_number=data["registration_number"],
        contact_name=data["contact_name"],
        contact_email=data["contact_email"],
        terms_version=data["terms_version"],
    )


def _check_size(size: int) -> None:
    if size > settings.HUB_MAX_EVIDENCE_BYTES:
        raise serializers.ValidationError(
            gettext("A document may be at most %(size)s bytes.") % {"size": settings.HUB_MAX_EVIDENCE_BYTES}
        )
    if size == 0:
        raise serializers.ValidationError(gettext("The document is empty."))


class DocumentInput(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    content_type = serializers.CharField(max_length=100, default="application/octet-stream")
    content_base64 = serializers.CharField()

    def validate_content_base64(self, value: str) -> bytes:
        try:
            content = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise serializers.ValidationError(gettext("Not valid base64.")) from None
        _check_size(len(content))
        return content


def documents_field() -> serializers.ListSerializer:
    return serializers.ListSerializer(
        child=DocumentInput(), min_length=1, max_length=settings.HUB_APPLICATION_MAX_DOCUMENTS
    )


def documents_from_json(items: list[dict]) -> list[DocumentUpload]:
    return [DocumentUpload(i["name"], i["content_type"], i["content_base64"]) for i in items]


def documents_from_files(files: list) -> list[DocumentUpload]:
    """Uploaded files (a page's form) as documents; sizes checked like the API's."""
    if not files:
        raise serializers.ValidationError(
            {"documents": [gettext("Attach at least one verification document.")]}
        )
    if len(files) > settings.HUB_APPLICATION_MAX_DOCUMENTS:
        raise serializers.ValidationError(
            {
                "documents": [
                    ngettext(
                        "At most %(count)d document at a time.",
                        "At most %(count)d documents at a time.",
                        settings.HUB_APPLICATION_MAX_DOCUMENTS,
                    )
                    % {"count": settings.HUB_APPLICATION_MAX_DOCUMENTS}
                ]
            }
        )
    documents = []
    for upload in files:
        try:
            _check_size(upload.size)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({"documents": exc.detail}) from None
        documents.append(
            DocumentUpload(upload.name, upload.content_type or "application/octet-stream", upload.read())
        )
    return documents


class DecisionInput(serializers.Serializer):
    reason = serializers.CharField(
        min_length=3, max_length=2000, help_text="Why; recorded, and told to the applicant"
    )


class QueueFilterInput(serializers.Serializer):
    state = serializers.ChoiceField(choices=ApplicationState.choices, required=False, allow_blank=True)


class DocumentsAddInput(serializers.Serializer):
    secret = serializers.CharField(
        max_length=100, help_text="The one-time secret from the application's answer"
    )
