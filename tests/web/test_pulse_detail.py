"""The pulse survey's page for the organisation: its link and its results, only once the
survey is closed and only for groups of at least five."""

from __future__ import annotations

import re

import pytest

from ismonitor.web.pulse import actions

from .conftest import DEPARTMENTS


def _answer(survey, department, helps_work=4, text=None):
    problems = actions.answer_pulse(
        survey,
        {
            "read_frequency": "weekly",
            "post_frequency": "never",
            "helps_work": helps_work,
            "feels_informed": 3,
            "feels_heard": 2,
            "knows_purpose": 4,
            "department": department,
            "improvement": text,
        },
    )
    assert not problems, problems


def _headers(text: str) -> list[str]:
    """The group headers of the first results table."""
    table = text[text.index('class="table numbers pulse-results"') :]
    head = table[: table.index("</thead>")]
    return [
        re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r'<th scope="col">(.*?)</th>', head)
    ]


def _fill(survey):
    """12 from Zorg, 9 from ICT, 6 from Personeelszaken, 3 from Financiën."""
    for department, count in [("zorg", 12), ("ict", 9), ("personeelszaken", 6), ("financien", 3)]:
        for n in range(count):
            _answer(
                survey,
                department,
                helps_work=5 if department == "ict" else 2,
                text=f"{department} idee {n}",
            )
    return survey


@pytest.fixture
def answering(pulse_a):
    """Still open, with 30 answers: 12 Zorg, 9 ICT, 6 Personeelszaken, 3 Financiën."""
    return _fill(pulse_a)


@pytest.fixture
def answered(answering):
    """The same 30 answers, and the survey closed."""
    actions.close_pulse(answering)
    return answering


