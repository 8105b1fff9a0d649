"""A page of the questionnaire, posted as a plain form (no JavaScript)."""

import pytest

from ismonitor.web.editions.models import Answer

from .conftest import answer, answer_profile


def _url(participation, section="profile"):
    return f"/p/{participation.pk}/questionnaire/{section}/"


def _values(participation):
    return {a.item_key: a.value for a in Answer.objects.filter(participation=participation)}


def test_it_renders_every_item_of_the_page_with_labels(link_client, participation_a):
    response = link_client.get(_url(participation_a))
    body = response.content.decode()
    assert response.status_code == 200
    assert "In welke sector is uw organisatie actief?" in body
    assert '<label for="id-sector-government">Overheid</label>' in body
    assert "<legend" in body
    assert 'aria-describedby="help-sector"' in body
    assert "Deel" in body  # the progress indicator


def test_it_saves_the_page_and_goes_on(link_client, participation_a):
    response = link_client.post(
        _url(participation_a),
        {
            "p-sector": "1", "v-sector": "0", "a-sector": "government",
            "p-size_class": "1", "v-size_class": "0", "a-size_class": "up_to_249",
            "p-uses_ism": "1", "v-uses_ism": "0", "a-uses_ism": "no",
            "action": "next",
        },
    )  # fmt: skip
    assert response.status_code == 302
    # uses_ism == 'no' shows the section on why not, nothing else
    assert response["Location"] == _url(participation_a, "why_not")
    assert _values(participation_a) == {
        "sector": "government",
        "size_class": "up_to_249",
        "uses_ism": "no",
    }
    participation_a.refresh_from_db()
    assert participation_a.started_at is not None


def test_it_stays_on_the_page_when_questions_appear(link_client, participation_a):
    response = link_client.post(
        _url(participation_a),
        {"p-uses_ism": "1", "v-uses_ism": "0", "a-uses_ism": "yes", "action": "next"},
    )
    assert response["Location"] == _url(participation_a)
    body = link_client.get(_url(participation_a)).content.decode()
    assert "Welke platforms voor interne social media gebruikt uw organisatie?" in body


