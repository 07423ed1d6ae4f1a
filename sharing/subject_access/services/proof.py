"""A person proves control of an email address or a phone number with a one-time code.

The raw identifier is normalised, tokenised as checks do, used once to send the code, and dropped:
the challenge keeps the token and a keyed hash of the code. The answer to "send me a code" is the
same whether or not the identifier is listed. A proven token is what the session keeps.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from cryptography.exceptions import InvalidTag
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.audit.models import DataClass, LegalBasis, Outcome
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from hub.errors import DomainError, TooManyRequestsError
from hub.keys import token_storage_keys
from hubcore.identifiers.types import OBSERVED_OF
from sharing import locks
from sharing.crypto.tokens import token_lookup_forms, token_seal, token_unseal
from sharing.models import IdentifierChallenge
from sharing.subject_access.services.sms import SmsNotSent, sms_send
from sharing.subject_access.services.throttle import (
    CodeAttemptsPerAddress,
    CodeRequestsPerAddress,
    CodeRequestsPerToken,
    CodeRequestsPerTokenDay,
    throttled,
)
from sharing.subjects.services.tokens import RawIdentifier, TokenisedIdentifier, identifiers_tokenise

logger = logging.getLogger(__name__)

CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=10)
MAX_ATTEMPTS = 5
SEND_ERRORS = (OSError, SmsNotSent)


# The listed person's tokens at rest: sealed under the token storage key as IdentifierToken.token is,
# found by their lookup forms while a rotation runs, and re-sealed by the rotation.


def token_sealed(token: str) -> str:
    """The storage form of a bare token under the active storage key."""
    return token_seal(token, keys=token_storage_keys())


def token_opened(stored: str) -> str | None:
    """The bare token of a storage form; None when its key is no longer loaded (or it was tampered with)."""
    try:
        return token_unseal(stored, keys=token_storage_keys())
    except (KeyError, ValueError, InvalidTag):
        return None


def tokens_lookup_forms(tokens: list[str]) -> list[str]:
    """Every storage form these tokens may have while a storage key rotation is under way."""
    keys = token_storage_keys()
    return [form for token in tokens for form in token_lookup_forms(token, keys=keys)]


class TooManyRequests(TooManyRequestsError):
    def __init__(self, wait: int) -> None:
        super().__init__(
            gettext("Too many requests from you or for this identifier; try again in %(wait)s s.")
            % {"wait": wait}
        )
        self.wait = self.retry_after = wait


class CodeRefused(DomainError):
    """A wrong, expired or used-up code: said as such, so the person knows what to do next."""


@dataclass(frozen=True)
class ProvenIdentifier:
    """A proven identifier: its type and bare token, never the value. The session keeps the token's
    storage form only (as_session), opened again on each request (from_session)."""

    type: str
    token: str
    key_version: int

    def as_session(self) -> dict:
        return {"type": self.type, "sealed": token_sealed(self.token), "key_version": self.key_version}

    @classmethod
    def from_session(cls, item: dict) -> ProvenIdentifier | None:
        """None when the item is not a sealed token the hub can still open (an older form, a retired key)."""
        token = token_opened(item.get("sealed") or "")
        if token is None or not isinstance(item.get("type"), str):
            return None
        return cls(item["type"], token, int(item.get("key_version") or 0))

    def tokenised(self) -> TokenisedIdentifier:
        return TokenisedIdentifier(self.type, self.token, self.key_version)


def _code_hash(challenge_id: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"subject-code:{challenge_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _audit(tag: AuditTag, challenge: IdentifierChallenge | None, request_id: str, **details) -> None:
    audit_record(
        actor=None,
        tag=tag,
        target=challenge,
        target_type="identifierchallenge",
        data_class=DataClass.ADMINISTRATIVE,
        legal_basis=LegalBasis.DATA_SUBJECT_RIGHTS,
        outcome=Outcome.ALLOWED
        if tag in (AuditTag.SUBJECT_CODE_SENT, AuditTag.SUBJECT_CODE_VERIFIED)
        else Outcome.DENIED,
        details=details,
        request_id=request_id,
    )


def code_request(*, identifier_type: str, value: str, client_address: str, request_id: str = "") -> str:
    """Send a one-time code to the identifier; returns the challenge's id for the session (never the URL).

    Listed or not, the identifier gets a code and the caller the same answer: the code proves control,
    and what is listed is shown only after it."""
    tokenised = _tokenised(identifier_type, value)
    wait = throttled(
        [
            CodeRequestsPerAddress(client_address),
            CodeRequestsPerToken(tokenised.token),
            CodeRequestsPerTokenDay(tokenised.token),
        ]
    )
    if wait:
        with transaction.atomic():
            _audit(
                AuditTag.SUBJECT_CODE_THROTTLED,
                None,
                request_id,
                step="request",
                identifier_type=tokenised.type,
            )
        raise TooManyRequests(wait)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    with transaction.atomic():
        challenge = IdentifierChallenge(
            identifier_type=tokenised.type,
            token=token_sealed(tokenised.token),
            key_version=tokenised.key_version,
            expires_at=timezone.now() + CODE_LIFETIME,
        )
        challenge.code_hash = _code_hash(str(challenge.public_id), code)
        challenge.save()
        _audit(AuditTag.SUBJECT_CODE_SENT, challenge, request_id, identifier_type=tokenised.type)
    _deliver(tokenised, code)
    return str(challenge.public_id)


def observed_twins(identifier_type: str, value: str) -> list[ProvenIdentifier]:
    """The observed identifiers a proof of this one also proves: the same value as a courier records it
    seen on a parcel (a phone's `observed_phone`), a token apart from the verified one (see
    hubcore/identifiers/observed.py). Reports naming it are about the same person, who must see and
    contest them too. Held with the challenge and proven only with it; none when the value has no twin."""
    twins = [observed for observed, verified in OBSERVED_OF.items() if verified.value == identifier_type]
    try:
        tokenised = identifiers_tokenise(
            identifiers=[RawIdentifier(twin.value, value) for twin in twins],
            default_country=settings.HUB_SUBJECT_DEFAULT_COUNTRY,
        )
    except DomainError:
        return []
    return [ProvenIdentifier(item.type, item.token, item.key_version) for item in tokenised]


def _tokenised(identifier_type: str, value: str) -> TokenisedIdentifier:
    """The identifier's token as checks compute it; a bad value is named on the form's own field."""
    try:
        [tokenised] = identifiers_tokenise(
            identifiers=[RawIdentifier(identifier_type, value)],
            default_country=settings.HUB_SUBJECT_DEFAULT_COUNTRY,
        )
    except DomainError as exc:
        problems = ((exc.fields or {}).get("identifiers") or {}).get("0") or {}
        said = problems.get("value", [])  # hubcore's refusals, already in the reader's language
        raise DomainError(gettext("Check the address or number."), fields={"value": said}) from None
    return tokenised


def _deliver(tokenised: TokenisedIdentifier, code: str) -> None:
    """Send the code to the canonical value; a failure is logged by kind only and answered as a success
    (the person asks again), so the answer never tells a working address from a broken one."""
    body = gettext(
        "Your Infringer Intelligence Hub code is %(code)s. It expires in 10 minutes. "
        "If you did not ask for it, ignore this message."
    ) % {"code": code}
    try:
        if tokenised.type == "email":
            send_mail(gettext("Your one-time code"), body, None, [tokenised.canonical or ""])
        else:
            sms_send(to=tokenised.canonical or "", body=body)
    except SEND_ERRORS as exc:
        logger.warning("subject access code not sent (%s)", type(exc).__name__)


def code_verify(
    *, challenge_id: str, code: str, client_address: str, request_id: str = ""
) -> ProvenIdentifier:
    """The identifier the code proves, or CodeRefused (wrong, expired, attempts used up) / TooManyRequests."""
    wait = throttled([CodeAttemptsPerAddress(client_address)])
    if wait:
        with transaction.atomic():
            _audit(AuditTag.SUBJECT_CODE_THROTTLED, None, request_id, step="attempt")
        raise TooManyRequests(wait)
    with transaction.atomic():
        challenge = locks.lock_identifier_challenge(challenge_id)
        refusal = _refusal(challenge, code)
        token = token_opened(challenge.token) if challenge is not None and refusal is None else None
        if refusal is None and token is None:
            refusal = "missing"  # sealed under a storage key since retired: ask again
        if refusal is None and challenge is not None and token is not None:
            challenge.proven_at = timezone.now()
            challenge.save(update_fields=["proven_at"])
            _audit(
                AuditTag.SUBJECT_CODE_VERIFIED,
                challenge,
                request_id,
                identifier_type=challenge.identifier_type,
            )
            return ProvenIdentifier(challenge.identifier_type, token, challenge.key_version)
        if challenge is not None and refusal == "wrong":
            challenge.attempts += 1
            challenge.save(update_fields=["attempts"])
        _audit(AuditTag.SUBJECT_CODE_FAILED, challenge, request_id, reason=refusal)
    raise CodeRefused(_REFUSALS[refusal or "missing"](), fields={"code": [_REFUSALS[refusal or "missing"]()]})


def _refusal(challenge: IdentifierChallenge | None, code: str) -> str | None:
    if challenge is None or challenge.proven_at is not None:
        return "missing"
    if challenge.attempts >= MAX_ATTEMPTS:
        return "exhausted"
    if challenge.expires_at <= timezone.now():
        return "expired"
    if not hmac.compare_digest(challenge.code_hash, _code_hash(str(challenge.public_id), code)):
        return "wrong"
    return None


_REFUSALS = {
    "missing": lambda: gettext("Ask for a new code: this one was used or never sent."),
    "exhausted": lambda: gettext("Five wrong codes: this code no longer works. Ask for a new one."),
    "expired": lambda: gettext("The code expired (codes last 10 minutes). Ask for a new one."),
    "wrong": lambda: gettext("That code is wrong. Check the message and try again."),
}
