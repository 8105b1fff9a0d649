from ismonitor.web.editions.models import Participation


def test_it_adds_an_organisation(client, alice, edition):
    client.force_login(alice)
    response = client.post(
        f"/editions/{edition.pk}/organisations/add/",
        {"org_id": "ORG-C", "name": "Organisatie C", "email": "c@example.org"},
    )
    assert response.status_code == 302
    participation = Participation.objects.get(organisation__org_id="ORG-C")
    assert participation.edition == edition
    assert len(participation.token_hash) == 64  # the SHA-256 of a token_urlsafe(32)


def test_it_refuses_a_bad_address(client, alice, edition):
    client.force_login(alice)
    client.post(
        f"/editions/{edition.pk}/organisations/add/",
        {"org_id": "ORG-C", "name": "Organisatie C", "email": "not an address"},
    )
    assert not Participation.objects.exists()


def test_it_is_not_for_a_member(client, bob, edition):
    client.force_login(bob)
    response = client.post(
        f"/editions/{edition.pk}/organisations/add/", {"org_id": "ORG-C", "name": "C"}
    )
    assert response.status_code == 404
