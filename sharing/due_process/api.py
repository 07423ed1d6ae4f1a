"""API of due process: disputes, notifications, reputation, member policies, renewals."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.response import Response

from accounts.api.base import HubApiView
from accounts.api.lists import HubListApi
from accounts.roles import Capability
from accounts.selectors import organisation_get
from sharing.checks.services import policies
from sharing.disclosure.inputs import ReasonInput
from sharing.due_process.serializers import (
    AppealDecideInput,
    AppealInput,
    AppealOutput,
    DisputeAnswerInput,
    DisputeDecideInput,
    DisputeFileInput,
    DisputeOutput,
    DisputePauseInput,
    NotificationOutput,
    OrganisationStandingOutput,
    PolicyInput,
    ReputationOutput,
    ReputationOverrideInput,
)
from sharing.due_process.services import appeals, disputes
from sharing.reports import selectors
from sharing.reports.serializers import ReportOutput
from sharing.reports.services import reports, reputation
from sharing.reports.services.reports import EvidenceFile
from sharing.subjects.inputs import raw_identifiers


def _evidence(items: list[dict]) -> list[EvidenceFile]:
    return [EvidenceFile(e["name"], e["content_type"], e["content_base64"]) for e in items]


@extend_schema_view(
    get=extend_schema(responses={200: DisputeOutput(many=True)}, summary="Disputes you are party to")
)
class DisputesApi(HubListApi):
    """GET the disputes you are party to (operators: all); POST (platforms) contests a listing."""

    required_capability = {"GET": Capability.DISPUTE_READ, "POST": Capability.DISPUTE_FILE}
    match_revealing_methods = frozenset({"post"})  # 201 or 404 tells whether the seller is listed
    audit_object_type = "dispute"
    output_serializer = DisputeOutput

    def list_queryset(self):
        return disputes.disputes_visible_to(actor=self.actor)

    def page_audit(self, page, *, filters):
        disputes.disputes_page_audit(actor=self.actor, page=page)

    @extend_schema(
        request=DisputeFileInput,
        examples=[
            OpenApiExample(
                "A licensee",
                request_only=True,
                value={
                    "identifiers": [{"type": "phone", "value": "+86 136 0000 0001"}],
                    "grounds": "The seller is the brand's licensee; the licence is attached.",
                    "evidence": [{"name": "licence.pdf", "content_base64": "JVBERi0xLjc="}],
                },
            )
        ],
        responses={201: DisputeOutput},
        summary="Contest the listing of a seller you host",
    )
    def post(self, request):
        payload = DisputeFileInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        filed = disputes.dispute_file(
            identifiers=raw_identifiers(data["identifiers"]),
            grounds=data["grounds"],
            evidence=_evidence(data["evidence"]),
            actor=self.actor,
        )
        return Response(DisputeOutput(filed).data, status=status.HTTP_201_CREATED)


class DisputeDetailApi(HubApiView):
    required_capability = Capability.DISPUTE_READ
    audit_object_type = "dispute"

    @extend_schema(responses={200: DisputeOutput}, summary="One dispute you are party to")
    def get(self, request, dispute_id):
        return Response(DisputeOutput(disputes.dispute_read(actor=self.actor, public_id=dispute_id)).data)


class DisputeAnswerApi(HubApiView):
    required_capability = Capability.DISPUTE_RESPOND
    audit_object_type = "dispute"

    @extend_schema(
        request=DisputeAnswerInput,
        examples=[
            OpenApiExample(
                "A complaint filed",
                request_only=True,
                value={
                    "note": "Complaint filed at the IP court on 3 March.",
                    "evidence": [{"name": "complaint.pdf", "content_base64": "JVBERi0xLjc="}],
                },
            )
        ],
        responses={200: DisputeOutput},
        summary="Show the complaint or suit you filed",
    )
    def post(self, request, dispute_id):
        payload = DisputeAnswerInput(data=request.data)
        payload.is_valid(raise_exception=True)
        found = disputes.dispute_get(actor=self.actor, public_id=dispute_id)
        answered = disputes.dispute_answer(
            dispute=found,
            note=payload.validated_data["note"],
            evidence=_evidence(payload.validated_data["evidence"]),
            actor=self.actor,
        )
        return Response(DisputeOutput(answered).data)


class DisputeDecideApi(HubApiView):
    """An operator decides once every reporter answered or its window ended."""

    required_capability = Capability.DISPUTE_DECIDE
    audit_object_type = "dispute"
    decide = staticmethod(disputes.dispute_decide)

    @extend_schema(
        request=DisputeDecideInput,
        examples=[
            OpenApiExample(
                "The complaint was filed",
                request_only=True,
                value={"outcome": "upheld", "reason": "The complaint was filed in time."},
            )
        ],
        responses={200: DisputeOutput},
        summary="Decide a dispute (operators)",
    )
    def post(self, request, dispute_id):
        payload = DisputeDecideInput(data=request.data)
        payload.is_valid(raise_exception=True)
        found = disputes.dispute_get(actor=self.actor, public_id=dispute_id)
        decided = self.decide(
            dispute=found,
            upheld=payload.validated_data["outcome"] == "upheld",
            reason=payload.validated_data["reason"],
            actor=self.actor,
        )
        return Response(DisputeOutput(decided).data)


class DisputeDecideUrgentlyApi(DisputeDecideApi):
    """An operator decides before a reporter's window ends, for a stated urgent reason (its own audited action)."""

    decide = staticmethod(disputes.dispute_decide_urgently)

    @extend_schema(
        request=DisputeDecideInput,
        examples=[
            OpenApiExample(
                "A court order",
                request_only=True,
                value={"outcome": "overturned", "reason": "A court order lifts the listing."},
            )
        ],
        responses={200: DisputeOutput},
        summary="Decide a dispute before the reporters' windows end, with an urgent reason (operators)",
    )
    def post(self, request, dispute_id):
        return super().post(request, dispute_id)


