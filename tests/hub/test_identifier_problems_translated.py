"""Every sentence a normaliser can refuse an identifier with reaches the reader in the reader's language.

hubcore (Django-free) marks its sentences with ``gettext_noop`` and the hub translates them where they
leave it (sharing.subjects.services.identifier_problems). Two rules: the code never raises a sentence that
is not marked (read from the source, so a new normaliser is covered the day it is written), and every
refusal the normalisers actually give comes out in Chinese, words inside it included, and never with the
value it refused.
"""

from __future__ import annotations

import ast
import pathlib

import pytest
from django.urls import reverse
from django.utils import translation

from hubcore.identifiers import IdentifierInvalid, normalise
from hubcore.identifiers.composites import CompositeInvalid
from sharing.subjects.services.identifier_problems import problem_messages, problem_text

HUBCORE = pathlib.Path(__file__).resolve().parents[2] / "hubcore"
ERROR_CLASSES = {"IdentifierInvalid", "CompositeInvalid"}


def _module_marked_names(tree: ast.Module) -> set[str]:
    """Module constants assigned a marked sentence: _NAME = gettext_noop("...")."""
    return {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign) and _is_marked(node.value, set())
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def _is_marked(node: ast.expr, marked_names: set[str]) -> bool:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "gettext_noop":
        return (
            len(node.args) == 1
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        )
    return isinstance(node, ast.Name) and node.id in marked_names


