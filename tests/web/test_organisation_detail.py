def test_it_shows_the_researcher_an_organisation(client, alice, bob, org_a, participation_a):
    client.force_login(alice)
    body = client.get(f"/editions/organisations/{org_a.pk}/").content.decode()
    assert "ORG-A Organisatie A" in body
    assert "Editie 2026" in body
    assert "bob" in body


def test_it_is_not_for_a_member(client, bob, org_a):
    client.force_login(bob)
    assert client.get(f"/editions/organisations/{org_a.pk}/").status_code == 404
