def test_it_welcomes_an_anonymous_visitor(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert "Nationaal onderzoek" in response.content.decode() or "interne social media" in (
        response.content.decode()
    )


def test_it_sends_the_researcher_to_the_editions(client, alice):
    client.force_login(alice)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/editions/"


def test_it_lists_a_members_own_organisation_only(client, bob, participation_a, participation_b):
    client.force_login(bob)
    body = client.get("/").content.decode()
    assert "Organisatie A" in body
    assert "Organisatie B" not in body


def test_it_lists_the_organisation_of_the_link(link_client, participation_b):
    body = link_client.get("/").content.decode()
    assert "Organisatie A" in body
    assert "Organisatie B" not in body
