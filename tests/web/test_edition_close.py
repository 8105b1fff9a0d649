def test_it_closes_the_edition(client, alice, edition):
    client.force_login(alice)
    assert client.post(f"/editions/{edition.pk}/close/").status_code == 302
    edition.refresh_from_db()
    assert edition.status == "closed"
    assert edition.closed_at is not None


def test_a_closed_edition_takes_no_more_answers(client, alice, bob, participation_a):
    client.force_login(alice)
    client.post(f"/editions/{participation_a.edition_id}/close/")
    client.force_login(bob)
    response = client.post(
        f"/p/{participation_a.pk}/questionnaire/save/",
        {"item": "sector", "v-sector": "0", "a-sector": "education"},
    )
    assert response.status_code == 403


def test_it_is_not_for_a_member(client, bob, edition):
    client.force_login(bob)
    assert client.post(f"/editions/{edition.pk}/close/").status_code == 404
