"""The employee's page behind the anonymous link: answering, checking, closed, thanks."""

from __future__ import annotations

import datetime

from django.utils import timezone

from ismonitor.web.pulse import actions
from ismonitor.web.pulse.models import PulseResponse

from .conftest import pulse_answers


def _url(survey) -> str:
    return f"/s/{survey.token}/"


def test_it_shows_the_questions_in_dutch_without_a_login(client, pulse_a):
    response = client.get(_url(pulse_a))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Hoe vaak leest u berichten op het platform?" in text
    assert "Personeelszaken" in text  # the organisation's own departments
    assert '<html lang="nl">' in text
    assert "<fieldset" in text and "<legend" in text
    assert 'for="id-improvement"' in text  # every input has its label


def test_it_switches_to_english_keeping_the_answers(client, pulse_a):
    response = client.post(_url(pulse_a), {"a-read_frequency": "daily", "action": "lang-en"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "How often do you read messages on the platform?" in text
    assert 'value="daily" checked' in text
    assert response.cookies["ismonitor_language"].value == "en"
    assert PulseResponse.objects.count() == 0


def test_it_stores_a_valid_answer_and_thanks(client, pulse_a):
    response = client.post(_url(pulse_a), pulse_answers())
    assert response.status_code == 302
    assert response["Location"] == _url(pulse_a)
    stored = PulseResponse.objects.get()
    assert stored.survey == pulse_a
    assert stored.department == "zorg"
    assert stored.answers == {
        "read_frequency": "weekly",
        "post_frequency": "monthly",
        "helps_work": 4,
        "feels_informed": 4,
        "feels_heard": 3,
        "knows_purpose": 5,
        "improvement": "Minder meldingen graag.",
    }
    thanks = client.get(_url(pulse_a)).content.decode()
    assert "Bedankt voor uw antwoorden" in thanks


def test_it_stores_nothing_that_identifies_the_person(client, pulse_a, bob):
    client.force_login(bob)  # even a logged-in member answering is not recorded as such
    client.post(
        _url(pulse_a),
        pulse_answers(),
        REMOTE_ADDR="203.0.113.9",
        HTTP_USER_AGENT="SecretBrowser/1.0",
    )
    stored = PulseResponse.objects.get()
    fields = {field.name for field in PulseResponse._meta.get_fields()}
    assert fields == {"id", "survey", "instrument_version", "answered_on", "department", "answers"}
    assert isinstance(stored.answered_on, datetime.date)
    assert not isinstance(stored.answered_on, datetime.datetime)
    assert stored.answered_on == timezone.localdate()
    row = PulseResponse.objects.values().get()
    assert set(row) == {
        "id",
        "survey_id",
        "instrument_version",
        "answered_on",
        "department",
        "answers",
    }
    for secret in ("203.0.113.9", "SecretBrowser", "bob"):
        assert secret not in str(row)
    assert len(str(stored.id)) == 36  # a random id, so rows do not show the order of answering


def test_it_leaves_the_optional_questions_optional(client, pulse_a):
    response = client.post(_url(pulse_a), pulse_answers(department=None, improvement=None))
    assert response.status_code == 302
    stored = PulseResponse.objects.get()
    assert stored.department == ""
    assert "improvement" not in stored.answers


def test_it_names_a_missing_answer_next_to_its_question(client, pulse_a):
    response = client.post(_url(pulse_a), pulse_answers(helps_work=None))
    assert response.status_code == 422
    text = response.content.decode()
    assert 'id="error-helps_work"' in text
    assert "Beantwoord deze vraag." in text
    assert 'href="#q-helps_work"' in text  # the summary links to the question
    assert 'value="weekly" checked' in text  # what was given is kept
    assert PulseResponse.objects.count() == 0


def test_it_refuses_an_answer_that_is_not_an_option(client, pulse_a):
    response = client.post(_url(pulse_a), pulse_answers(department="sales", helps_work="9"))
    assert response.status_code == 422
    text = response.content.decode()
    assert 'id="error-department"' in text and 'id="error-helps_work"' in text
    assert PulseResponse.objects.count() == 0


def test_it_says_so_when_the_survey_is_closed(client, pulse_a):
    actions.close_pulse(pulse_a)
    assert "Deze peiling is gesloten" in client.get(_url(pulse_a)).content.decode()
    response = client.post(_url(pulse_a), pulse_answers())
    assert response.status_code == 409
    assert PulseResponse.objects.count() == 0


def test_it_discourages_answering_twice_in_the_same_browser(client, pulse_a):
    client.post(_url(pulse_a), pulse_answers())
    response = client.post(_url(pulse_a), pulse_answers())
    assert response.status_code == 200
    assert "Bedankt voor uw antwoorden" in response.content.decode()
    assert PulseResponse.objects.count() == 1


def test_a_forged_answered_cookie_is_ignored(client, pulse_a):
    client.cookies[f"ismonitor_pulse_{pulse_a.pk}"] = "answered"
    assert "Hoe vaak leest u" in client.get(_url(pulse_a)).content.decode()


def test_it_gives_404_for_an_unknown_link(client, pulse_a):
    assert client.get(f"/s/{pulse_a.token[:-2]}xx/").status_code == 404
    assert client.get("/s/short/").status_code == 404


def test_it_leaves_out_the_department_question_without_departments(client, pulse_a):
    actions.set_departments(pulse_a, [])
    text = client.get(_url(pulse_a)).content.decode()
    assert "Bij welke afdeling" not in text
    assert client.post(_url(pulse_a), pulse_answers(department=None)).status_code == 302
