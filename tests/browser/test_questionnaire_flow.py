"""An organisation answers in the browser, leaves, comes back, switches language, submits;
the researcher closes the edition; the organisation sees its dashboard."""

from __future__ import annotations

import warnings

import pytest

from ismonitor.instrument import get
from ismonitor.study.synthetic import generate
from ismonitor.web.editions import actions
from ismonitor.web.editions.models import Answer

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def setup(transactional_db, django_user_model):
    """An open edition in which eleven other organisations have submitted already."""
    instrument = get("ism-2018")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = generate(instrument, organisations=12, seed=7)
    table = table[table["org_id"] != "SYN-001"]
    edition = actions.create_edition("Editie 2026", 2026, instrument_name="ism-2018")
    actions.open_edition(edition)
    actions.load_table(edition, table)
    participation = actions.add_organisation(
        edition, "ORG-A", "Organisatie A", "a@example.org", "government"
    )
    django_user_model.objects.create_user(
        "alice", "alice@example.org", "alice-password", is_staff=True
    )
    return participation


def _fill_page(page) -> None:
    """Answer every question shown on the page the way a careful respondent would."""
    items = page.locator(".item:not([hidden])")
    for index in range(items.count()):
        item = items.nth(index)
        if item.is_hidden():
            continue  # an earlier answer on this page hid it
        key = item.get_attribute("data-item")
        radios = item.locator("input[type=radio]")
        boxes = item.locator("input[type=checkbox]")
        selects = item.locator("select")
        text = item.locator("input[type=text]:not(.other-text), textarea")
        if radios.count():
            if item.locator("input[type=radio]:checked").count():
                continue
            # the second-best option: scores that are high but not perfect
            radios.nth(max(0, radios.count() - 2 - (1 if key.endswith("_other") else 0))).check()
        elif boxes.count():
            if not item.locator("input[type=checkbox]:checked").count():
                boxes.nth(0).check()
                if boxes.count() > 2:
                    boxes.nth(1).check()
        elif selects.count():
            for rank in range(selects.count()):
                selects.nth(rank).select_option(str(rank + 1))
        elif text.count() and not text.first.input_value():
            if key == "since_year":
                text.first.fill("2014")
            elif item.locator(".unit").count():
                text.first.fill("60")
            else:
                text.first.fill("Geen")
            text.first.press("Tab")
    page.wait_for_load_state("networkidle")


def _saved(participation) -> dict:
    return {a.item_key: a.value for a in Answer.objects.filter(participation=participation)}


def test_an_organisation_answers_leaves_returns_switches_language_and_submits(
    browser, live_server, setup, shots
):
    participation = setup
    link = f"{live_server.url}/i/{participation.token}/"

    # 1. the invitation link opens the first page, in Dutch, on a phone
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(link)
    assert page.locator("h1").inner_text() == "Uw organisatie"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shots(page, "invitation-link-opens-the-questionnaire")

    # 2. answering with the keyboard: each answer is saved as it is given
    page.locator("#id-sector-government").focus()
    page.keyboard.press("Space")
    page.get_by_label("250 tot 1.000 medewerkers").check()
    page.get_by_label("Ja", exact=True).check()
    page.get_by_text("Bewaard").first.wait_for()
    # the questions for organisations that use internal social media appear at once
    page.get_by_label("Slack", exact=True).first.wait_for()
    _fill_page(page)
    shots(page, "profile-answered")
    page.get_by_role("button", name="Bewaren en verder").click()
    assert page.locator("h1").inner_text() == "Adoptie"
    _fill_page(page)
    shots(page, "adoption-answered")
    answered = _saved(participation)
    assert answered["sector"] == "government"
    assert answered["uses_ism"] == "yes"
    assert "ad_easy_to_use" in answered

    # 3. the browser is closed without pressing any button
    context.close()

    # 4. back through the link: the questionnaire resumes with the answers given
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(link)
    assert page.locator("h1").inner_text() == "Doelmatigheid"  # the first page not done
    page.get_by_role("button", name="Uw organisatie", exact=True).click()
    assert page.locator("#id-sector-government").is_checked()
    assert page.locator("#id-uses_ism-yes").is_checked()
    shots(page, "answers-found-after-return")

    # 5. switching to English keeps every answer
    page.get_by_role("button", name="English").click()
    assert page.locator("h1").inner_text() == "Your organisation"
    assert page.locator("#id-sector-government").is_checked()
    assert page.locator("label[for=id-sector-government]").inner_text() == "Government"
    shots(page, "switched-to-english")

    # 6. an invalid answer gets a message next to the question, and is not saved
    page.get_by_role("button", name="Save and continue").click()  # to adoption
    field = page.locator("#id-ad_reach")
    field.fill("abc")
    field.press("Tab")
    error = page.locator("#error-ad_reach")
    error.wait_for()
    assert error.inner_text() == "Enter a percentage from 0 to 100."
    assert "error-ad_reach" in field.get_attribute("aria-describedby")
    shots(page, "invalid-answer-message")
    assert _saved(participation)["ad_reach"] == 60
    field.fill("80")
    field.press("Tab")
    # (no wait_for_function: the portal's content security policy forbids eval)
    page.locator("#q-ad_reach.has-error").wait_for(state="detached")
    page.wait_for_load_state("networkidle")
    assert _saved(participation)["ad_reach"] == 80

    # 7. the rest of the questionnaire, page by page, then check and submit
    for _page in range(8):
        _fill_page(page)
        next_button = page.get_by_role("button", name="Save and continue")
        if next_button.is_visible():
            next_button.click()
        else:
            page.get_by_role("button", name="Check and submit").click()
            break
    assert page.locator("h1").inner_text() == "Check and submit"
    shots(page, "check-and-submit")
    page.get_by_role("button", name="Submit the answers").click()
    page.get_by_text("Your answers have been submitted").first.wait_for()
    shots(page, "submitted")
    participation.refresh_from_db()
    assert participation.locked and participation.submitted_at is not None
    context.close()

    # 8. the researcher logs in and closes the edition
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Gebruikersnaam").fill("alice")
    page.get_by_label("Wachtwoord").fill("alice-password")
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("link", name="Editie 2026").click()
    assert "12 organisaties: 0 uitgenodigd, 12 begonnen, 12 ingediend." in page.content()
    page.get_by_role("button", name="Sluit de editie").click()
    page.get_by_text("De editie is gesloten").wait_for()
    shots(page, "researcher-closed-the-edition")
    context.close()

    # 9. the organisation's link now opens its dashboard
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(link)
    assert page.locator("h1").inner_text() == "Dashboard van Organisatie A"
    assert page.get_by_text("Totaalscore").first.is_visible()
    assert page.locator(".chart svg:visible").count() == 3  # drawn for the window
    shots(page, "dashboard")
    context.close()
