from .conftest import answer_profile


def test_it_starts_the_questionnaire_at_the_first_page(client, bob, participation_a):
    client.force_login(bob)
    response = client.get(f"/p/{participation_a.pk}/")
    assert response["Location"] == f"/p/{participation_a.pk}/questionnaire/profile/"


def test_it_resumes_where_the_organisation_stopped(client, bob, participation_a):
    answer_profile(participation_a)
    for key in ("platforms", "main_platform", "since_year", "intended_effects"):
        from .conftest import answer

        value = {"platforms": ["slack"], "main_platform": "slack", "since_year": 2015}.get(
            key, ["alignment"]
        )
        answer(participation_a, key, value)
    client.force_login(bob)
    response = client.get(f"/p/{participation_a.pk}/")
    assert response["Location"] == f"/p/{participation_a.pk}/questionnaire/adoption/"


def test_it_shows_the_dashboard_once_open(client, bob, closed_a):
    client.force_login(bob)
    response = client.get(f"/p/{closed_a.pk}/")
    assert response["Location"] == f"/p/{closed_a.pk}/dashboard/"


def test_it_explains_a_draft_edition(client, bob, participation_a):
    participation_a.edition.status = "draft"
    participation_a.edition.save()
    client.force_login(bob)
    response = client.get(f"/p/{participation_a.pk}/")
    assert response.status_code == 200
    assert "nog niet geopend" in response.content.decode()
