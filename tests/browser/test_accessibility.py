"""axe-core on every kind of page of the portal, for each kind of user, in Dutch and
English, on a phone (375 px) and a desktop (1280 px): no serious or critical violation of
the WCAG 2 A/AA rules. And the questionnaire answered with the keyboard alone.

axe-core comes bundled with axe-playwright-python: nothing is downloaded at run time.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.template.loader import render_to_string

from ismonitor.web.editions.models import Answer

from .portal_data import (
    LANGUAGES,
    MEMBER,
    PHONE,
    RESEARCHER,
    VIEWPORTS,
    log_in,
    make_portal,
    set_language,
)

AXE = Axe()
RULES = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    },
    "resultTypes": ["violations"],
}
SERIOUS = ("serious", "critical")
# axe lets an aria-describedby that names a missing id pass when another id exists
BROKEN_REFERENCES = """() => [...document.querySelectorAll("[aria-describedby], [aria-labelledby]")]
  .flatMap(el => ["aria-describedby", "aria-labelledby"].flatMap(name =>
    (el.getAttribute(name) || "").split(/\\s+/)
      .filter(id => id && !document.getElementById(id))
      .map(id => `${el.tagName.toLowerCase()}#${el.id} ${name}=${id}`)))"""


@pytest.fixture
def portal(transactional_db):
    return make_portal()


def _violations(page, where: str) -> list[str]:
    """axe's serious and critical findings on the page as it is now, one line each."""
    found = []
    for violation in AXE.run(page, options=RULES).response["violations"]:
        if violation["impact"] not in SERIOUS:
            continue
        nodes = "; ".join(
            f"{' '.join(node['target'])} {node['html'][:100]!r}" for node in violation["nodes"][:4]
        )
        found.append(f"{where}: {violation['id']} ({violation['impact']}): {nodes}")
    for broken in page.evaluate(BROKEN_REFERENCES):
        found.append(f"{where}: a reference to no element: {broken}")
    return found


def _check_pages(browser, base_url: str, pages, login=None) -> list[str]:
    """Every page in every language at every width; ``pages`` are (name, path, step)."""
    found: list[str] = []
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    if login:
        log_in(page, base_url, *login)
    for lang in LANGUAGES:
        set_language(context, base_url, lang)
        for width, viewport in VIEWPORTS.items():
            page.set_viewport_size(viewport)
            for name, path, step in pages:
                page.goto(base_url + path)
                if step is not None:
                    step(page)
                assert page.locator("html").get_attribute("lang") == lang, (name, lang)
                found += _violations(page, f"{name} [{lang}, {width}]")
    context.close()
    return found


def _report(found: list[str]) -> str:
    return "axe found:\n" + "\n".join(found)


def test_the_researchers_pages(browser, live_server, portal):
    closed = portal.closed.pk

    def submit_empty(page):
        page.locator("main button[type=submit]").click()
        page.locator(".error").first.wait_for()

    pages = [
        ("edition list", "/editions/", None),
        ("edition detail", f"/editions/{closed}/", None),
        ("edition detail, open", f"/editions/{portal.current.pk}/", None),
        ("organisation", f"/editions/organisations/{portal.org_a.pk}/", None),
        ("create edition", "/editions/new/", None),
        ("create edition, errors", "/editions/new/", submit_empty),
        ("report build", f"/editions/builds/{portal.build.pk}/", None),
    ]
    found = _check_pages(browser, live_server.url, pages, login=RESEARCHER)
    assert not found, _report(found)


def test_the_organisations_pages(browser, live_server, portal):
    a_open, a_closed = portal.a_open.pk, portal.a_closed.pk

    def hide_nothing(page):  # the questions that depend on an answer are shown
        page.locator("#q-main_platform").wait_for()

    pages = [
        ("home", "/", None),
        ("organisation", f"/organisation/{portal.org_a.pk}/", None),
        ("questionnaire, profile", f"/p/{a_open}/questionnaire/profile/", hide_nothing),
        ("questionnaire, adoption", f"/p/{a_open}/questionnaire/adoption/", None),
        ("questionnaire, usage", f"/p/{a_open}/questionnaire/usage/", None),
        ("questionnaire, outcomes", f"/p/{a_open}/questionnaire/outcomes/", None),
        ("review", f"/p/{a_open}/questionnaire/review/", None),
        ("status", portal.c_link, None),
        ("answers, locked", f"/p/{portal.c_open.pk}/questionnaire/adoption/", None),
        ("dashboard", f"/p/{a_closed}/dashboard/", None),
        ("pulse survey", f"/pulse/{portal.pulse.pk}/", None),
        ("pulse results", f"/pulse/{portal.pulse_closed.pk}/", None),
    ]
    found = _check_pages(browser, live_server.url, pages, login=MEMBER)
    assert not found, _report(found)


def test_the_organisations_page_with_an_invalid_answer(browser, live_server, portal):
    """The error summary and the message next to the question, after the page is sent."""
    found = []
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + portal.a_link)
    for lang in LANGUAGES:
        set_language(context, live_server.url, lang)
        page.goto(f"{live_server.url}/p/{portal.a_open.pk}/questionnaire/adoption/")
        page.locator("#id-ad_reach").fill("veel")
        page.locator("button[value=save]").click()
        page.locator("#error-summary").wait_for()
        found += _violations(page, f"questionnaire, invalid answer [{lang}]")
    context.close()
    assert not found, _report(found)


