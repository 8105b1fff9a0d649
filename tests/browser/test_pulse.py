"""An employee answers the pulse survey on a phone: the link, the questions, the thanks."""

from __future__ import annotations

from ismonitor.web.editions import actions
from ismonitor.web.pulse import actions as pulse_actions
from ismonitor.web.pulse.models import PulseResponse

PHONE = {"width": 375, "height": 812}


def test_an_employee_answers_the_pulse_survey_on_a_phone(
    browser, live_server, transactional_db, shots
):
    edition = actions.create_edition("Editie 2026", 2026, instrument_name="ism-2018")
    actions.open_edition(edition)
    participation = actions.add_organisation(edition, "ORG-A", "Organisatie A")
    survey = pulse_actions.start_pulse(participation.organisation, ["Zorg", "ICT", "Financiën"])
    link = f"{live_server.url}/s/{survey.token}/"

    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(link)
    shots(page, "questions")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.locator("html").get_attribute("lang") == "nl"

    # 1. sending too early names the missing answers next to their questions
    page.get_by_role("button", name="Verstuur mijn antwoorden").last.click()
    assert page.locator("#error-summary").is_visible()
    assert page.locator("#error-read_frequency").is_visible()
    shots(page, "missing")

    # 2. English, keeping what was chosen; then answering, partly with the keyboard
    page.get_by_label("(Bijna) elke dag").first.check()
    page.get_by_role("button", name="English").click()
    assert page.get_by_label("(Almost) every day").first.is_checked()
    page.get_by_role("group", name="How often do you post").get_by_label("Never").focus()
    page.keyboard.press("Space")
    for statement in ("helps me", "know what is going on", "feel heard", "meant for"):
        page.get_by_role("group", name=statement).get_by_label("Agree", exact=True).check()
    page.get_by_role("group", name="Which department").get_by_label("ICT").check()
    page.get_by_label("What would make the platform better").fill("Fewer notifications.")
    shots(page, "answered")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="Send my answers").last.click()

    # 3. thanks, and nothing of the person kept
    assert page.get_by_role("heading", name="Thank you for answering").is_visible()
    shots(page, "thanks")
    stored = PulseResponse.objects.get()
    assert stored.department == "ict"
    assert stored.answers["read_frequency"] == "daily"
    assert stored.answers["post_frequency"] == "never"
    assert stored.answers["improvement"] == "Fewer notifications."
    page.goto(link)  # coming back shows the thanks again, not the questions
    assert page.get_by_role("heading", name="Thank you for answering").is_visible()
    context.close()
