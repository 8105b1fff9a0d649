"""A walk through the portal as each of its users, in Dutch and English, on a phone
(375 px) and a desktop (1280 px), with a full-page screenshot of every step:

    test-artifacts/walkthrough/<user>-<lang>-<width>-<nn>-<step>.png

- the researcher creates an edition, adds organisations (one by one and from a CSV),
  opens it and invites them, imports answers gathered elsewhere, follows the progress,
  closes the edition, runs the analysis and national report in the background (the
  worker runs in between), downloads it and the answers, and invites a member;
- the organisation opens its invitation link, answers, saves, leaves, comes back,
  switches language, submits and sees its dashboard (shown at once in this edition)
  and downloads its report;
- an employee answers the pulse survey.

Every step checks something a person would see: the heading, the page's language, no
texts of the other language (the portal's catalog and the questionnaire's labels), and on
a phone that the page does not scroll sideways.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.test import override_settings

from ismonitor.instrument import get
from ismonitor.study import write
from ismonitor.web import i18n
from ismonitor.web.editions import actions
from ismonitor.web.editions.models import Edition, Participation, ReportBuild
from ismonitor.web.pulse import actions as pulse_actions
from ismonitor.web.pulse.models import PulseResponse

from .portal_data import RESEARCHER, VIEWPORTS, overflow, set_language, synthetic_table

SHOTS = Path(__file__).parents[2] / "test-artifacts" / "walkthrough"
WALKS = [(lang, width) for lang in ("nl", "en") for width in VIEWPORTS]
CATALOG = Path(i18n.__file__).parent / "locale" / "nl" / "LC_MESSAGES" / "django.po"
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@cache
def _catalog() -> dict[str, str]:
    with CATALOG.open("rb") as handle:
        return {m.id: m.string for m in read_po(handle, locale="nl") if isinstance(m.id, str)}


def t(lang: str, english: str) -> str:
    """The portal's text in the walk's language (from its Dutch catalog)."""
    return english if lang == "en" else _catalog()[english]


def _fragments(text: str) -> list[str]:
    """The literal parts of a text between its placeholders and markup."""
    parts = re.split(r"%\(\w+\)s|<[^>]+>|[“”\"]", text.replace("%%", "%"))
    return [" ".join(part.split()).strip(" .:;,()·%") for part in parts]


@cache
def _foreign() -> dict[str, frozenset[str]]:
    """Per page language, texts that belong to the other language only: the portal's
    catalog and the questionnaire's section titles and questions."""
    pairs = [(en, nl) for en, nl in _catalog().items() if en and nl and en != nl]
    instrument = get("ism-2018")
    for section in instrument.sections:
        pairs.append((section.title.get("en"), section.title.get("nl")))
        for item in section.items:
            pairs.append((item.label.get("en"), item.label.get("nl")))
    english, dutch = set(), set()
    for en, nl in pairs:
        en_parts, nl_parts = set(_fragments(en)), set(_fragments(nl))
        english |= {p for p in en_parts - nl_parts if len(p) >= 12}
        dutch |= {p for p in nl_parts - en_parts if len(p) >= 12}
    # a text that is a part of a text of the other language is no sign of it
    english = {p for p in english if not any(p in d for d in dutch)}
    dutch = {p for p in dutch if not any(p in e for e in english)}
    return {"nl": frozenset(english), "en": frozenset(dutch)}


