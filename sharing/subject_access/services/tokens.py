"""The listed person's tokens at rest: sealed under the token storage key as IdentifierToken.token is,
found by their lookup forms while a rotation runs, and re-sealed by the rotation."""

from __future__ import annotations

from cryptography.exceptions import InvalidTag
from django.db import transaction

from hub.keys import KeyRing, token_storage_keys
from sharing.crypto.tokens import token_lookup_forms, token_seal, token_unseal
from sharing.models import IdentifierChallenge, RectificationRequest


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


def subject_access_tokens_rekey(*, keys: KeyRing | None = None) -> int:
    """Re-seal challenges' and correction requests' tokens under the active storage key (with
    `rotate_token_storage`, as watch entries are); the number of rows rewritten."""
    keys = keys or token_storage_keys()
    rewritten = 0
    for model in (IdentifierChallenge, RectificationRequest):
        stale = model.objects.exclude(token__startswith=f"{keys.active_version}:").order_by("pk")
        for row in stale.only("pk", "token").iterator():
            with transaction.atomic():
                new_form = token_seal(token_unseal(row.token, keys=keys), keys=keys)
                rewritten += model.objects.filter(pk=row.pk, token=row.token).update(token=new_form)
    return rewritten
