"""Notifications in the reader's language: every kind the code notifies has words in the one catalogue
(found by reading the code, so a new kind without words fails here), each is rendered from its data
when read, in English and in Chinese, on the page and in the API; rows stored before keep reading
as their stored message."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.utils import translation

from sharing.models import Notification
from sharing.reports.services.notifications import (
    NOTIFICATION_WORDS,
    notification_text,
    notification_title,
    notify,
)
from tests.factories import client_for

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
CODE = ("accounts", "sharing", "hub")
DISPUTE = "00000000-0000-4000-8000-000000000001"
REPORT = "00000000-0000-4000-8000-000000000002"
RECORD = {"accepted": 4, "upheld": 1, "overturned": 3, "retracted": 0, "expired": 0}
REASON = "Receipts checked: 订单 42"  # typed by a person: shown as typed in either language

# Data each kind is notified with in the code (see the services), and its sentence in both languages.
EXAMPLES = {
    "rectification.requested": (
        {"request": DISPUTE, "reports": 2},
        f"A person named by 2 of your live reports says something in them is wrong (request {DISPUTE}). "
        "Review the reports and correct, renew or retract them; the operators were told too.",
        f"您的 2 份有效举报所涉及的人士表示其中有误（请求 {DISPUTE}）。请复核这些举报，并予以更正、续期或撤回；运营方也已收到通知。",
    ),
    "dispute.filed": (
        {"dispute": DISPUTE, "due": "2026-12-14"},
        "A listing based on your reports is disputed. Show by 2026-12-14 that a complaint or suit was filed, "
        "or the reports will be suspended.",
        "基于贵方举报的列入记录被提出争议。请在 2026-12-14 之前证明已提起投诉或诉讼，否则这些举报将被暂停。",
    ),
    "dispute.upheld": (
        {"dispute": DISPUTE, "reason": REASON},
        f"The dispute was decided: the disputed reports stand. Reason: {REASON}",
        f"争议已裁决：被争议的举报维持有效。理由：{REASON}",
    ),
    "dispute.overturned": (
        {"dispute": DISPUTE, "reason": REASON},
        f"The dispute was decided: the disputed reports were overturned. Reason: {REASON}",
        f"争议已裁决：被争议的举报被撤销。理由：{REASON}",
    ),
    "dispute.lapsed": (
        {"dispute": DISPUTE},
        "No complaint or suit was shown in time: the disputed reports are suspended.",
        "未在期限内出示投诉或起诉材料：被争议的举报已暂停。",
    ),
    "appeal.granted": (
        {"report": REPORT, "reason": REASON},
        f"Your appeal was granted: the report is accepted again. Reason: {REASON}",
        f"贵方申诉已获准：该举报重新被接受。理由：{REASON}",
    ),
    "appeal.refused": (
        {"report": REPORT, "reason": REASON},
        f"Your appeal was refused: the report stays rejected. Reason: {REASON}",
        f"贵方申诉被驳回：该举报仍为已拒绝。理由：{REASON}",
    ),
    "reporting.warned": (
        {"until": "2026-12-15T10:00:00+00:00", "record": RECORD},
        "Warning: 3 of your 4 accepted reports in the last 90 days were overturned on dispute. If this still "
        "holds on 2026-12-15, reporting will be suspended (misuse rule).",
        "警告：过去 90 天内，贵方被接受的 4 份举报中有 3 份在争议中被撤销。如果到 2026-12-15 仍是如此，"
        "贵方的举报资格将被暂停（滥用规则）。",
    ),
    "reporting.suspended": (
        {"until": "2027-01-14T10:00:00+00:00", "record": RECORD},
        "3 of your 4 accepted reports in the last 90 days were overturned on dispute, after a warning: "
        "reporting is suspended until 2027-01-14 (misuse rule).",
        "过去 90 天内，贵方被接受的 4 份举报中有 3 份在争议中被撤销，且此前已发出警告：举报资格暂停至 "
        "2027-01-14（滥用规则）。",
    ),
    "reporting.reinstated": (
        {"was_until": "2027-01-14T10:00:00+00:00", "reason": REASON},
        f"Your reporting suspension was lifted by an operator. Reason: {REASON}",
        f"运营方已解除贵方的举报暂停。理由：{REASON}",
    ),
}


def _literal_kinds(node: ast.expr) -> list[str] | None:
    """The kinds a `kind=` argument can take when written as literals (a string or a choice of two)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        body, orelse = _literal_kinds(node.body), _literal_kinds(node.orelse)
        return body + orelse if body is not None and orelse is not None else None
    return None


