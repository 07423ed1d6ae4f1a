"""Quality a person notices, on every main page (tests/e2e/pages.py), in English and Chinese, at
1280 px and at 360 px, in real headless Chromium:

- axe-core (vendored, tests/e2e/vendor/axe-core) finds no serious or critical violation;
- the page never scrolls sideways (wide tables scroll inside their wrapper);
- <html lang> names the language the page is in;
- the first Tab stop is the skip link, and following it moves the focus to the main content.

With HUB_SCREENSHOTS_DIR set (scripts/screenshots does it), each page is also photographed at
1280 px into <dir>/<language>/<name>.png.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.urls import reverse

from tests.e2e.pages import MAIN_PAGES, MainPage, member_for, session_cookie

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
LANGUAGES = {"en": "en", "zh-hans": "zh-CN"}  # the page's language code: the browser's locale
WIDTHS = (1280, 360)
# Screenshots stop here: a very long page is photographed to this height, not whole.
SCREENSHOT_MAX_HEIGHT = 2200
SCREENSHOT_MIN_HEIGHT = 640
BLOCKING_IMPACTS = ("serious", "critical")


def _axe_blocking(page) -> list[str]:
    """axe-core's serious and critical violations on the page, one line each."""
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result
        if v["impact"] in BLOCKING_IMPACTS
    ]


def _first_tab_stop_is_the_skip_link(page) -> bool:
    page.keyboard.press("Tab")
    return page.evaluate("document.activeElement && document.activeElement.classList.contains('skip-link')")


def _skip_link_reaches_main(page) -> bool:
    page.keyboard.press("Enter")
    return page.evaluate("document.activeElement && document.activeElement.id === 'main'")


def _screenshot(page, language: str, name: str) -> None:
    folder = os.environ.get("HUB_SCREENSHOTS_DIR")
    if not folder:
        return
    target = Path(folder) / language / f"{name}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": SCREENSHOT_MIN_HEIGHT})
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size(
        {"width": 1280, "height": max(SCREENSHOT_MIN_HEIGHT, min(height, SCREENSHOT_MAX_HEIGHT))}
    )
    page.screenshot(path=str(target))


def _problems_at(
    page, url: str, language: str, width: int, shots: Path | None = None, status: int = 200
) -> list[str]:
    page.set_viewport_size({"width": width, "height": 900})
    answer = page.goto(url)
    if shots is not None:  # to look at when a check fails (pytest keeps the last runs' tmp_path)
        page.screenshot(path=str(shots / f"{language}-{width}.png"), full_page=True)
    problems = []
    if answer is None or answer.status != status:
        problems.append(f"answered {answer.status if answer else 'nothing'}, not {status}")
    if page.evaluate("document.documentElement.lang") != language:
        problems.append(f"html lang is {page.evaluate('document.documentElement.lang')!r}, not {language!r}")
    if not page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"):
        problems.append("scrolls sideways")
    problems += _axe_blocking(page)
    if not _first_tab_stop_is_the_skip_link(page):
        problems.append("the first Tab stop is not the skip link")
    elif not _skip_link_reaches_main(page):
        problems.append("the skip link does not move the focus to the main content")
    return [f"{width}px: {problem}" for problem in problems]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", list(LANGUAGES))
@pytest.mark.parametrize("main_page", MAIN_PAGES, ids=[p.name for p in MAIN_PAGES])
def test_the_page_is_accessible_fits_and_speaks_its_language(
    live_server, browser, main_page: MainPage, language, tmp_path
):
    member = member_for(main_page)
    kwargs = main_page.prepare(member) if main_page.prepare else {}
    path = (
        main_page.url_name
        if main_page.url_name.startswith("/")
        else reverse(main_page.url_name, kwargs=kwargs)
    )
    url = live_server.url + path
    context = browser.new_context(
        locale=LANGUAGES[language], extra_http_headers={"Accept-Language": language}
    )
    if member is not None:
        context.add_cookies([session_cookie(member, live_server.url)])
    page = context.new_page()
    page.set_default_timeout(15_000)

    problems = [
        p for width in WIDTHS for p in _problems_at(page, url, language, width, tmp_path, main_page.status)
    ]
    _screenshot(page, language, main_page.name)

    context.close()
    assert not problems, f"{main_page.name} in {language}:\n" + "\n".join(problems)


BAD_PAGE = """<!doctype html><html lang="en"><head><title>Bad</title></head><body>
<main id="main"><h1>Bad</h1><input type="text" name="q"><img src="/x.png">
<div style="width: 2000px">too wide</div></main></body></html>"""
GOOD_PAGE = """<!doctype html><html lang="zh-hans"><head><title>好</title></head><body>
<a class="skip-link" href="#main">跳到正文</a><main id="main" tabindex="-1"><h1>好</h1>
<label for="q">搜索</label><input id="q" type="text" name="q"></main></body></html>"""


@pytest.mark.parametrize(("html", "expected"), [(BAD_PAGE, True), (GOOD_PAGE, False)], ids=["bad", "good"])
def test_the_harness_catches_what_a_person_would_notice(browser, html, expected):
    context = browser.new_context()
    page = context.new_page()
    page.route("http://hub.test/**", lambda route: route.fulfill(body=html, content_type="text/html"))

    problems = _problems_at(page, "http://hub.test/page", "zh-hans", 360)

    context.close()
    found = "\n".join(problems)
    if expected:
        assert "html lang is 'en'" in found
        assert "scrolls sideways" in found
        assert "label (critical)" in found and "image-alt (critical)" in found
        assert "the first Tab stop is not the skip link" in found
    else:
        assert problems == []
