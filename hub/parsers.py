"""A JSON parser that refuses oversized bodies with 413, and deep nesting and NUL characters with 400."""

from __future__ import annotations

import json

from django.conf import settings
from django.utils.translation import gettext, gettext_lazy
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError, ValidationError
from rest_framework.parsers import JSONParser, MultiPartParser

from hub.nul import NUL_MESSAGE, nul_path


class PayloadTooLargeError(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request body is larger than the hub accepts.")
    default_code = "payload_too_large"


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLargeError()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ParseError(gettext("The request body is not valid UTF-8.")) from None
        try:
            data = json.loads(text, parse_constant=_refuse_constant)
        except (ValueError, RecursionError):
            # The parser's own message may quote the body; say only where it broke.
            raise ParseError(
                gettext("Malformed JSON: the request body is not a valid JSON document.")
            ) from None
        # Checked here, once for every field type: JSON and dict fields keep strings as sent,
        # and PostgreSQL cannot store a NUL (it answered 500).
        where = nul_path(data)
        if where:
            raise ValidationError({where: [NUL_MESSAGE]})
        return data


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


class NulFreeMultiPartParser(MultiPartParser):
    """Django's multipart parsing (under the route's upload limit, hub/uploads.py), refusing NUL in field names and values.

    File names need no check: Django drops non-printable characters from them.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        where = nul_path(dict(parsed.data.lists())) or nul_path({name: "" for name in parsed.files})
        if where:
            raise ValidationError({where.split(".")[0]: [NUL_MESSAGE]})
        return parsed
