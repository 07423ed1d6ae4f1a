"""DRF authentication by `Authorization: Bearer <api key>`."""

from __future__ import annotations

import base64
import hmac
from datetime import timedelta
from functools import cache
from typing import NoReturn

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone
from rest_framework import authentication, exceptions

from accounts.apikeys import key_hash, key_parse_prefix
from accounts.audit.services import audit_record_denied
from accounts.audit.tags import AuditTag
from accounts.demo import demo_key_hashes
from accounts.models import ApiKey, Member, Organisation
from hub.model_rows import instance_from_row, model_columns

LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if len(parts) != 2 or parts[0] != self.keyword:
            self._fail(request, "Send the API key as 'Authorization: Bearer <key>'.")
        return self._authenticate_key(request, parts[1])

    def _authenticate_key(self, request, plaintext: str):
        prefix = key_parse_prefix(plaintext)
        api_key = api_key_with_member(prefix) if prefix else None
        if api_key is None or not hmac.compare_digest(api_key.key_hash, key_hash(plaintext)):
            self._fail(request, "Unknown API key.")
        if not api_key.is_usable():
            self._fail(request, "This API key is expired or revoked.")
        if not api_key.minted_by_its_member:
            # Minted for its member by someone else before the hub forbade it: it acts as someone else.
            self._fail(request, "This API key was not created by its own member; create your own.")
        if settings.PRODUCTION and api_key.key_hash in demo_key_hashes():
            self._fail(request, "Demo API keys are refused in production.")
        _touch(api_key)
        return api_key.member.user, api_key

    def _fail(self, request, message: str) -> NoReturn:
        audit_record_denied(
            actor=None,
            tag=AuditTag.AUTH_FAILED,
            target_type="api_key",
            reason=message,
            request_id=getattr(request, "request_id", ""),
        )
        raise exceptions.AuthenticationFailed(message)

    def authenticate_header(self, request):
        return self.keyword


@cache
def _api_key_statement() -> str:
    """The key by its prefix with its member, the member's user and organisation: what
    `ApiKey.objects.select_related("member__organisation", "member__user")` reads, spelled once per
    process (hub/model_rows.py), so authenticating a request compiles no query."""
    user = get_user_model()
    tables = {model: model._meta.db_table for model in (ApiKey, Member, user, Organisation)}
    columns = ", ".join(
        model_columns(model, alias)
        for model, alias in ((ApiKey, "k"), (Member, "m"), (user, "u"), (Organisation, "o"))
    )
    member_fk, user_fk = ApiKey._meta.get_field("member").column, Member._meta.get_field("user").column
    organisation_fk = Member._meta.get_field("organisation").column
    return (
        f'SELECT {columns} FROM "{tables[ApiKey]}" k '
        f'JOIN "{tables[Member]}" m ON m."{Member._meta.pk.column}" = k."{member_fk}" '
        f'JOIN "{tables[user]}" u ON u."{user._meta.pk.column}" = m."{user_fk}" '
        f'JOIN "{tables[Organisation]}" o ON o."{Organisation._meta.pk.column}" = m."{organisation_fk}" '
        f'WHERE k."{ApiKey._meta.get_field("prefix").column}" = %s'
    )


def api_key_with_member(prefix: str) -> ApiKey | None:
    """The API key of this prefix, its member, user and organisation loaded, read on the primary (never a
    replica: a revocation or suspension takes effect with the next request), or None."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(_api_key_statement(), [prefix])
        row = cursor.fetchone()
    if row is None:
        return None
    user_model, at = get_user_model(), 0
    api_key = instance_from_row(DEFAULT_DB_ALIAS, ApiKey, row)
    at += len(ApiKey._meta.concrete_fields)
    member = instance_from_row(DEFAULT_DB_ALIAS, Member, row, at=at)
    at += len(Member._meta.concrete_fields)
    member.user = instance_from_row(DEFAULT_DB_ALIAS, user_model, row, at=at)
    at += len(user_model._meta.concrete_fields)
    member.organisation = instance_from_row(DEFAULT_DB_ALIAS, Organisation, row, at=at)
    api_key.member = member
    return api_key


def _touch(api_key: ApiKey) -> None:
    """Record last use with one conditional UPDATE, at most once a minute per key."""
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now


class TaxiiApiKeyAuthentication(ApiKeyAuthentication):
    """The API key as TAXII clients send it (the OASIS taxii2-client's three ways): `Bearer <key>`,
    `Token <key>` (its TokenAuth), or HTTP Basic with the key as the password (the user name is
    not read). Used by the TAXII feed's views only."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if len(parts) == 2 and parts[0] in ("Bearer", "Token"):
            return self._authenticate_key(request, parts[1])
        if len(parts) == 2 and parts[0] == "Basic":
            try:
                decoded = base64.b64decode(parts[1], validate=True).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                decoded = ""
            _, colon, password = decoded.partition(":")
            if colon:
                return self._authenticate_key(request, password)
        self._fail(
            request, "Send the API key as 'Authorization: Bearer <key>' or as the HTTP Basic password."
        )
