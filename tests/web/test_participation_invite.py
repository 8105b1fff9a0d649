from django.core import mail


def test_it_invites_one_organisation(client, alice, participation_a, participation_b):
    client.force_login(alice)
    client.post(f"/editions/participations/{participation_a.pk}/invite/")
    assert [m.to for m in mail.outbox] == [["a@example.org"]]


def test_it_says_when_there_is_no_address(client, alice, participation_a):
    organisation = participation_a.organisation
    organisation.email = ""
    organisation.save()
    client.force_login(alice)
    response = client.post(f"/editions/participations/{participation_a.pk}/invite/", follow=True)
    assert "heeft geen e-mailadres" in response.content.decode()


def test_it_is_not_for_a_member(client, bob, participation_a):
    client.force_login(bob)
    assert client.post(f"/editions/participations/{participation_a.pk}/invite/").status_code == 404
