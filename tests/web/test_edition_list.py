def test_it_lists_the_editions_for_the_researcher(client, alice, edition):
    client.force_login(alice)
    response = client.get("/editions/")
    assert response.status_code == 200
    assert "Editie 2026" in response.content.decode()


def test_it_sends_an_anonymous_visitor_to_the_login(client, edition):
    response = client.get("/editions/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_is_not_for_a_member(client, bob, edition):
    client.force_login(bob)
    assert client.get("/editions/").status_code == 404
