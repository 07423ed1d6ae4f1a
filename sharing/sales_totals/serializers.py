"""What the sales totals API reads and answers (the decline form, shared with the page, is in inputs.py). A requester never sees a member's figures or who was
asked; a member sees what it needs to answer its task: the period, the currency, the requester's key."""

from __future__ import annotations

from rest_framework import serializers

from hubcore import paillier
from sharing.models import MatchSource, SalesTotalsRequest, SalesTotalsStatus, SalesTotalsTask
from sharing.sales_totals.services.sales_totals import SalesTotalsAsk, ask_problems, refusal_message

CIPHERTEXT_MAX = 4000
KEY_MAX = 2000


class SalesTotalsRequestInput(serializers.Serializer):
    subject = serializers.UUIDField(help_text="the listed seller's subject id (from your report)")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    currency = serializers.CharField(max_length=3, help_text="ISO 4217, e.g. EUR")
    public_key = serializers.CharField(
        max_length=KEY_MAX,
        help_text=f"your Paillier modulus n in decimal (at least {paillier.MIN_KEY_BITS} bits)",
    )
    k = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=1000,
        help_text="least contributors (the hub's minimum at least)",
    )
    case_reference = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200, help_text="a court's case"
    )

    def validate(self, attrs):
        problems = ask_problems(self.ask(attrs))
        if problems:
            raise serializers.ValidationError(problems)
        return attrs

    @staticmethod
    def ask(attrs) -> SalesTotalsAsk:
        return SalesTotalsAsk(
            subject=str(attrs["subject"]),
            period_start=attrs["period_start"],
            period_end=attrs["period_end"],
            currency=attrs["currency"],
            n=attrs["public_key"],
            k=attrs.get("k"),
            case_reference=attrs.get("case_reference", ""),
        )


class CiphertextsInput(serializers.Serializer):
    gross_minor = serializers.CharField(max_length=CIPHERTEXT_MAX, help_text="gross sales in minor units")
    orders = serializers.CharField(max_length=CIPHERTEXT_MAX)
    units = serializers.CharField(max_length=CIPHERTEXT_MAX)


class SubmitInput(serializers.Serializer):
    ciphertexts = CiphertextsInput(help_text="decimal Paillier ciphertexts under the requester's key")
    accounts = serializers.IntegerField(min_value=1, help_text="how many of your accounts the figures cover")


class SalesTotalsRequestOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    subject = serializers.UUIDField(source="subject_ref")
    public_key_sha256 = serializers.SerializerMethodField()
    refusal_reason = serializers.SerializerMethodField()
    aggregate = serializers.DictField(
        child=serializers.CharField(),
        allow_null=True,
        read_only=True,
        help_text="once released: the encrypted sums by figure (gross_minor, orders, units), decimal",
    )
    statement = serializers.SerializerMethodField()
    statement_signature = serializers.SerializerMethodField()

    class Meta:
        model = SalesTotalsRequest
        fields = [
            "id",
            "status",
            "subject",
            "case_reference",
            "period_start",
            "period_end",
            "currency",
            "k",
            "deadline",
            "created_at",
            "closed_at",
            "refusal_reason",
            "public_key_sha256",
            "aggregate",
            "statement",
            "statement_signature",
        ]

    def get_public_key_sha256(self, request: SalesTotalsRequest) -> str:
        return paillier.modulus_sha256(int(request.public_key_n))

    def get_refusal_reason(self, request: SalesTotalsRequest) -> str:
        return refusal_message(request) if request.status == SalesTotalsStatus.REFUSED else ""

    def get_statement(self, request: SalesTotalsRequest) -> str:
        """The signed statement's exact text (canonical JSON); empty until released."""
        return request.statement

    def get_statement_signature(self, request: SalesTotalsRequest) -> str:
        """The hub's OpenSSH signature of the statement (namespace iih-sales-totals); empty until released."""
        return request.statement_signature


class OwnMatchOutput(serializers.Serializer):
    source = serializers.ChoiceField(choices=MatchSource.choices)  # type: ignore[assignment]
    reference = serializers.CharField()


class SalesTotalsTaskOutput(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id")
    request = serializers.UUIDField(source="request.public_id")
    request_status = serializers.CharField(source="request.status")
    subject = serializers.UUIDField(source="request.subject_ref")
    period_start = serializers.DateField(source="request.period_start")
    period_end = serializers.DateField(source="request.period_end")
    currency = serializers.CharField(source="request.currency")
    deadline = serializers.DateTimeField(source="request.deadline")
    public_key = serializers.CharField(source="request.public_key_n", help_text="the requester's Paillier n")
    own_matches = OwnMatchOutput(
        many=True,
        read_only=True,
        help_text="How your own screening matched the seller (your check, bulk job or watch entry ids), "
        "so you can find the accounts to total. Never another member's.",
    )

    class Meta:
        model = SalesTotalsTask
        fields = [
            "id",
            "status",
            "request",
            "request_status",
            "subject",
            "period_start",
            "period_end",
            "currency",
            "deadline",
            "public_key",
            "own_matches",
            "accounts",
            "decline_reason",
            "responded_at",
        ]
