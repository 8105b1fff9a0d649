"""The invitation link."""


def test_it_lets_the_browser_in(client, participation_a):
    response = client.get(f"/i/{participation_a.token}/")
    assert response.status_code == 302
    assert response["Location"] == f"/p/{participation_a.pk}/"
    assert client.get(f"/p/{participation_a.pk}/").status_code == 302


def test_it_refuses_a_wrong_token(client, participation_a):
    wrong = participation_a.token[:12] + "x" * (len(participation_a.token) - 12)
    assert client.get(f"/i/{wrong}/").status_code == 404
    assert client.get(f"/p/{participation_a.pk}/").status_code == 404


def test_it_refuses_a_short_token(client, participation_a):
    assert client.get(f"/i/{participation_a.token[:12]}/").status_code == 404


def test_the_link_of_one_organisation_does_not_open_another(
    client, participation_a, participation_b
):
    client.get(f"/i/{participation_a.token}/")
    assert client.get(f"/p/{participation_b.pk}/").status_code == 404


def test_the_menu_offers_the_organisation_not_a_login_after_the_link(client, participation_a):
    before = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/login/"' in before
    client.get(f"/i/{participation_a.token}/")
    page = client.get(f"/p/{participation_a.pk}/", follow=True).content.decode()
    menu = page[page.index('<ul class="menu">') : page.index("</ul>", page.index('class="menu"'))]
    assert 'href="/"' in menu and "Uw organisatie" in menu
    assert "/accounts/login/" not in menu