def test_it_shows_a_member_the_survey_but_not_its_link_again(client, bob, pulse_a):
    client.force_login(bob)
    response = client.get(f"/pulse/{pulse_a.pk}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert pulse_a.token not in text and "/s/" not in text  # only its hash is kept
    assert "hij kan niet opnieuw worden getoond" in text
    assert f'action="/pulse/{pulse_a.pk}/link/"' in text
    assert "Sluit de peiling" in text
    assert all(name in text for name in DEPARTMENTS)  # still editable


def test_it_shows_nothing_but_the_count_below_five(client, bob, pulse_a):
    for _ in range(4):
        _answer(pulse_a, "zorg", text="geheim")
    actions.close_pulse(pulse_a)
    client.force_login(bob)
    text = client.get(f"/pulse/{pulse_a.pk}/").content.decode()
    assert "4 antwoorden" in text
    assert "Uitkomsten worden getoond vanaf 5 antwoorden" in text
    assert "<table" not in text and "geheim" not in text


def test_it_rolls_a_small_department_up_with_the_next_smallest(client, bob, answered):
    client.force_login(bob)
    text = client.get(f"/pulse/{answered.pk}/").content.decode()
    assert "30 antwoorden" in text
    assert _headers(text) == [
        "Antwoord",
        "Iedereen (n = 30)",
        "Zorg (n = 12)",
        "ICT (n = 9)",
        "Overige afdelingen (n = 9)",
    ]
    assert "Personeelszaken (n" not in text and "Financiën (n" not in text
    assert "2 afdelingen worden niet apart getoond." in text


def test_it_shows_the_distribution_per_group(client, bob, answered):
    client.force_login(bob)
    text = client.get(f"/pulse/{answered.pk}/").content.decode()
    table = text[text.index("Het platform helpt mij bij mijn werk.") :]
    table = table[: table.index("</table>")]
    row = re.search(r'scope="row">Helemaal eens</th>(.*?)</tr>', table).group(1)
    percentages = re.findall(r"(\d+)%<", row)
    assert percentages == ["30", "0", "100", "0"]  # everyone, Zorg, ICT, other departments


def test_it_shows_the_open_texts_shuffled_never_per_department(client, bob, answered):
    client.force_login(bob)
    text = client.get(f"/pulse/{answered.pk}/").content.decode()
    texts = re.findall(r"<li>(\w+ idee \d+)</li>", text)
    assert len(texts) == 30
    assert "In willekeurige volgorde, en nooit per afdeling." in text


def test_it_no_longer_offers_to_change_the_departments(client, bob, answered):
    client.force_login(bob)
    text = client.get(f"/pulse/{answered.pk}/").content.decode()
    assert f"/pulse/{answered.pk}/departments/" not in text


def test_it_shows_the_researcher_the_same(client, alice, answered):
    client.force_login(alice)
    text = client.get(f"/pulse/{answered.pk}/").content.decode()
    assert _headers(text)[1] == "Iedereen (n = 30)"


def test_it_hides_it_from_charlie(client, charlie, answered):
    # Charlie should have no access to Bob's organisation
    client.force_login(charlie)
    assert client.get(f"/pulse/{answered.pk}/").status_code == 404


def test_it_hides_it_from_a_holder_of_the_invitation_link(link_client, answered):
    assert link_client.get(f"/pulse/{answered.pk}/").status_code == 404


def test_it_hides_it_from_anonymous_visitors(client, answered):
    assert client.get(f"/pulse/{answered.pk}/").status_code == 404


# -- while the survey is open: only the number of responses ------------------------------

RESULT_MARKS = ("<table", "%", "(n =", "idee", "Iedereen", "Overige afdelingen", "Helemaal")
"""What any shown result would contain: tables, percentages, group sizes, open answers."""


def _pages(client, survey) -> dict[str, str]:
    """Every page and format a member can ask about the survey or its organisation."""
    pages = {}
    for url in (
        f"/pulse/{survey.pk}/",
        f"/pulse/{survey.pk}/?format=json",
        f"/pulse/{survey.pk}/?format=csv",
        f"/organisation/{survey.organisation_id}/",
        "/",
    ):
        response = client.get(url, HTTP_ACCEPT="application/json", follow=True)
        assert response.status_code == 200, url
        pages[url] = response.content.decode()
    return pages


@pytest.mark.parametrize("who", ["bob", "alice"])
def test_an_open_survey_shows_only_the_number_of_responses(client, request, who, answering):
    client.force_login(request.getfixturevalue(who))
    pages = _pages(client, answering)
    detail = pages[f"/pulse/{answering.pk}/"]
    assert "30 antwoorden tot nu toe" in detail
    assert "De uitkomsten verschijnen als de peiling sluit." in detail
    for url, text in pages.items():
        if url.startswith("/pulse/"):  # the results section of the survey's page
            shown, marks = text[text.index('id="pulse-results"') :], RESULT_MARKS
        else:  # pages with tables of their own: nothing of the survey's results
            shown, marks = text, ("pulse-results", *RESULT_MARKS[2:])
        for mark in marks:
            assert mark not in shown, f"{url} shows {mark!r} while the survey is open"
    # the departments are named (as the list employees choose from) but never counted
    assert not re.search(r"(Zorg|ICT|Personeelszaken|Financi\u00ebn)\W*\(?\s*(n\s*=\s*)?\d", detail)


def test_it_explains_it_in_english(client, bob, answering):
    client.force_login(bob)
    client.cookies["ismonitor_language"] = "en"
    text = client.get(f"/pulse/{answering.pk}/").content.decode()
    assert "30 responses so far" in text
    assert "The results appear when the survey closes." in text
    assert "<table" not in text


def _without_csrf(text: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)


def test_one_more_answer_while_open_changes_nothing_but_the_count(client, bob, answering):
    # the differencing attack: look just before and just after one colleague answers
    client.force_login(bob)
    before = _without_csrf(client.get(f"/pulse/{answering.pk}/").content.decode())
    _answer(answering, "financien", helps_work=1, text="mijn eigen mening")
    after = _without_csrf(client.get(f"/pulse/{answering.pk}/").content.decode())
    assert after != before
    assert after.replace("31 antwoorden tot nu toe", "30 antwoorden tot nu toe") == before


def test_closing_shows_the_results(client, bob, answering):
    client.force_login(bob)
    response = client.post(f"/pulse/{answering.pk}/close/", follow=True)
    text = response.content.decode()
    assert "De uitkomsten staan hieronder." in text
    assert "30 antwoorden" in text and "tot nu toe" not in text
    assert _headers(text)[1] == "Iedereen (n = 30)"
    assert len(re.findall(r"<li>(\w+ idee \d+)</li>", text)) == 30


def test_once_the_results_are_shown_it_cannot_be_opened_again(client, bob, answered):
    # reopening, one more answer and closing again would reveal that answer by difference
    client.force_login(bob)
    text = client.get(f"/pulse/{answered.pk}/").content.decode()
    assert f"/pulse/{answered.pk}/open/" not in text
    assert "kan de peiling niet meer worden geopend" in text
    response = client.post(f"/pulse/{answered.pk}/open/", follow=True)
    assert "kan hij niet opnieuw worden geopend" in response.content.decode()
    answered.refresh_from_db()
    assert not answered.is_open and answered.results_released_at is not None
    with pytest.raises(actions.ActionError):
        actions.answer_pulse(answered, {"read_frequency": "weekly"})


def test_below_five_it_can_be_opened_again(client, bob, pulse_a):
    for _ in range(4):
        _answer(pulse_a, "zorg")
    actions.close_pulse(pulse_a)
    pulse_a.refresh_from_db()
    assert pulse_a.results_released_at is None  # nothing but the count was shown
    client.force_login(bob)
    assert f"/pulse/{pulse_a.pk}/open/" in client.get(f"/pulse/{pulse_a.pk}/").content.decode()
    client.post(f"/pulse/{pulse_a.pk}/open/")
    pulse_a.refresh_from_db()
    assert pulse_a.is_open


def test_the_results_function_gives_only_the_count_while_open(answering):
    from ismonitor.web.pulse.results import results

    found = results(answering, "nl")
    assert (found.is_open, found.total, found.shown) == (True, 30, False)
    assert found.groups == [] and found.questions == [] and found.texts == []
    actions.close_pulse(answering)
    found = results(answering, "nl")
    assert not found.is_open and found.shown and len(found.texts) == 30
