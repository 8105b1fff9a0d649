"""Becoming a member of an organisation through an invitation link."""

from ismonitor.web.accounts.models import MemberInvitation, Membership


def test_it_creates_the_account_and_membership(client, org_a):
    _invitation, token = MemberInvitation.create(org_a, "dana@example.org")
    response = client.post(
        f"/accounts/join/{token}/",
        {"username": "dana", "password1": "a long pass phrase", "password2": "a long pass phrase"},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user__username="dana")
    assert membership.organisation == org_a
    assert response.wsgi_request.user.username == "dana"


def test_it_hashes_the_password(client, org_a, django_user_model):
    _invitation, token = MemberInvitation.create(org_a, "dana@example.org")
    client.post(
        f"/accounts/join/{token}/",
        {"username": "dana", "password1": "a long pass phrase", "password2": "a long pass phrase"},
    )
    user = django_user_model.objects.get(username="dana")
    assert "a long pass phrase" not in user.password
    assert user.check_password("a long pass phrase")


def test_it_can_be_used_once(client, org_a):
    _invitation, token = MemberInvitation.create(org_a, "dana@example.org")
    data = {
        "username": "dana",
        "password1": "a long pass phrase",
        "password2": "a long pass phrase",
    }
    client.post(f"/accounts/join/{token}/", data)
    client.logout()
    assert client.get(f"/accounts/join/{token}/").status_code == 404


def test_it_refuses_a_weak_password(client, org_a):
    _invitation, token = MemberInvitation.create(org_a, "dana@example.org")
    response = client.post(
        f"/accounts/join/{token}/", {"username": "dana", "password1": "1234", "password2": "1234"}
    )
    assert response.status_code == 200
    assert not Membership.objects.exists()


def test_it_handles_a_bad_token(client, db):
    assert client.get("/accounts/join/not-a-token/").status_code == 404


def test_the_token_is_not_stored(org_a):
    invitation, token = MemberInvitation.create(org_a, "dana@example.org")
    assert token not in invitation.token_hash
