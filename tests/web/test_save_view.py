"""Saving one answer as it is given (the page's script)."""

from ismonitor.web.editions.models import Answer

from .conftest import answer


def _save(client, participation, data):
    return client.post(f"/p/{participation.pk}/questionnaire/save/", data)


def test_it_saves_and_returns_the_new_version_and_layout(link_client, participation_a):
    response = _save(
        link_client, participation_a, {"item": "uses_ism", "v-uses_ism": "0", "a-uses_ism": "yes"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["version"] == 1
    assert "platforms" in body["visible"]
    assert "adoption" in body["sections"]
    assert (
        Answer.objects.get(participation=participation_a, item_key="uses_ism").updated_by == "link"
    )


def test_it_records_who_saved(client, bob, participation_a):
    client.force_login(bob)
    _save(client, participation_a, {"item": "sector", "v-sector": "0", "a-sector": "education"})
    assert Answer.objects.get(item_key="sector").updated_by == "bob"


def test_it_returns_a_conflict_for_a_stale_version(link_client, participation_a):
    answer(participation_a, "sector", "government")
    response = _save(
        link_client, participation_a, {"item": "sector", "v-sector": "0", "a-sector": "education"}
    )
    assert response.status_code == 409
    assert "collega" in response.json()["error"]
    assert Answer.objects.get(item_key="sector").value == "government"


def test_two_colleagues_giving_the_same_answer_do_not_conflict(link_client, participation_a):
    answer(participation_a, "sector", "education")
    response = _save(
        link_client, participation_a, {"item": "sector", "v-sector": "0", "a-sector": "education"}
    )
    assert response.status_code == 200


def test_it_refuses_an_invalid_answer_with_a_message(link_client, participation_a):
    response = _save(
        link_client, participation_a, {"item": "sector", "v-sector": "0", "a-sector": "moon"}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "Kies een van de antwoorden."


def test_it_refuses_an_unknown_item(link_client, participation_a):
    assert _save(link_client, participation_a, {"item": "nope"}).status_code == 400


def test_it_refuses_when_locked(link_client, participation_a):
    participation_a.locked = True
    participation_a.save()
    response = _save(
        link_client, participation_a, {"item": "sector", "v-sector": "0", "a-sector": "education"}
    )
    assert response.status_code == 403


def test_it_needs_the_csrf_token(participation_a):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.get(f"/i/{participation_a.token}/")
    response = _save(
        strict, participation_a, {"item": "sector", "v-sector": "0", "a-sector": "education"}
    )
    assert response.status_code == 403


def test_it_is_not_for_another_organisation(client, charlie, participation_a):
    # Charlie should have no access to Bob's organisation
    client.force_login(charlie)
    response = _save(
        client, participation_a, {"item": "sector", "v-sector": "0", "a-sector": "education"}
    )
    assert response.status_code == 404
    assert not Answer.objects.exists()
