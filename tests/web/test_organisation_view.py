def test_it_shows_a_member_their_organisation(client, bob, org_a, participation_a):
    client.force_login(bob)
    response = client.get(f"/organisation/{org_a.pk}/")
    assert response.status_code == 200
    assert "Editie 2026" in response.content.decode()


def test_it_hides_another_organisation(client, charlie, org_a):
    # Charlie should have no access to Bob's organisation
    client.force_login(charlie)
    assert client.get(f"/organisation/{org_a.pk}/").status_code == 404


def test_it_hides_it_from_anonymous_visitors(client, org_a):
    assert client.get(f"/organisation/{org_a.pk}/").status_code == 404