class DisputePauseApi(HubApiView):
    required_capability = Capability.DISPUTE_RESPOND
    audit_object_type = "dispute"

    @extend_schema(
        request=DisputePauseInput,
        examples=[
            OpenApiExample(
                "Notarisation",
                request_only=True,
                value={"working_days": 3, "reason": "The complaint is being notarised."},
            )
        ],
        responses={200: DisputeOutput},
        summary="Pause your clock while a document is notarised or legalised (20 working days in all)",
    )
    def post(self, request, dispute_id):
        payload = DisputePauseInput(data=request.data)
        payload.is_valid(raise_exception=True)
        found = disputes.dispute_get(actor=self.actor, public_id=dispute_id)
        paused = disputes.dispute_pause(dispute=found, actor=self.actor, **payload.validated_data)
        return Response(DisputeOutput(paused).data)


@extend_schema_view(
    get=extend_schema(
        responses={200: NotificationOutput(many=True)}, summary="Your organisation's notifications"
    )
)
class NotificationsApi(HubListApi):
    required_capability = Capability.ORGANISATION_READ
    audit_object_type = "notification"
    output_serializer = NotificationOutput

    def list_queryset(self):
        return disputes.notifications_of(actor=self.actor)

    def page_audit(self, page, *, filters):
        disputes.notifications_page_audit(actor=self.actor, page=page)


class OwnReputationApi(HubApiView):
    required_capability = Capability.REPORT_READ
    audit_object_type = "reputation"

    @extend_schema(
        responses={200: ReputationOutput}, summary="Your organisation's reporting record and standing"
    )
    def get(self, request):
        return Response(ReputationOutput(reputation.reputation_read(actor=self.actor)).data)


class ReputationOverrideApi(HubApiView):
    """GET an organisation's whole standing (operators); POST overrides the trusted-flagger rule."""

    required_capability = {"GET": Capability.REPUTATION_READ_ANY, "POST": Capability.REPUTATION_OVERRIDE}
    audit_object_type = "reputation"

    @extend_schema(
        responses={200: OrganisationStandingOutput},
        summary="An organisation's record as a reporter and as a filer of counter-notices (operators)",
    )
    def get(self, request, organisation_id):
        organisation = organisation_get(actor=self.actor, public_id=organisation_id)
        return Response(
            OrganisationStandingOutput(
                reputation.reputation_read_any(organisation=organisation, actor=self.actor)
            ).data
        )

    @extend_schema(
        request=ReputationOverrideInput,
        examples=[
            OpenApiExample(
                "A trusted flagger",
                request_only=True,
                value={"override": "grant", "reason": "A long clean record with the previous hub."},
            )
        ],
        responses={200: ReputationOutput},
        summary="Grant or revoke trusted-flagger status against the rule, with a reason (operators)",
    )
    def post(self, request, organisation_id):
        payload = ReputationOverrideInput(data=request.data)
        payload.is_valid(raise_exception=True)
        organisation = organisation_get(actor=self.actor, public_id=organisation_id)
        reputation.reputation_override(organisation=organisation, actor=self.actor, **payload.validated_data)
        return Response(ReputationOutput(reputation.reputation_summary(organisation_id=organisation.pk)).data)


