"""API of checks: a single check, oblivious token evaluation, canaries. Thin views: validate, call
one service, render."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.response import Response

from accounts.api.base import HubApiView
from accounts.roles import Capability
from sharing.checks import serializers as s
from sharing.checks.services import batch, canaries, checks, oblivious
from sharing.subjects.inputs import raw_identifiers


class CheckRunApi(HubApiView):
    required_capability = Capability.CHECK_RUN
    audit_object_type = "check"
    match_revealing_methods = frozenset({"post"})

    @extend_schema(
        request=s.CheckRunInput,
        responses={200: s.CheckOutput},
        summary="Check one seller",
        examples=[
            OpenApiExample(
                "Raw identifiers",
                request_only=True,
                value={
                    "identifiers": [
                        {"type": "phone", "value": "+86 138 0013 8000"},
                        {"type": "email", "value": "seller@example.com"},
                    ],
                    "purpose": "seller_onboarding",
                },
            )
        ],
    )
    def post(self, request):
        payload = s.check_run_input(request.data, organisation=self.actor.organisation)
        result = checks.check_run(
            identifiers=raw_identifiers(payload["identifiers"]), purpose=payload["purpose"], actor=self.actor
        )
        return Response(s.check_output(result))


class CheckBatchApi(HubApiView):
    required_capability = Capability.CHECK_RUN
    audit_object_type = "check"
    match_revealing_methods = frozenset({"post"})

    @extend_schema(
        request=s.CheckBatchInput,
        responses={200: s.CheckBatchOutput},
        summary="Check a batch of sellers",
        description=(
            "Up to HUB_CHECK_BATCH_MAX_SELLERS sellers (100 by default) and HUB_CHECK_BATCH_MAX_IDENTIFIERS "
            "identifiers in all (1,000 by default) a request, for platforms that check in bursts. Each seller "
            "is a check like POST /api/v1/checks: its own check_id and audit row, counted in the check quota "
            "per identifier as a single check is (a batch the quota cannot take is refused whole, 429, before "
            "any identifier is tokenised when what is left cannot cover the identifiers as given), and seen "
            "by the sweep and canary rules as one check each. "
            "Answers come in the sellers' order, each with your reference for it."
        ),
        examples=[
            OpenApiExample(
                "Two sellers",
                request_only=True,
                value={
                    "purpose": "seller_onboarding",
                    "sellers": [
                        {
                            "reference": "store-1841",
                            "identifiers": [{"type": "phone", "value": "+86 138 0013 8000"}],
                        },
                        {
                            "reference": "store-1842",
                            "identifiers": [{"type": "email", "value": "seller@example.com"}],
                        },
                    ],
                },
            )
        ],
    )
    def post(self, request):
        payload = s.CheckBatchInput(data=request.data, context={"organisation": self.actor.organisation})
        payload.is_valid(raise_exception=True)
        checked = batch.checks_batch_run(
            sellers=[
                batch.BatchSeller(
                    identifiers=raw_identifiers(seller["identifiers"]), reference=seller.get("reference")
                )
                for seller in payload.validated_data["sellers"]
            ],
            purpose=payload.validated_data["purpose"],
            actor=self.actor,
        )
        return Response(s.check_batch_output(checked))


class TokenEvaluateApi(HubApiView):
    required_capability = Capability.TOKEN_EVALUATE
    audit_object_type = "oprf_key"
    quota_methods = frozenset({"post"})  # evaluations have their own quota (429)

    @extend_schema(
        request=s.TokenEvaluateInput,
        examples=[
            OpenApiExample(
                "One blinded element",
                request_only=True,
                value={
                    "blinded_elements": ["0a4debeb82b4b33ef6bc44d71ffaf9656fd8cc6fda2e9ba33c5c338b6ff37c31"]
                },
            )
        ],
        responses={200: s.TokenEvaluateOutput},
        summary="Evaluate blinded elements (RFC 9497 OPRF, ristretto255-SHA512)",
    )
    def post(self, request):
        payload = s.TokenEvaluateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        result = oblivious.tokens_evaluate_blinded(blinded_elements=payload.elements(), actor=self.actor)
        return Response(
            {
                "evaluated_elements": [e.hex() for e in result.evaluated_elements],
                "key_version": result.key_version,
            }
        )


class CanaryPlantApi(HubApiView):
    required_capability = Capability.CANARY_PLANT
    audit_object_type = "canary"

    @extend_schema(
        request=s.CanaryPlantInput,
        examples=[
            OpenApiExample(
                "A canary phone number",
                request_only=True,
                value={
                    "identifiers": [{"type": "phone", "value": "+86 139 0000 0001"}],
                    "label": "range trap 139-0000",
                },
            )
        ],
        responses={201: s.CanaryPlantOutput},
        summary="Plant canary identifiers (operators)",
    )
    def post(self, request):
        payload = s.CanaryPlantInput(data=request.data)
        payload.is_valid(raise_exception=True)
        planted = canaries.canaries_plant(
            identifiers=raw_identifiers(payload.validated_data["identifiers"]),
            label=payload.validated_data["label"],
            actor=self.actor,
        )
        return Response({"planted": len(planted)}, status=status.HTTP_201_CREATED)