def test_it_shows_an_error_next_to_the_item(link_client, participation_a):
    answer_profile(participation_a)
    response = link_client.post(
        _url(participation_a),
        {"p-since_year": "1", "v-since_year": "0", "a-since_year": "1990", "action": "next"},
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert 'id="error-since_year"' in body
    assert "Vul een getal in van 2005 tot en met 2018." in body
    assert 'aria-invalid="true"' in body
    assert 'value="1990"' in body  # what was typed stays
    assert "since_year" not in _values(participation_a)


def test_it_accepts_a_decimal_comma(link_client, participation_a):
    answer_profile(participation_a)
    answer(participation_a, "platforms", ["slack"])
    link_client.post(
        _url(participation_a, "usage"),
        {"p-active_share": "1", "v-active_share": "0", "a-active_share": "27,5", "action": "save"},
    )
    assert _values(participation_a)["active_share"] == 27.5


@pytest.mark.parametrize(
    ("section", "item", "fields", "stored"),
    [
        ("profile", "platforms", {"a-platforms": ["slack", "teams"]}, ["teams", "slack"]),
        ("adoption", "ad_easy_to_use", {"a-ad_easy_to_use": "4"}, 4),
        ("usage", "passive_share", {"a-passive_share": "55"}, 55),
        ("profile", "since_year", {"a-since_year": "2012"}, 2012),
        ("profile", "main_platform",
         {"a-main_platform": "other", "a-main_platform-other": "Plek X"}, "other"),
    ],
)  # fmt: skip
def test_it_saves_every_item_type(link_client, participation_a, section, item, fields, stored):
    answer_profile(participation_a)
    data = {f"p-{item}": "1", f"v-{item}": "0", "action": "save", **fields}
    response = link_client.post(_url(participation_a, section), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _values(participation_a)[item] == stored


def test_it_saves_a_ranking(link_client, participation_a):
    answer_profile(participation_a, uses_ism="no")
    data = {
        "p-barriers": "1", "v-barriers": "0", "action": "save",
        "a-barriers-rank-costs": "1", "a-barriers-rank-it_not_ready": "2",
    }  # fmt: skip
    link_client.post(_url(participation_a, "why_not"), data)
    assert _values(participation_a)["barriers"] == ["costs", "it_not_ready"]


def test_it_refuses_a_rank_given_twice(link_client, participation_a):
    answer_profile(participation_a, uses_ism="no")
    data = {
        "p-barriers": "1", "v-barriers": "0", "action": "save",
        "a-barriers-rank-costs": "1", "a-barriers-rank-it_not_ready": "1",
    }  # fmt: skip
    response = link_client.post(_url(participation_a, "why_not"), data)
    assert response.status_code == 422
    assert "barriers" not in _values(participation_a)


def test_it_does_not_change_hidden_items(link_client, participation_a):
    answer_profile(participation_a)
    answer(participation_a, "platforms", ["slack"])
    answer(participation_a, "uses_ism", "no")
    # platforms is hidden now: its fields are disabled and not sent
    link_client.post(
        _url(participation_a),
        {"p-uses_ism": "1", "v-uses_ism": "2", "a-uses_ism": "no", "action": "save"},
    )
    assert _values(participation_a)["platforms"] == ["slack"]


def test_it_switches_the_language_and_keeps_the_answers(link_client, participation_a):
    response = link_client.post(
        _url(participation_a),
        {"p-sector": "1", "v-sector": "0", "a-sector": "healthcare", "action": "lang-en"},
    )
    assert response.status_code == 302
    assert response.cookies["ismonitor_language"].value == "en"
    body = link_client.get(_url(participation_a)).content.decode()
    assert "In which sector does your organisation operate?" in body
    assert 'value="healthcare" checked' in body


def test_it_reports_a_colleagues_change_instead_of_overwriting_it(link_client, participation_a):
    answer(participation_a, "sector", "government")  # the page below was loaded before this
    response = link_client.post(
        _url(participation_a),
        {"p-sector": "1", "v-sector": "0", "o-sector": "null", "a-sector": "education"},
    )
    assert response.status_code == 422
    assert "Een collega heeft dit antwoord gewijzigd" in response.content.decode()
    assert _values(participation_a)["sector"] == "government"


def test_it_keeps_a_colleagues_change_to_an_item_this_page_left_alone(link_client, participation_a):
    answer(participation_a, "size_class", "up_to_249")
    answer(participation_a, "size_class", "from_10000")  # a colleague, after the page loaded
    response = link_client.post(
        _url(participation_a),
        {
            "p-size_class": "1", "v-size_class": "1", "a-size_class": "up_to_249",
            "o-size_class": '["up_to_249", ""]',
            "p-sector": "1", "v-sector": "0", "a-sector": "education", "action": "save",
        },
    )  # fmt: skip
    assert response.status_code == 302
    assert _values(participation_a)["size_class"] == "from_10000"
    assert _values(participation_a)["sector"] == "education"


def test_it_refuses_changes_once_submitted(link_client, participation_a):
    participation_a.locked = True
    participation_a.save()
    response = link_client.post(
        _url(participation_a), {"p-sector": "1", "v-sector": "0", "a-sector": "education"}
    )
    assert response.status_code == 302
    assert "sector" not in _values(participation_a)
    body = link_client.get(_url(participation_a)).content.decode()
    assert "disabled" in body


def test_it_404s_for_a_section_that_is_not_shown(link_client, participation_a):
    assert link_client.get(_url(participation_a, "why_not")).status_code == 404
    assert link_client.get(_url(participation_a, "nonsense")).status_code == 404


def test_it_is_not_for_another_organisation(client, charlie, participation_a):
    # Charlie should have no access to Bob's organisation
    client.force_login(charlie)
    assert client.get(_url(participation_a)).status_code == 404
    assert client.post(_url(participation_a), {"a-sector": "education"}).status_code == 404
