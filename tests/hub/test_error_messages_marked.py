"""Every error message the hub raises for a member is marked for translation.

Read from the source: an error class of the hub, DRF or Django raised with a plain string or an
f-string (as its message, or inside its per-field messages) would reach a Chinese reader in English, and
the catalogue test cannot see it because nothing marks it. Operator-only messages (management commands,
settings and key loading) are out of scope: operators run the hub in English.
"""

from __future__ import annotations

import ast
import uuid
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("sharing", "accounts", "hub")
OPERATOR_ONLY = {"settings.py", "keys.py"}
ERROR_CLASSES = {
    # The hub's own (hub.errors and their subclasses)
    "DomainError",
    "NotFoundError",
    "ForbiddenError",
    "ConflictError",
    "TooManyRequestsError",
    "GoneError",
    "SpoolTamperedError",
    "RegistrationNumberError",
    # DRF's and Django's, which the API and the forms raise
    "ValidationError",
    "PermissionDenied",
    "NotFound",
    "ParseError",
    "Throttled",
    "AuthenticationFailed",
    "NotAuthenticated",
    "MethodNotAllowed",
    "UnsupportedMediaType",
    "APIException",
}
MARKERS = {
    "gettext",
    "gettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "_",
    "pgettext",
    "pgettext_lazy",
    "gettext_noop",
}


def _name(func: ast.expr) -> str | None:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _plain_strings(node: ast.AST) -> list[ast.AST]:
    """Unmarked text in an error's arguments: string literals and f-strings outside a marker call."""
    if isinstance(node, ast.Call) and _name(node.func) in MARKERS:
        return []
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and not _plain_strings(node.left):
        return []  # gettext("... %(x)s") % {...}: the parameters are data, not sentences
    if isinstance(node, ast.Subscript):
        return _plain_strings(node.value)  # problems["action"]: a key is not a sentence
    if isinstance(node, ast.Dict):
        return [found for value in node.values if value is not None for found in _plain_strings(value)]
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.strip():
        return [node]
    if isinstance(node, ast.JoinedStr):
        return [node]
    return [found for child in ast.iter_child_nodes(node) for found in _plain_strings(child)]


def unmarked_errors(source: str) -> list[int]:
    """The lines raising (or building) an error whose message is not marked for translation."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and _name(node.func) in ERROR_CLASSES:
            messages = [
                *node.args[:1],
                *(kw.value for kw in node.keywords if kw.arg in ("detail", "message", "fields")),
            ]
            if any(_plain_strings(message) for message in messages):
                lines.append(node.lineno)
    return lines


def _sources() -> list[Path]:
    return [
        path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts and "commands" not in path.parts and path.name not in OPERATOR_ONLY
    ]


def test_every_error_message_is_marked_for_translation():
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in _sources()
        for line in unmarked_errors(path.read_text(encoding="utf-8"))
    ]
    assert found == [], f"mark these messages with gettext (parameters as %(name)s, not f-strings): {found}"


def test_the_rule_tells_marked_from_unmarked_messages():
    source = "\n".join(
        [
            'raise DomainError(gettext("Marked."))',  # 1 marked
            'raise DomainError("Plain.")',  # 2
            'raise ConflictError(f"Formatted {x}.")',  # 3
            'raise ValidationError({"field": [gettext("Marked %(n)s.") % {"n": f"{n}"}]})',  # 4 marked
            'raise ValidationError({"field": [f"At most {n}."]})',  # 5
            'raise DomainError(gettext("Marked."), fields={"role": ["Plain."]})',  # 6
            "raise NotFoundError(message)",  # 7 a name: checked where it is made
            'raise serializers.ValidationError(_("Marked."))',  # 8 marked
            'raise serializers.ValidationError({"action": problems["action"]})',  # 9 a key, not a sentence
        ]
    )
    assert unmarked_errors(source) == [2, 3, 5, 6]


@pytest.mark.parametrize(("language", "message"), [("en", "No such report."), ("zh-hans", "未找到该举报。")])
def test_a_not_found_answer_names_the_thing_in_the_readers_language(api, brand_reporter, language, message):
    """scoped_get's 404 ("No such <noun>.") is translated noun and all, with the same code."""
    answer = api(brand_reporter).get(
        reverse("report-detail", args=[uuid.uuid4()]), HTTP_ACCEPT_LANGUAGE=language
    )
    assert answer.status_code == 404
    assert answer.json()["error"]["message"] == message
    assert answer.json()["error"]["code"] == "not_found"
