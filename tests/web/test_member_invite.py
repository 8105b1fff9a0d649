import re

from django.core import mail

from ismonitor.web.accounts.models import MemberInvitation, Membership


def test_it_invites_a_member_who_can_then_join(client, alice, org_a):
    client.force_login(alice)
    client.post(f"/editions/organisations/{org_a.pk}/members/", {"email": "dana@example.org"})
    assert MemberInvitation.objects.get().email == "dana@example.org"
    link = re.search(r"http://testserver(/accounts/join/[^/\s]+/)", mail.outbox[0].body).group(1)
    client.logout()
    client.post(
        link,
        {"username": "dana", "password1": "a long pass phrase", "password2": "a long pass phrase"},
    )
    assert Membership.objects.get(user__username="dana").organisation == org_a


def test_it_is_not_for_a_member(client, bob, org_a):
    client.force_login(bob)
    response = client.post(
        f"/editions/organisations/{org_a.pk}/members/", {"email": "eve@example.org"}
    )
    assert response.status_code == 404
    assert not MemberInvitation.objects.exists()
