"""Messages built from values read as English: the article follows the word, counts agree, no phrase is said twice."""

from __future__ import annotations

import itertools
import pathlib
import re

import pytest

from accounts.roles import OrganisationKind
from hub.errors import ConflictError
from hub.wording import count_of, with_article
from hubcore.identifiers.types import IdentifierType
from sharing.checks.services.checks import CheckResult, explain
from sharing.models import Report, ReportStatus
from tests.factories import client_for

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCES = [
    p
    for d in ("accounts", "sharing", "hub", "hubctl", "hubcore")
    for p in (ROOT / d).rglob("*.py")
    if "migrations" not in p.parts
]


def test_no_message_puts_a_fixed_article_before_a_value():
    fixed = re.compile(r"""f["'](A|An|a|an) \{""")
    offenders = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in SOURCES
        for n, line in enumerate(p.read_text().splitlines(), 1)
        if fixed.search(line)
    ]
    assert offenders == []


@pytest.mark.parametrize("word", [*ReportStatus.values, *OrganisationKind.values])
def test_the_article_follows_the_first_sound_of_every_status_and_kind(word):
    expected = "an" if word[0] in "aeiou" else "a"
    assert with_article(word) == f"{expected} {word}"
    assert with_article(word, capital=True) == f"{expected.capitalize()} {word}"


def test_an_overturned_report_cannot_be_retracted_says_an():
    report = Report(status=ReportStatus.OVERTURNED)
    with pytest.raises(ConflictError) as refused:
        report.retract()
    assert refused.value.message == "An overturned report cannot be retracted."


def test_counts_agree_with_their_number():
    assert [count_of(n, "item") for n in (0, 1, 2)] == ["0 items", "1 item", "2 items"]


@pytest.mark.parametrize(
    "match, types",
    [
        (m, list(t))
        for m in ("direct", "linked")
        for n in (1, 2, 3)
        for t in itertools.combinations(IdentifierType.values, n)
    ][:60],
)
def test_a_check_explanation_never_says_a_phrase_twice(match, types):
    text = explain(
        CheckResult(
            check_id="c",
            level="listed",
            risk=50,
            matched_types=types,
            match=match,
            reports_matched=2,
            subjects_matched=1,
            reporting_organisations=2,
            linked_store_accounts=1,
            linked_platforms=1,
        )
    )
    words = re.findall(r"[a-z]+", text.lower())
    assert not any(a == b for a, b in zip(words, words[1:])), text
    for preposition in ("through", "by", "directly"):
        assert words.count(preposition) <= 1, text


def test_no_api_serializer_uses_drfs_list_field_and_its_at_least_1_elements_message():
    offenders = [str(p.relative_to(ROOT)) for p in SOURCES if "serializers.ListField(" in p.read_text()]
    assert offenders == []


@pytest.mark.django_db
def test_an_empty_identifier_list_answers_give_at_least_1_item(platform_analyst):
    response = client_for(platform_analyst).post(
        "/api/v1/checks", {"purpose": "seller_onboarding", "identifiers": []}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["identifiers"] == ["Give at least 1 item."]
