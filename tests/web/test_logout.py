def test_it_logs_out(client, bob):
    client.force_login(bob)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_it_refuses_get(client, bob):
    client.force_login(bob)
    assert client.get("/accounts/logout/").status_code == 405
