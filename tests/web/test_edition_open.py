from ismonitor.web.editions import actions


def test_it_opens_a_draft(client, alice):
    edition = actions.create_edition("Editie", 2026, instrument_name="ism-2018")
    client.force_login(alice)
    assert client.post(f"/editions/{edition.pk}/open/").status_code == 302
    edition.refresh_from_db()
    assert edition.status == "open"


def test_it_refuses_get(client, alice, edition):
    client.force_login(alice)
    assert client.get(f"/editions/{edition.pk}/open/").status_code == 405


def test_it_is_not_for_a_member(client, bob, edition):
    client.force_login(bob)
    assert client.post(f"/editions/{edition.pk}/open/").status_code == 404