class Walk:
    """Numbered, checked, full-page screenshots of one user's walk."""

    def __init__(self, user: str, lang: str, width: str):
        self.user, self.lang, self.width = user, lang, width
        self.count = 0
        SHOTS.mkdir(parents=True, exist_ok=True)
        for old in SHOTS.glob(f"{user}-{lang}-{width}-*.png"):
            old.unlink()

    def t(self, english: str) -> str:
        return t(self.lang, english)

    def step(self, page, name: str, heading: str | re.Pattern | None, lang: str | None = None):
        lang = lang or self.lang
        page.wait_for_load_state("load")
        assert page.locator("html").get_attribute("lang") == lang, name
        if heading is not None:
            h1 = page.locator("main h1").inner_text()
            if isinstance(heading, re.Pattern):
                assert heading.search(h1), (name, h1)
            else:
                assert h1 == heading, (name, h1)
        text = page.locator("body").inner_text()
        foreign = sorted(p for p in _foreign()[lang] if p in text)
        assert not foreign, f"{name}: texts of the other language on a {lang} page: {foreign}"
        if self.width == "375":
            assert overflow(page) <= 0, f"{name}: {overflow(page)} px wider than the phone"
        self.count += 1
        path = SHOTS / f"{self.user}-{self.lang}-{self.width}-{self.count:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)


def _fill_page(page, saved: str) -> None:
    """Answer every question shown on the page the way a careful respondent would, and
    wait until the page says the last answer is saved (they are saved one after another)."""
    last = None
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
            if not item.locator("input[type=radio]:checked").count():
                radios.nth(
                    max(0, radios.count() - 2 - (1 if key.endswith("_other") else 0))
                ).check()
                last = key
        elif boxes.count():
            if not item.locator("input[type=checkbox]:checked").count():
                boxes.nth(0).check()
                if boxes.count() > 2:
                    boxes.nth(1).check()
                last = key
        elif selects.count():
            for rank in range(selects.count()):
                selects.nth(rank).select_option(str(rank + 1))
            last = key
        elif text.count() and not text.first.input_value():
            if key == "since_year":
                text.first.fill("2014")
            elif item.locator(".unit").count():
                text.first.fill("60")
            else:
                text.first.fill("Geen")
            text.first.press("Tab")
            last = key
    if last is not None:
        page.locator(f"#status-{last}").get_by_text(saved, exact=True).wait_for()


# -- the researcher --------------------------------------------------------------------


