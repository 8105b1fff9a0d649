"""Checking and submitting the answers."""

from .conftest import answer, answer_profile


def _url(participation):
    return f"/p/{participation.pk}/questionnaire/review/"


def test_it_lists_the_required_questions_not_answered(link_client, participation_a):
    body = link_client.get(_url(participation_a)).content.decode()
    assert "In welke sector is uw organisatie actief?" in body
    assert "Beantwoord deze vraag." in body
    assert f'href="/p/{participation_a.pk}/questionnaire/profile/#q-sector"' in body


def test_it_does_not_submit_with_problems(link_client, participation_a):
    response = link_client.post(_url(participation_a))
    assert response.status_code == 422
    participation_a.refresh_from_db()
    assert participation_a.submitted_at is None


def test_it_submits_and_locks(link_client, participation_a):
    answer_profile(participation_a, uses_ism="no")
    answer(participation_a, "barriers", ["costs"])
    response = link_client.post(_url(participation_a))
    assert response.status_code == 302
    participation_a.refresh_from_db()
    assert participation_a.submitted_at is not None
    assert participation_a.locked


def test_it_leaves_answers_to_hidden_items_out_of_the_check(link_client, participation_a):
    answer_profile(participation_a)
    answer(participation_a, "uses_ism", "no")  # adoption and the rest are hidden now
    assert link_client.post(_url(participation_a)).status_code == 302


def test_it_is_not_for_another_organisation(client, charlie, participation_a):
    # Charlie should have no access to Bob's organisation
    client.force_login(charlie)
    assert client.get(_url(participation_a)).status_code == 404
    assert client.post(_url(participation_a)).status_code == 404
