"""Chinese and English: every marked string has a Simplified Chinese translation, the committed
compiled catalogue is the one its source compiles to, and a page answers in the language asked for.

The extraction runs Django's makemessages (GNU gettext) over a copy of the tree, exactly as
scripts/messages does, so a string added to a template or marked in code without a translation in
locale/zh_Hans fails here. scripts/test installs gettext; under CI=true its absence fails."""

from __future__ import annotations

import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")
COPIED = ("accounts", "sharing", "hub", "hubcore", "hubctl", "templates", "locale", "scripts", "manage.py")


def _need_gettext() -> None:
    if shutil.which("msgfmt") and shutil.which("xgettext"):
        return
    message = "GNU gettext is missing (apt-get install gettext; scripts/test installs it as root)"
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def _entries_flagged(po: Path, *flags: str) -> list[str]:
    """The msgids msgattrib selects (e.g. --untranslated, --only-fuzzy), header excluded."""
    out = subprocess.run(
        ["msgattrib", *flags, "--no-wrap", str(po)], capture_output=True, text=True, check=True
    )
    return [
        line[len("msgid ") :]
        for line in out.stdout.splitlines()
        if line.startswith("msgid ") and line != 'msgid ""'
    ]


@pytest.fixture(scope="module")
def extracted_catalogue(tmp_path_factory) -> Path:
    """The catalogue as scripts/messages would leave it after extracting from today's code."""
    _need_gettext()
    tree = tmp_path_factory.mktemp("tree")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tree / name, ignore=ignore)
        elif source.exists():
            shutil.copy2(source, tree / name)
    (tree / ".venv").symlink_to(Path(sys.prefix))
    subprocess.run(["bash", "scripts/messages", "--extract-only"], cwd=tree, check=True, capture_output=True)
    return tree / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_every_marked_string_has_a_simplified_chinese_translation(extracted_catalogue):
    untranslated = _entries_flagged(extracted_catalogue, "--untranslated")
    fuzzy = _entries_flagged(extracted_catalogue, "--only-fuzzy")
    assert not untranslated, (
        f"{len(untranslated)} string(s) have no zh-hans translation; run scripts/messages and translate them "
        f"in {CATALOGUE.relative_to(ROOT)}: " + "; ".join(untranslated[:40])
    )
    assert not fuzzy, "fuzzy (unchecked) translations: " + "; ".join(fuzzy[:40])


def test_the_catalogue_holds_no_string_the_code_no_longer_uses(extracted_catalogue):
    committed = set(_entries_flagged(CATALOGUE, "--translated"))
    current = set(_entries_flagged(extracted_catalogue, "--translated"))
    assert committed <= current, f"obsolete entries: {sorted(committed - current)[:20]}; run scripts/messages"


def test_the_committed_compiled_catalogue_is_its_source_compiled(tmp_path):
    _need_gettext()
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(fresh), str(CATALOGUE)], check=True, capture_output=True)
    with fresh.open("rb") as a, COMPILED.open("rb") as b:
        expected, committed = gettext.GNUTranslations(a)._catalog, gettext.GNUTranslations(b)._catalog  # type: ignore[attr-defined]
    assert committed == expected, "locale/zh_Hans/LC_MESSAGES/django.mo is stale: run scripts/messages"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept_language", "expected_lang", "expected_text"),
    [("zh-CN,zh;q=0.9", "zh-hans", "侵权者情报中心"), ("en-GB,en;q=0.8", "en", "Infringer Intelligence Hub")],
)
def test_accept_language_chooses_the_language_of_a_page(
    client, accept_language, expected_lang, expected_text
):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=accept_language)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<html lang="{expected_lang}">' in html
    assert expected_text in html


@pytest.mark.django_db
def test_the_switch_keeps_the_chosen_language_over_the_browsers(client):
    switched = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/accounts/login/"})
    assert switched.status_code == 302 and switched["Location"] == "/accounts/login/"
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="zh-hans">' in page.content.decode()