def kinds_notified_in_code() -> dict[str, list[str]]:
    """Every kind passed to `notify(...)` in the hub's code, with where; a kind that is not a literal
    (an f-string, a variable) is listed under "<not a literal>" so the rule below refuses it."""
    found: dict[str, list[str]] = {}
    for package in CODE:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if not isinstance(node, ast.Call):
                    continue
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
                if name != "notify":
                    continue
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                kind = next((k.value for k in node.keywords if k.arg == "kind"), None)
                kinds = _literal_kinds(kind) if kind is not None else None
                for each in kinds if kinds is not None else ["<not a literal>"]:
                    found.setdefault(each, []).append(where)
    return found


def test_every_kind_the_code_notifies_has_words_and_every_word_is_used():
    notified = kinds_notified_in_code()

    assert "<not a literal>" not in notified, notified["<not a literal>"]  # the rule must see every kind
    assert sorted(set(notified) - set(NOTIFICATION_WORDS)) == []
    assert sorted(set(NOTIFICATION_WORDS) - set(notified)) == []  # no words for a kind nobody sends
    assert set(EXAMPLES) == set(NOTIFICATION_WORDS)  # every kind is tried below in both languages


def test_the_rule_finds_kinds_and_refuses_one_it_cannot_read():
    code = 'notify(organisation_id=1, kind="a.b" if x else "a.c", data={})\nnotify(kind=f"a.{x}", data={})'
    kinds = [
        k.value
        for n in ast.walk(ast.parse(code))
        if isinstance(n, ast.Call)
        for k in n.keywords
        if k.arg == "kind"
    ]

    assert [_literal_kinds(kind) for kind in kinds] == [["a.b", "a.c"], None]


def test_notify_refuses_a_kind_without_words_and_data_that_does_not_fill_its_sentence(brand_reporter):
    with pytest.raises(ValueError, match="no words"):
        notify(organisation_id=brand_reporter.organisation_id, kind="dispute.retried", data={})
    with pytest.raises(ValueError, match="does not fill"):
        notify(organisation_id=brand_reporter.organisation_id, kind="appeal.granted", data={"report": REPORT})
    assert not Notification.objects.exists()


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_each_kind_reads_in_english_and_in_chinese_from_its_data(brand_reporter, kind):
    data, english, chinese = EXAMPLES[kind]
    with translation.override("zh-hans"):  # the notifier's language does not matter
        notification = notify(organisation_id=brand_reporter.organisation_id, kind=kind, data=data)

    with translation.override("en"):
        in_english = notification_title(notification), notification_text(notification)
    with translation.override("zh-hans"):
        in_chinese = notification_title(notification), notification_text(notification)

    assert in_english[1] == english and notification.message == english  # the English record
    assert in_chinese[1] == chinese
    assert in_english[0] == str(NOTIFICATION_WORDS[kind].title) and in_chinese[0] != in_english[0]


def test_rows_stored_before_read_as_their_stored_message(brand_reporter):
    organisation = brand_reporter.organisation
    unknown = Notification.objects.create(
        organisation=organisation, kind="standing.recalculated", message="Your standing was recalculated."
    )
    # Before reasons went into the data: the sentence cannot be filled, so the stored message stands.
    old_appeal = Notification.objects.create(
        organisation=organisation,
        kind="appeal.granted",
        message="Your appeal was granted. Reason: certificate seen.",
        data={"report": REPORT},
    )

    with translation.override("zh-hans"):
        assert notification_text(unknown) == "Your standing was recalculated."
        assert notification_title(unknown) == "standing.recalculated"
        assert notification_text(old_appeal) == "Your appeal was granted. Reason: certificate seen."
        assert notification_title(old_appeal) == "贵方申诉已获准"


@pytest.mark.parametrize(
    ("language", "index", "title"),
    [("en", 1, "Your appeal was granted"), ("zh-hans", 2, "贵方申诉已获准")],
)
def test_the_api_answers_each_notification_in_the_language_asked_for(brand_reporter, language, index, title):
    data = EXAMPLES["appeal.granted"][0]
    notify(organisation_id=brand_reporter.organisation_id, kind="appeal.granted", data=data)

    listed = client_for(brand_reporter).get("/api/v1/notifications", HTTP_ACCEPT_LANGUAGE=language).json()

    (row,) = listed["results"]
    assert row["kind"] == "appeal.granted" and row["data"] == data
    assert row["title"] == title and row["message"] == EXAMPLES["appeal.granted"][index]