@pytest.mark.parametrize("lang,width", WALKS)
def test_the_researcher_runs_an_edition(
    browser, live_server, transactional_db, tmp_path, lang, width
):
    get_user_model().objects.create_user(RESEARCHER[0], "", RESEARCHER[1], is_staff=True)
    url = live_server.url
    walk = Walk("researcher", lang, width)
    context = browser.new_context(viewport=VIEWPORTS[width], accept_downloads=True)
    set_language(context, url, lang)
    page = context.new_page()

    page.goto(f"{url}/accounts/login/")
    walk.step(page, "login", walk.t("Log in"))
    page.get_by_label(walk.t("Username")).fill("alice")
    page.get_by_label({"nl": "Wachtwoord", "en": "Password"}[lang]).fill(RESEARCHER[1])
    page.locator("main").get_by_role("button", name=walk.t("Log in")).click()
    walk.step(page, "editions", walk.t("Editions"))
    assert page.get_by_text(walk.t("There are no editions yet.")).is_visible()

    # a new edition
    page.get_by_role("link", name=walk.t("New edition")).click()
    walk.step(page, "new-edition", walk.t("New edition"))
    page.get_by_role("button", name=walk.t("Create the edition")).click()
    assert page.locator(".error").first.is_visible()  # nothing filled in
    walk.step(page, "new-edition-incomplete", walk.t("New edition"))
    name = f"Editie 2026 ({lang}, {width})"
    page.get_by_label(walk.t("Name")).fill(name)
    page.get_by_label(walk.t("Year")).fill("2026")
    page.get_by_label(walk.t("Bundled instrument")).select_option("ism-2018")
    page.get_by_role("button", name=walk.t("Create the edition")).click()
    walk.step(page, "edition-created", name)
    assert page.get_by_text(walk.t("The edition has been created as a draft.")).is_visible()
    # nobody to invite or remind yet
    assert not page.get_by_role("button", name=walk.t("Invite everyone not invited yet")).count()
    edition = Edition.objects.get(name=name)

    # organisations: one by one, and from a CSV file
    add = page.locator("form", has=page.get_by_role("heading", name=walk.t("Add an organisation")))
    add.get_by_label(walk.t("Organisation id")).fill("GEM-01")
    add.get_by_label(walk.t("Name")).fill("Gemeente Rivierstad")
    add.get_by_label(walk.t("Contact e-mail address")).fill("communicatie@rivierstad.example")
    add.get_by_role("button", name=walk.t("Add"), exact=True).click()
    walk.step(page, "organisation-added", name)
    assert page.get_by_role("link", name="GEM-01 Gemeente Rivierstad").is_visible()
    page.locator("#id-organisations-file").set_input_files(
        files=[
            {
                "name": "organisaties.csv",
                "mimeType": "text/csv",
                "buffer": (
                    b"org_id,name,email,sector,size_class\n"
                    b"ZKH-02,Ziekenhuis Noordoever,intranet@noordoever.example,healthcare,"
                    b"from_1000_to_4999\n"
                    b"HS-03,Hogeschool Duinrand,,education,from_250_to_999\n"
                ),
            }
        ]
    )
    page.get_by_role("button", name=walk.t("Upload")).click()
    walk.step(page, "organisations-from-csv", name)
    assert edition.participations.count() == 3

    # open the edition and invite everyone with an address
    page.get_by_role("button", name=walk.t("Open the edition")).click()
    walk.step(page, "edition-opened", name)
    page.get_by_role("button", name=walk.t("Invite everyone not invited yet")).click()
    walk.step(page, "invitations-sent", name)
    assert len(mail.outbox) == 2  # the school has no address
    assert "/i/" in mail.outbox[0].body

    # answers gathered elsewhere, then the progress per organisation
    table = synthetic_table(organisations=10, seed=11, year=2026)
    path = write(table, tmp_path / "antwoorden.csv", get("ism-2018"))
    page.locator("#id-import-file").set_input_files(str(path))
    page.get_by_role("button", name=walk.t("Import"), exact=True).click()
    walk.step(page, "answers-imported", name)
    progress = (
        "13 organisaties: 2 uitgenodigd, 10 begonnen, 10 ingediend."
        if lang == "nl"
        else "13 organisations: 2 invited, 10 started, 10 submitted."
    )
    assert page.get_by_text(progress).is_visible()
    # a link to hand on without e-mail: shown once
    row = page.locator("tr", has=page.get_by_role("link", name="GEM-01 Gemeente Rivierstad"))
    row.get_by_role("button", name=walk.t("New link")).click()
    walk.step(page, "new-link", re.compile("Gemeente Rivierstad"))
    assert "/i/" in page.get_by_label(walk.t("Invitation link")).input_value()
    page.get_by_role("link", name=name).click()
    with page.expect_download() as download:
        page.get_by_role("link", name=".csv").click()
    assert download.value.suggested_filename.endswith(".csv")
    assert "ORG-A" in Path(download.value.path()).read_text(encoding="utf-8")

    # close, and the analysis and national report in the background
    page.get_by_role("button", name=walk.t("Close the edition")).click()
    walk.step(page, "edition-closed", name)
    closed = walk.t("The edition is closed: organisations that submitted see their dashboard.")
    assert page.get_by_text(closed).is_visible()
    page.get_by_label(walk.t("Language of the report")).select_option(lang)
    with override_settings(TASKS=DATABASE_TASKS):
        page.get_by_role("button", name=walk.t("Run the analysis and build the report")).click()
        page.locator("#build-refresh").wait_for(state="hidden")  # the page follows by itself
        walk.step(page, "report-queued", walk.t("Analysis and national report"))
        assert page.get_by_text(walk.t("Waiting for the worker to start.")).is_visible()
        call_command("db_worker", "--batch", "--interval", "0", verbosity=0)
    build = ReportBuild.objects.get(edition=edition)
    assert build.state == "done", build.error
    download_button = page.get_by_role("link", name=walk.t("Download the national report (PDF)"))
    download_button.wait_for()  # the page follows the worker by itself
    assert page.get_by_text(walk.t("The report is ready.")).is_visible()
    walk.step(page, "report-ready", walk.t("Analysis and national report"))
    with page.expect_download() as download:
        download_button.click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    assert download.value.suggested_filename == f"ismonitor-national-2026-{lang}.pdf"

    # an organisation's page: invite a member
    page.get_by_role("link", name=name).click()
    page.get_by_role("link", name="GEM-01 Gemeente Rivierstad").click()
    walk.step(page, "organisation", "GEM-01 Gemeente Rivierstad")
    page.get_by_label(walk.t("E-mail address")).fill("redactie@rivierstad.example")
    page.get_by_role("button", name=walk.t("Send the invitation")).click()
    walk.step(page, "member-invited", "GEM-01 Gemeente Rivierstad")
    assert "/accounts/join/" in mail.outbox[-1].body

    page.get_by_role("button", name=re.compile(walk.t("Log out (%(name)s)").split(" (")[0])).click()
    walk.step(page, "logged-out", walk.t("The national study of internal social media"))
    context.close()


