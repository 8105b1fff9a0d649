"""Starting a pulse survey from the organisation's page."""

from __future__ import annotations

import re

from ismonitor.web.pulse.models import PulseSurvey
from ismonitor.web.tokens import hash_token


def test_it_lets_a_member_start_one_with_departments(client, bob, org_a, participation_a):
    client.force_login(bob)
    page = client.get(f"/organisation/{org_a.pk}/").content.decode()
    assert "Start een peiling voor Editie 2026" in page
    response = client.post(f"/organisation/{org_a.pk}/pulse/", {"departments": "Zorg\nICT\n\n"})
    survey = PulseSurvey.objects.get()
    assert response.status_code == 200  # the survey's page, with its link shown this once
    assert survey.organisation == org_a and survey.edition == participation_a.edition
    assert survey.is_open
    assert survey.departments == [["zorg", "Zorg"], ["ict", "ICT"]]
    text = response.content.decode()
    token = re.search(r'value="http://testserver/s/([\w-]+)/"', text).group(1)
    assert len(token) >= 43  # secrets.token_urlsafe(32)
    assert survey.token_hash == hash_token(token)
    assert "Kopieer de link nu" in text
    assert client.get(f"/s/{token}/").status_code == 200


def test_it_lets_the_researcher_start_one_without_departments(
    client, alice, org_a, participation_a
):
    client.force_login(alice)
    client.post(f"/organisation/{org_a.pk}/pulse/", {"departments": ""})
    assert PulseSurvey.objects.get().departments == []


def test_it_refuses_a_single_department(client, bob, org_a, participation_a):
    client.force_login(bob)
    response = client.post(f"/organisation/{org_a.pk}/pulse/", {"departments": "Zorg"}, follow=True)
    assert "Noem minstens twee afdelingen, of geen." in response.content.decode()
    assert not PulseSurvey.objects.exists()


def test_it_starts_only_one_per_edition(client, bob, org_a, pulse_a):
    client.force_login(bob)
    page = client.get(f"/organisation/{org_a.pk}/").content.decode()
    assert "Start een peiling" not in page
    assert f"/pulse/{pulse_a.pk}/" in page
    response = client.post(f"/organisation/{org_a.pk}/pulse/", {"departments": ""}, follow=True)
    assert "al een peiling" in response.content.decode()
    assert PulseSurvey.objects.count() == 1


def test_it_needs_an_edition(client, bob, org_a):
    client.force_login(bob)
    response = client.post(f"/organisation/{org_a.pk}/pulse/", {"departments": ""}, follow=True)
    assert "doet nog niet mee aan een editie" in response.content.decode()


def test_it_is_not_offered_to_a_holder_of_the_invitation_link(link_client, org_a):
    # the link may have been passed round; setting up a pulse survey needs an account
    assert "Start een peiling" not in link_client.get(f"/organisation/{org_a.pk}/").content.decode()
    assert link_client.post(f"/organisation/{org_a.pk}/pulse/").status_code == 404


def test_it_hides_it_from_charlie(client, charlie, org_a, participation_a):
    # Charlie should have no access to Bob's organisation
    client.force_login(charlie)
    assert client.post(f"/organisation/{org_a.pk}/pulse/").status_code == 404
    assert not PulseSurvey.objects.exists()


def test_it_needs_post(client, bob, org_a, participation_a):
    client.force_login(bob)
    assert client.get(f"/organisation/{org_a.pk}/pulse/").status_code == 405
