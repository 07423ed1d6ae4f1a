"""Validation of court orders and officers' reasons, shared by the API and the court's web pages
(which must not import the API)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext
from rest_framework import serializers

from hub.serializer_fields import ListField
from sharing.crypto.tokens import TOKEN_HEX_LENGTH
from sharing.disclosure.services import authority, disclosure
from sharing.models import DisclosureRequest, RestrictedField
from sharing.reports.inputs import EvidenceInput
from sharing.reports.services.reports import EvidenceFile
from sharing.subjects.inputs import IdentifierInput, raw_identifiers


class ScopeInput(serializers.Serializer):
    reports = ListField(child=serializers.UUIDField(), required=False, default=list, max_length=1000)
    subjects = ListField(child=serializers.UUIDField(), required=False, default=list, max_length=1000)
    tokens = ListField(
        child=serializers.RegexField(rf"^[0-9a-f]{{{TOKEN_HEX_LENGTH}}}$"),
        required=False,
        default=list,
        max_length=1000,
    )
    identifiers = ListField(
        child=IdentifierInput(),
        required=False,
        default=list,
        max_length=1000,
        help_text="raw or token identifiers; only their tokens are kept",
    )
    fields = ListField(child=serializers.ChoiceField(choices=RestrictedField.choices), min_length=1)  # type: ignore[assignment]  # a declared field, not the base attribute

    def validate(self, data: dict) -> dict:
        if not (data["reports"] or data["subjects"] or data["tokens"] or data.get("identifiers")):
            raise serializers.ValidationError(
                {"reports": [gettext("Name at least one report, subject, token or identifier.")]}
            )
        return data

    def to_scope(self, *, default_country: str) -> disclosure.DisclosureScope:
        data = self.validated_data
        named = (
            disclosure.scope_identifiers_tokenise(
                raw_identifiers(data["identifiers"]), default_country=default_country
            )
            if data.get("identifiers")
            else []
        )
        tokens = list(data["tokens"]) + [item.token for item in named]
        return disclosure.DisclosureScope(
            reports=[str(r) for r in data["reports"]],
            subjects=[str(s) for s in data["subjects"]],
            tokens=sorted(set(tokens)),
            fields=sorted(set(data["fields"])),
            named=tuple(named),
        )


class DisclosureSubmitInput(serializers.Serializer):
    case_number = serializers.CharField(max_length=100)
    issuing_court = serializers.CharField(max_length=200)
    legal_basis = serializers.CharField(max_length=500)
    scope = ScopeInput()
    deadline = serializers.DateTimeField()
    order_document = EvidenceInput()


class NarrowScopeInput(serializers.Serializer):
    """The parts of the scope to keep; a part left out stays as it is."""

    reports = ListField(child=serializers.UUIDField(), required=False, max_length=1000)
    subjects = ListField(child=serializers.UUIDField(), required=False, max_length=1000)
    tokens = ListField(
        child=serializers.RegexField(rf"^[0-9a-f]{{{TOKEN_HEX_LENGTH}}}$"), required=False, max_length=1000
    )
    fields = ListField(  # type: ignore[assignment]  # a declared field, not the base attribute
        child=serializers.ChoiceField(choices=RestrictedField.choices), required=False, min_length=1
    )

    def narrowed(self, current: disclosure.DisclosureScope) -> disclosure.DisclosureScope:
        data = self.validated_data
        return disclosure.DisclosureScope(
            reports=[str(r) for r in data["reports"]] if "reports" in data else current.reports,
            subjects=[str(x) for x in data["subjects"]] if "subjects" in data else current.subjects,
            tokens=list(data.get("tokens", current.tokens)),
            fields=sorted(set(data.get("fields", current.fields))),
        )


class NarrowInput(serializers.Serializer):
    reason = serializers.CharField(min_length=3, max_length=2000)
    scope = NarrowScopeInput()


class AuthorityApprovalInput(serializers.Serializer):
    """The competent authority's approval of a foreign court's order (PIPL Art. 41), with its document."""

    authority = serializers.CharField(max_length=200, help_text="The approving authority's name")
    reference = serializers.CharField(max_length=100, help_text="The approval's reference number")
    decided_on = serializers.DateField(help_text="The date of the authority's decision")
    document = EvidenceInput()

    def validate_decided_on(self, value: date) -> date:
        if value > timezone.localdate():
            raise serializers.ValidationError(gettext("The decision cannot be dated in the future."))
        return value


def authority_approval_validated(body: dict, *, request: DisclosureRequest, actor) -> DisclosureRequest:
    """Validate the authority's approval as the API receives it and record it (the officer's page too).

    Raises serializers.ValidationError (per field) or a DomainError."""
    payload = AuthorityApprovalInput(data=body)
    payload.is_valid(raise_exception=True)
    data, document = payload.validated_data, payload.validated_data["document"]
    return authority.disclosure_authority_approval_record(
        request=request,
        approval=authority.AuthorityApproval(
            authority=data["authority"],
            reference=data["reference"],
            decided_on=data["decided_on"],
            document=EvidenceFile(document["name"], document["content_type"], document["content_base64"]),
        ),
        actor=actor,
    )


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(min_length=3, max_length=2000)


def disclosure_submit_validated(body: dict, *, actor) -> DisclosureRequest:
    """Validate an order as the API receives it, then file it: the court's web page comes here too.

    Raises serializers.ValidationError (per field) or a DomainError.
    """
    payload = DisclosureSubmitInput(data=body)
    payload.is_valid(raise_exception=True)
    data, document = payload.validated_data, payload.validated_data["order_document"]
    scope = ScopeInput(data=body["scope"])
    scope.is_valid(raise_exception=True)
    return disclosure.disclosure_request_submit(
        case_number=data["case_number"],
        issuing_court=data["issuing_court"],
        legal_basis=data["legal_basis"],
        scope=scope.to_scope(default_country=actor.organisation.country),
        deadline=data["deadline"],
        order_document=EvidenceFile(document["name"], document["content_type"], document["content_base64"]),
        actor=actor,
    )