class ReportingSuspensionLiftApi(HubApiView):
    required_capability = Capability.REPUTATION_OVERRIDE
    audit_object_type = "reputation"

    @extend_schema(
        request=ReasonInput,
        examples=[
            OpenApiExample(
                "Record reviewed",
                request_only=True,
                value={"reason": "The record was reviewed; the reports were in good faith."},
            )
        ],
        responses={200: ReputationOutput},
        summary="End an organisation's reporting suspension early, with a reason (operators)",
    )
    def post(self, request, organisation_id):
        payload = ReasonInput(data=request.data)
        payload.is_valid(raise_exception=True)
        organisation = organisation_get(actor=self.actor, public_id=organisation_id)
        reputation.reporting_suspension_lift(
            organisation=organisation, reason=payload.validated_data["reason"], actor=self.actor
        )
        return Response(ReputationOutput(reputation.reputation_summary(organisation_id=organisation.pk)).data)


class ReportAppealApi(HubApiView):
    required_capability = Capability.REPORT_SUBMIT
    audit_object_type = "report"

    @extend_schema(
        request=AppealInput,
        examples=[
            OpenApiExample(
                "Late evidence",
                request_only=True,
                value={"grounds": "The test purchase receipt was attached late."},
            )
        ],
        responses={201: AppealOutput},
        summary="Appeal your rejected report, once; another reviewer decides",
    )
    def post(self, request, report_id):
        payload = AppealInput(data=request.data)
        payload.is_valid(raise_exception=True)
        report = selectors.report_get(actor=self.actor, public_id=report_id)
        appeal = appeals.report_appeal(
            report=report, grounds=payload.validated_data["grounds"], actor=self.actor
        )
        return Response(AppealOutput(appeal).data, status=status.HTTP_201_CREATED)


class ReportAppealDecideApi(HubApiView):
    required_capability = Capability.REPORT_REVIEW
    audit_object_type = "report"

    @extend_schema(
        request=AppealDecideInput,
        examples=[
            OpenApiExample(
                "Refused",
                request_only=True,
                value={"outcome": "refused", "reason": "Still no evidence of use."},
            )
        ],
        responses={200: AppealOutput},
        summary="Decide an appeal against a rejection you did not make (operator reviewers)",
    )
    def post(self, request, report_id):
        payload = AppealDecideInput(data=request.data)
        payload.is_valid(raise_exception=True)
        report = selectors.report_get(actor=self.actor, public_id=report_id, for_review=True)
        appeal = appeals.report_appeal_decide(
            report=report,
            granted=payload.validated_data["outcome"] == "granted",
            reason=payload.validated_data["reason"],
            actor=self.actor,
        )
        return Response(AppealOutput(appeal).data)


class PolicyApi(HubApiView):
    required_capability = {"GET": Capability.CHECK_RUN, "PUT": Capability.POLICY_MANAGE}
    audit_object_type = "policy"

    @extend_schema(responses={200: PolicyInput}, summary="Your organisation's action policy")
    def get(self, request):
        return Response(policies.policy_of(self.actor.organisation.pk))

    @extend_schema(
        request=PolicyInput,
        examples=[
            OpenApiExample(
                "Two strikes in a year",
                request_only=True,
                value={
                    "strikes": 2,
                    "window_months": 12,
                    "one_strike_verification_levels": ["court_judgment"],
                    "one_strike_categories": ["counterfeit"],
                },
            )
        ],
        responses={200: PolicyInput},
        summary="Set your organisation's action policy",
    )
    def put(self, request):
        payload = PolicyInput(data=request.data)
        payload.is_valid(raise_exception=True)
        policies.policy_set(policy=payload.validated_data, actor=self.actor)
        return Response(policies.policy_of(self.actor.organisation.pk))


class ReportRenewApi(HubApiView):
    required_capability = Capability.REPORT_SUBMIT
    audit_object_type = "report"

    @extend_schema(
        request=None,
        responses={200: ReportOutput},
        summary="Keep an accepted report for another retention period",
    )
    def post(self, request, report_id):
        report = selectors.report_get(actor=self.actor, public_id=report_id)
        return Response(ReportOutput(reports.report_renew(report=report, actor=self.actor)).data)
