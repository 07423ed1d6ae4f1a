"""The pages a member meets first answer in English and in Simplified Chinese, chosen by the
browser's Accept-Language: login, a 404, home, the audit log and the members page. Each page's
words come from the catalogue (no English left on the Chinese page's headings and buttons) and
its dates are localised."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from accounts.roles import OrganisationKind, Role
from tests.factories import persona, web_login

LANGUAGES = {"en": "en-GB,en;q=0.8", "zh-hans": "zh-CN,zh;q=0.9"}


def _page(client: Client, path: str, language: str, status: int = 200) -> str:
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=LANGUAGES[language])
    assert response.status_code == status, response.content[:300]
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    return html


def _signed_in(kind: str, role: str) -> tuple[Client, object]:
    member = persona(kind, role)
    client = Client()
    web_login(client, member)
    return client, member


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [
        ("en", ["<h1>Log in</h1>", "Username", "Forgot your password?"], ["登录"]),
        (
            "zh-hans",
            ["<h1>登录</h1>", "用户名", "忘记密码？", "侵权者情报中心"],
            ["Forgot your password?", ">Log in<"],
        ),
    ],
)
def test_the_login_page(client, language, expected, absent):
    html = _page(client, "/accounts/login/", language)

    assert all(text in html for text in expected) and not any(text in html for text in absent)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "title", "link"),
    [("en", "Page not found", "API documentation"), ("zh-hans", "页面不存在", "API 文档")],
)
def test_the_404_page_without_a_signed_in_user(client, language, title, link):
    html = _page(client, "/no-such-page/", language, status=404)

    assert (
        f"<h1>{title}</h1>" in html
        and link in html
        and '<p class="status" aria-hidden="true">404</p>' in html
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["What you can do here", "Administrator", "Platform", "Members"]),
        ("zh-hans", ["您在这里可以做什么", "管理员", "平台", "成员"]),
    ],
)
def test_the_home_page_names_kind_and_role_in_the_language(language, expected):
    client, _ = _signed_in(OrganisationKind.PLATFORM, Role.ADMIN)

    html = _page(client, "/", language)

    assert all(text in html for text in expected)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [
        ("en", ["<h1>Audit log</h1>", "Data class", "Outcome", "Export these events"], []),
        (
            "zh-hans",
            ["<h1>审计日志</h1>", "数据类别", "结果", "导出为 JSONL", "条事件"],
            ["Data class", "Filter<"],
        ),
    ],
)
def test_the_audit_log(language, expected, absent):
    client, _ = _signed_in(OrganisationKind.AUDITOR, Role.ANALYST)

    html = _page(client, "/audit/", language)

    assert all(text in html for text in expected) and not any(text in html for text in absent)
    assert '<div class="table-wrap" tabindex="0">\n<table id="audit-events" class="data">' in html
    assert "<style" not in html  # the layout's style lives in hub.css now (CSP forbids inline styles)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected", "date_pattern"),
    [
        (
            "en",
            ["Invite a person", "Send invitation", "Deactivate", "Administrator"],
            r"[A-Z][a-z]{2}\.? \d{1,2}, \d{4}",
        ),
        ("zh-hans", ["邀请成员", "发送邀请", "停用", "管理员", "双重验证"], r"\d{4}年\d{1,2}月\d{1,2}日"),
    ],
)
def test_the_members_page_with_localised_dates(language, expected, date_pattern):
    client, admin = _signed_in(OrganisationKind.PLATFORM, Role.ADMIN)

    html = _page(client, "/organisation/members/", language)

    assert all(text in html for text in expected)
    row = html[html.index(f'data-member="{admin.public_id}"') :]
    assert re.search(date_pattern, row[: row.index("</tr>")]), "the member's 'since' date is not localised"