def _unmarked_raises(path: pathlib.Path) -> list[int]:
    """The lines of the file that raise IdentifierInvalid with a sentence not marked by gettext_noop."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    marked_names = _module_marked_names(tree)
    found = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ERROR_CLASSES
        ):
            continue
        if node.func.id == "CompositeInvalid":
            continue  # takes the fields' own errors, each raised (and checked) where it is made
        sentence = node.args[0] if node.args else None
        # A helper call is allowed only if it returns marked sentences: _stdnum_message's table is checked below.
        helper = (
            isinstance(sentence, ast.Call)
            and isinstance(sentence.func, ast.Name)
            and sentence.func.id != "gettext_noop"
        )
        if sentence is None or not (_is_marked(sentence, marked_names) or helper):
            found.append(node.lineno)
    return found


def test_hubcore_raises_only_marked_sentences():
    unmarked = [
        f"{path.name}:{line}" for path in sorted(HUBCORE.rglob("*.py")) for line in _unmarked_raises(path)
    ]
    assert unmarked == [], (
        f"IdentifierInvalid raised with an unmarked sentence (wrap it in gettext_noop): {unmarked}"
    )


def test_the_rule_sees_an_unmarked_sentence(tmp_path):
    path = tmp_path / "sample.py"
    path.write_text(
        'A = gettext_noop("marked")\n'
        "raise IdentifierInvalid(A)\n"
        'raise IdentifierInvalid(gettext_noop("marked %(x)s"), x=1)\n'
        'raise IdentifierInvalid("plain")\n'
        'raise IdentifierInvalid(f"{x} formatted")\n'
    )
    assert _unmarked_raises(path) == [4, 5]


# Refusals the normalisers give, one or more per rule: (type, value, country).
REFUSED = [
    ("phone", "12", "CN"),
    ("email", "no-at-sign", None),
    ("email", "a b@example.com", None),
    ("email", "x" * 65 + "@example.com", None),
    ("email", "someone@localhost", None),
    ("email", "+tag@gmail.com", None),
    ("national_id", "11010519491231002X", None),
    ("national_id", "XX:123", None),
    ("national_id", "CN:110105194912310021", None),
    ("national_id", "CN:1101051949", None),
    ("national_id", "US:000-12-3456", None),
    ("national_id", "CN:11010519491231ABCD", None),
    ("business_licence", "91350100M000100Y4", None),
    ("business_licence", "ZZ:123", "ZZ"),
    ("business_licence", "VAT:XX123", None),
    ("bank_account", "FOO:123", None),
    ("bank_account", "XY:123", None),
    ("bank_account", "IBAN:DE13123", None),
    ("bank_account", "abc", None),
    ("bank_account", "IBAN:DE00370400440532013000", None),
    ("bank_account", "CARD:123", None),
    ("bank_account", "4111111111111112", None),
    ("bank_account", "12345", None),
    ("payment_account", "nosuchpay:abc", None),
    ("payment_account", "alipay:", None),
    ("payment_account", "alipay:someone@", None),
    ("store_url", "ftp://shop.example.com", None),
    ("store_url", "https://localhost/shop", None),
    ("store_url", "https://www.amazon.com/", None),
    ("store_url", "taobao:shop:abc", None),
    ("store_url", "https:///path", None),
    ("store_url", "http://[::1", None),
    ("email", "a@-bad-.com", None),
    ("shipping_address", "!!!", None),
    ("name", "???", None),
    ("device_id", "ab", None),
    ("device_id", "x" * 501, None),
    ("device_id", "   ", None),
    ("device_id", "abc\x07def", None),
    ("no_such_type", "value", None),
    ("phone", "+8613800138000", "CHINA"),
    ("phone", {"k": "v"}, None),
    ("person", {"full_name": "Zhang"}, None),
    ("person", "not an object", None),
    ("person", {"full_name": "张伟", "date_of_birth": "02/03/1985", "nickname": "x"}, None),
    ("person", {"full_name": "!!!", "date_of_birth": "1985-02-30"}, None),
    ("person", {"full_name": 7, "date_of_birth": "1850-01-01"}, None),
    ("registered_address", {"country": "XX", "postcode": "1", "street_address": "1 High St"}, None),
    ("registered_address", {"country": "GB", "postcode": "12345678", "street_address": "1 High St"}, None),
    ("pickup_address", {"country": "CN", "postcode": "2000", "street_address": "南京东路100号"}, None),
    # Issue 19: observed values, couriers, social and live accounts.
    ("observed_national_id", "110105194912310021", None),
    ("observed_national_id", "CN:12", None),
    ("observed_national_id", "CN:1101#0519491231", None),
    ("observed_national_id", "CN:ABCDEFGH", None),
    ("observed_business_licence", "VAT:123456", None),
    ("observed_business_licence", "12345678", None),
    ("observed_bank_account", "ABCDEFGHIJ", None),
    ("observed_bank_account", "CARD:1234ABCD", None),
    ("observed_bank_account", "12345678", None),
    ("observed_phone", "+86 138 abc 8000", None),
    ("observed_phone", "1234", None),
    ("courier_sender_account", "abc123", None),
    ("courier_sender_account", "pigeon:abc123", None),
    ("courier_sender_account", "sf:ab#c123", None),
    ("waybill", "sf:SF123", None),
    ("waybill", "sf:1234567890", None),
    ("waybill", "ems:EE123456784CN", None),
    ("waybill", "zto:ZT12345678901", None),
    ("waybill", "yto:YT123456", None),
    ("wechat_id", "1zhangsan", None),
    ("qq_number", "01234", None),
    ("weibo_account", "@张三的微博", None),
    ("weibo_account", "0123456789", None),
    ("weibo_account", "https://example.com/u/1234567890", None),
    ("weibo_account", "ftp://weibo.com/u/1234567890", None),
    ("weibo_account", "https://weibo.com:99999/u/1234567890", None),
    ("weibo_account", "https://localhost/u/1234567890", None),
    ("douyin_account", "https://v.douyin.com/iRNBho6u/", None),
    ("douyin_account", "https://www.douyin.com/video/7000000000000000000", None),
    ("douyin_account", "zhang san!", None),
    ("douyin_account", "sec_uid:short", None),
    ("kuaishou_account", "kuai shou#1", None),
    ("kuaishou_account", "https://www.kuaishou.com/short-video/3xabcdef123", None),
    ("live_room", "123456789", None),
    ("live_room", "twitch:somebody", None),
    ("live_room", "douyin:abc", None),
    ("live_room", "https://www.douyu.com/directory/all", None),
    ("live_room", "https://www.huya.com/l", None),
]


def _refusal(identifier_type, value, country) -> IdentifierInvalid:
    with pytest.raises(IdentifierInvalid) as raised:
        normalise(identifier_type, value, default_country=country)
    return raised.value


def _sentences(problem: IdentifierInvalid) -> list[IdentifierInvalid]:
    return list(problem.problems.values()) if isinstance(problem, CompositeInvalid) else [problem]


@pytest.mark.parametrize(("identifier_type", "value", "country"), REFUSED)
def test_every_refusal_reads_in_chinese_without_the_value(identifier_type, value, country):
    for problem in _sentences(_refusal(identifier_type, value, country)):
        with translation.override("zh-hans"):
            chinese = problem_text(problem)
        with translation.override("en"):
            english = problem_text(problem)
        assert english == problem.message
        assert chinese != english, f"untranslated: {problem.template!r}"
        for name in ("what", "subject"):
            # The marked word inside a sentence ("national ID") is translated with it; lists of codes are not words.
            if name in problem.params:
                assert str(problem.params[name]) not in chinese, f"{name} left in English in {chinese!r}"
        raw = value if isinstance(value, str) else " ".join(str(part) for part in value.values())
        assert not (len(raw.strip()) > 3 and raw.strip() in chinese + english)


def test_the_refusals_cover_every_marked_sentence_of_the_normalisers():
    """REFUSED above reaches every sentence a hubcore normaliser can give (new sentence, new row)."""
    given = {problem.template for row in REFUSED for problem in _sentences(_refusal(*row))}
    marked = set()
    for path in HUBCORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "gettext_noop"
            ):
                marked.add(node.args[0].value)
    words = {
        "national ID",
        "business licence number",
        "VAT number",
        "email domain",
        "store URL's host",
        "URL's host",
        "bank account number",
        "Weibo account",
        "Douyin account",
        "Kuaishou account",
        "full name",
        "street address",
        "name",
        "shipping address",
        "The identifier value",
        "This field",
    }
    # Reached only through paths a row above cannot take apart (e.g. a stdnum module's own crash).
    unreachable_here = {"The %(what)s is badly formatted.", "The %(what)s is not valid."}
    missing = marked - words - unreachable_here - given - {"Some fields of the identifier are invalid."}
    assert missing == set(), f"add a refused input for each of: {sorted(missing)}"


def test_an_api_refusal_is_in_the_callers_language_with_the_same_shape(api, platform_analyst):
    """Through the API: a Chinese caller gets Chinese per-field messages, a composite's per field too."""
    client = api(platform_analyst)
    body = {
        "purpose": "seller_onboarding",
        "identifiers": [
            {"type": "national_id", "value": "CN:110105194912310021"},
            {"type": "person", "value": {"full_name": "张伟", "date_of_birth": "1985-02-30"}},
        ],
    }
    answers = {}
    for language in ("en", "zh-hans"):
        response = client.post(reverse("check-run"), body, format="json", HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 400, response.content
        answers[language] = response.json()
    english, chinese = (answers[lang]["error"]["fields"]["identifiers"] for lang in ("en", "zh-hans"))
    assert english.keys() == chinese.keys() == {"0", "1"}
    assert chinese["0"]["value"][0] == "身份证件号码的校验位不符。"
    assert english["0"]["value"][0] == "The national ID's check digit does not match."
    assert chinese["1"]["value"]["date_of_birth"] == ["出生日期不是有效的日历日期。"]
    assert answers["en"]["error"]["code"] == answers["zh-hans"]["error"]["code"]
    assert "110105194912310021" not in str(answers)


def test_problem_messages_keeps_a_composite_per_field():
    problem = _refusal("person", {"full_name": "!!!", "date_of_birth": "x"}, None)
    with translation.override("zh-hans"):
        assert problem_messages(problem) == {
            "full_name": ["全名不含任何字母或数字。"],
            "date_of_birth": ["请按 YYYY-MM-DD 格式填写出生日期。"],
        }


# ---------------------------------------------------------------- the observed-type hint


def test_the_api_hint_names_the_observed_types_code_in_both_languages():
    problem = _refusal("phone", "+86 138 0013 800", None)
    for language in ("en", "zh-hans"):
        with translation.override(language):
            sentence, hint = problem_messages(problem, identifier_type="phone")
        assert "observed_phone" in hint
        assert "0013" not in sentence + hint
    with translation.override("zh-hans"):
        assert problem_messages(problem, identifier_type="phone")[1].startswith("如果这是在包裹")


@pytest.mark.parametrize(
    ("language", "label", "first_words"),
    [
        ("en", "Phone number, as observed (unverified)", "If this is the value as seen"),
        ("zh-hans", "电话号码（观察所得，未核实）", "如果这是在包裹"),
    ],
)
def test_the_web_forms_check_names_the_observed_type_by_its_translated_label(language, label, first_words):
    from sharing.reports.services.identifier_check import identifier_verdict

    with translation.override(language):
        verdict = identifier_verdict(
            identifier_type="phone", value="+86 138 0013 800", country="", default_country="FR"
        )
    assert not verdict.valid
    assert f"“{label}”" in verdict.message
    assert first_words in verdict.message
    assert "observed_phone" not in verdict.message
    assert "0013" not in verdict.message


def test_the_web_forms_check_gives_no_hint_for_a_type_without_an_observed_twin():
    from sharing.reports.services.identifier_check import identifier_verdict

    with translation.override("en"):
        verdict = identifier_verdict(
            identifier_type="email", value="not-an-email", country="", default_country="FR"
        )
    assert not verdict.valid
    assert "as seen on a parcel" not in verdict.message