def test_the_employees_pages(browser, live_server, portal):
    link = portal.pulse_link

    def send_nothing(page):
        page.locator("main .buttons button[value=submit]").click()
        page.locator("#error-summary").wait_for()

    pages = [("pulse survey", link, None), ("pulse survey, missing answers", link, send_nothing)]
    found = _check_pages(browser, live_server.url, pages)
    # the thanks page: this browser has answered
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + link)
    for name in ("read_frequency", "post_frequency"):
        page.locator(f"#q-{name} input[type=radio]").first.check()
    for name in ("helps_work", "feels_informed", "feels_heard", "knows_purpose"):
        page.locator(f"#q-{name} input[type=radio]").nth(3).check()
    page.locator("main .buttons button[value=submit]").click()
    page.locator("h1").wait_for()
    for lang in LANGUAGES:
        set_language(context, live_server.url, lang)
        for width, viewport in VIEWPORTS.items():
            page.set_viewport_size(viewport)
            page.goto(live_server.url + link)
            found += _violations(page, f"pulse thanks [{lang}, {width}]")
    context.close()
    assert not found, _report(found)


def test_the_anonymous_pages(browser, live_server, portal):
    def wrong_password(page):
        page.locator("#id_username").fill("alice")
        page.locator("#id_password").fill("not-the-password")
        page.locator("main button[type=submit]").click()
        page.locator("#error-summary").wait_for()

    pages = [
        ("start page", "/", None),
        ("login", "/accounts/login/", None),
        ("login, wrong password", "/accounts/login/", wrong_password),
        ("join", f"/accounts/join/{portal.join_token}/", None),
        ("forgotten password", "/accounts/password/reset/", None),
        ("link no longer valid", "/i/no-such-link/", None),
        ("404", "/editions/999/", None),
    ]
    found = _check_pages(browser, live_server.url, pages)
    # the page of a server error stands on its own: no database, no template context
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    for width, viewport in VIEWPORTS.items():
        page.set_viewport_size(viewport)
        page.set_content(render_to_string("500.html"))
        found += _violations(page, f"500 [{width}]")
    context.close()
    assert not found, _report(found)


def test_the_questionnaire_with_the_keyboard_alone(browser, live_server, portal):
    """Tab, arrow keys, Space and Enter answer and go on; the save is announced."""
    participation = portal.a_open
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + portal.a_link)
    page.goto(f"{live_server.url}/p/{participation.pk}/questionnaire/profile/")

    def tab_to(selector: str, limit: int = 80) -> None:
        for _n in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"document.activeElement.matches({selector!r})"):
                outline = page.evaluate(
                    "[getComputedStyle(document.activeElement).outlineStyle,"
                    " parseFloat(getComputedStyle(document.activeElement).outlineWidth)]"
                )
                assert outline[0] != "none" and outline[1] >= 2, f"no visible focus: {outline}"
                return
        raise AssertionError(f"Tab never reached {selector}")

    # the skip link comes first and leads to the content
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")

    # a radio group: Tab into it, an arrow key chooses the next option and saves it
    tab_to("#id-sector-government")
    page.keyboard.press("ArrowDown")
    status = page.locator("#status-sector")
    assert status.get_attribute("aria-live") == "polite"
    status.get_by_text("Bewaard").wait_for()
    assert page.locator("#id-sector-healthcare").is_checked()

    # a check box: Space ticks it
    tab_to("input[name=a-platforms]:not(:checked)")
    focused = page.evaluate("document.activeElement.id")
    page.keyboard.press("Space")
    assert page.locator(f"#{focused}").is_checked()
    page.locator("#status-platforms").get_by_text("Bewaard").wait_for()

    # a number: typed, then Tab saves it
    tab_to("#id-since_year")
    page.keyboard.type("2015")
    page.keyboard.press("Tab")
    page.locator("#status-since_year").get_by_text("Bewaard").wait_for()

    # the button that goes on: Enter
    tab_to("button[value=next]:not(.visually-hidden)")
    page.keyboard.press("Enter")
    page.wait_for_url("**/questionnaire/adoption/")
    assert page.locator("h1").inner_text() == "Adoptie"

    # a likert scale: arrows move along it
    tab_to("input[name=a-ad_easy_to_use]")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.locator("#status-ad_easy_to_use").get_by_text("Bewaard").wait_for()

    # a part of the questionnaire chosen in the list of parts: Enter on its button
    page.keyboard.press("Shift+Tab")
    for _n in range(60):
        if page.evaluate("document.activeElement.value") == "goto-profile":
            break
        page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/questionnaire/profile/")
    assert page.locator("#id-sector-healthcare").is_checked()
    context.close()

    saved = {a.item_key: a.value for a in Answer.objects.filter(participation=participation)}
    assert saved["sector"] == "healthcare"
    assert saved["since_year"] == 2015
    assert saved["ad_easy_to_use"] is not None