# -- the organisation ------------------------------------------------------------------


@pytest.fixture
def open_edition(transactional_db):
    """An open edition whose dashboards open at once, with twelve organisations in it."""
    edition = actions.create_edition(
        "Editie 2026",
        2026,
        instrument_name="ism-2018",
        dashboard_visibility=Edition.Visibility.AT_ONCE,
    )
    actions.open_edition(edition)
    actions.load_table(edition, synthetic_table(year=2026))
    return edition


ADOPTER_SECTIONS = [
    ("purposefulness", "Purposefulness"),
    ("organisation", "Organisation"),
    ("integration", "Integration"),
    ("usage", "Use"),
    ("outcomes", "Your organisation as a whole"),
]


@pytest.mark.parametrize("lang,width", WALKS)
def test_the_organisation_answers_and_sees_its_dashboard(
    browser, live_server, open_edition, lang, width
):
    participation = actions.add_organisation(
        open_edition, "GEM-07", "Gemeente Zevenbergen", "info@zevenbergen.example"
    )
    instrument = get("ism-2018")
    title = {s.key: s.title.get(lang) for s in instrument.sections}
    link = actions.new_link(participation, live_server.url)
    walk = Walk("organisation", lang, width)
    context = browser.new_context(viewport=VIEWPORTS[width], accept_downloads=True)
    page = context.new_page()

    # the link from the e-mail: the first page, in Dutch
    page.goto(link)
    walk.step(page, "invitation-link", "Uw organisatie", lang="nl")
    if lang == "en":
        page.get_by_role("button", name="English").click()
        walk.step(page, "switched-to-english", "Your organisation")
    page.get_by_label(walk.t("Government") if lang == "en" else "Overheid").first.check()
    page.locator("#id-size_class-from_1000_to_4999").check()
    page.locator("#id-uses_ism-yes").check()
    page.locator("#q-platforms").wait_for()  # the questions for platform users appear
    _fill_page(page, walk.t("Saved"))
    walk.step(page, "profile-answered", title["profile"])
    assert page.locator(".save-status").filter(has_text=walk.t("Saved")).count() >= 5
    page.get_by_role("button", name=walk.t("Save"), exact=True).click()
    walk.step(page, "saved", title["profile"])
    assert page.get_by_text(walk.t("Your answers are saved.")).is_visible()
    page.get_by_role("button", name=walk.t("Save and continue")).click()
    _fill_page(page, walk.t("Saved"))
    walk.step(page, "adoption-answered", title["adoption"])
    state = context.storage_state()
    context.close()  # the browser closes; the answers are kept

    context = browser.new_context(
        viewport=VIEWPORTS[width], accept_downloads=True, storage_state=state
    )
    page = context.new_page()
    page.goto(link)
    walk.step(page, "resumed", title["purposefulness"])  # the first page not done
    if lang == "nl":
        page.get_by_role("button", name="English").click()
        walk.step(page, "switched-to-english", "Purposefulness", lang="en")
        page.get_by_role("button", name="Nederlands").click()
        walk.step(page, "back-to-dutch", title["purposefulness"])

    for key, _english in ADOPTER_SECTIONS:
        assert page.locator("main h1").inner_text() == title[key]
        _fill_page(page, walk.t("Saved"))
        walk.step(page, key, title[key])
        if key == ADOPTER_SECTIONS[-1][0]:
            page.get_by_role("button", name=walk.t("Check and submit")).click()
        else:
            page.get_by_role("button", name=walk.t("Save and continue")).click()
    walk.step(page, "check-and-submit", walk.t("Check and submit"))
    page.get_by_role("button", name=walk.t("Submit the answers")).click()

    # submitted: in this edition the dashboard opens at once
    name = (
        "Dashboard van Gemeente Zevenbergen"
        if lang == "nl"
        else ("Dashboard of Gemeente Zevenbergen")
    )
    walk.step(page, "dashboard", name)
    assert page.get_by_text(walk.t("Thank you. Your answers have been submitted.")).is_visible()
    assert page.locator(".chart svg:visible").count() == 3  # drawn for the window
    participation.refresh_from_db()
    assert participation.locked and participation.submitted_at
    with page.expect_download() as download:
        page.get_by_role("link", name=walk.t("Download your report (PDF)")).click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    assert download.value.suggested_filename == f"ismonitor-GEM-07-2026-{lang}.pdf"
    page.get_by_role("link", name=walk.t("See your answers")).click()
    walk.step(page, "answers-locked", title["profile"])
    assert page.locator("#id-uses_ism-yes").is_disabled()
    chosen = page.locator("label[for=id-uses_ism-yes]")  # readable: the chosen answer stands out
    assert chosen.evaluate("label => getComputedStyle(label).fontWeight") == "700"
    context.close()


