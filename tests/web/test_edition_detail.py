from .conftest import answer


def test_it_shows_progress_per_organisation(client, alice, participation_a, participation_b):
    answer(participation_a, "sector", "government")
    client.force_login(alice)
    response = client.get(f"/editions/{participation_a.edition_id}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "2 organisaties: 0 uitgenodigd, 1 begonnen, 0 ingediend." in body
    assert "ORG-A Organisatie A" in body and "ORG-B Organisatie B" in body
    # only the links' hashes are kept: no link on the page, a button to make a new one
    assert f"/i/{participation_a.token}/" not in body and "/i/" not in body
    assert f'action="/editions/participations/{participation_a.pk}/link/"' in body


def test_it_labels_a_synthetic_edition(client, alice, closed_edition):
    closed_edition.synthetic = True
    closed_edition.save()
    client.force_login(alice)
    assert "SYNTHETISCHE" in client.get(f"/editions/{closed_edition.pk}/").content.decode()


def test_it_is_not_for_a_member(client, bob, participation_a):
    client.force_login(bob)
    assert client.get(f"/editions/{participation_a.edition_id}/").status_code == 404


def test_it_handles_a_missing_edition(client, alice):
    client.force_login(alice)
    assert client.get("/editions/999999/").status_code == 404