# -- the employee ----------------------------------------------------------------------


@pytest.mark.parametrize("lang,width", WALKS)
def test_an_employee_answers_the_pulse_survey(browser, live_server, transactional_db, lang, width):
    edition = actions.create_edition("Editie 2026", 2026, instrument_name="ism-2018")
    actions.open_edition(edition)
    participation = actions.add_organisation(edition, "GEM-07", "Gemeente Zevenbergen")
    survey = pulse_actions.start_pulse(participation.organisation, ["Burgerzaken", "ICT", "Wijken"])
    pulse = get("pulse-2018")
    walk = Walk("employee", lang, width)
    context = browser.new_context(viewport=VIEWPORTS[width])
    page = context.new_page()

    page.goto(f"{live_server.url}/s/{pulse_actions.new_link(survey)}/")
    walk.step(page, "questions", pulse.title.get("nl"), lang="nl")
    if lang == "en":
        page.get_by_role("button", name="English").click()
        walk.step(page, "switched-to-english", pulse.title.get("en"))
    send = page.locator("main .buttons").get_by_role("button", name=walk.t("Send my answers"))
    send.click()
    walk.step(page, "answers-missing", pulse.title.get(lang))
    assert page.locator("#error-summary").is_visible()

    for key in ("read_frequency", "post_frequency"):
        page.locator(f"#q-{key} label").nth(1).click()
    for key in ("helps_work", "feels_informed", "feels_heard", "knows_purpose"):
        page.locator(f"#q-{key} label").nth(3).click()
    page.locator("#q-department label").filter(has_text="ICT").click()
    page.locator("#q-improvement textarea").fill(
        "Minder meldingen." if lang == "nl" else "Fewer notifications."
    )
    walk.step(page, "answered", pulse.title.get(lang))
    # what was answered since sending no longer says it is missing
    assert not page.locator("#error-read_frequency").is_visible()
    assert not page.locator("#error-feels_heard").is_visible()
    send.click()
    walk.step(page, "thanks", walk.t("Thank you for answering"))
    stored = PulseResponse.objects.get()
    assert stored.department == "ict" and stored.answers["helps_work"] == 4
    assert not Participation.objects.filter(submitted_at__isnull=False).exists()
    context.close()
