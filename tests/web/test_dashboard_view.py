"""The organisation's dashboard."""

from ismonitor.web.editions import actions
from ismonitor.web.editions.models import Edition

from .conftest import synthetic_table


def _url(participation):
    return f"/p/{participation.pk}/dashboard/"


def test_it_shows_scores_charts_and_advice(client, bob, closed_a):
    client.force_login(bob)
    response = client.get(_url(closed_a))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Dashboard van Organisatie A" in body
    assert "Totaalscore" in body
    assert "Alle organisaties" in body and "Uw sector" in body and "Uw grootteklasse" in body
    assert body.count("<svg") >= 3
    assert "Advies" in body
    assert f"/p/{closed_a.pk}/report.pdf" in body


def test_it_waits_for_the_edition_to_close(client, bob, closed_a):
    actions.open_edition(closed_a.edition)
    client.force_login(bob)
    body = client.get(_url(closed_a)).content.decode()
    assert "opent wanneer de onderzoeker deze editie sluit" in body


def test_it_opens_at_once_when_the_researcher_chose_so(client, bob, closed_a):
    edition = closed_a.edition
    actions.open_edition(edition)
    edition.dashboard_visibility = Edition.Visibility.AT_ONCE
    edition.save()
    client.force_login(bob)
    assert "Totaalscore" in client.get(_url(closed_a)).content.decode()


def test_it_shows_earlier_editions_side_by_side(client, bob, closed_a):
    earlier = actions.create_edition("Editie 2016", 2016, instrument_name="ism-2018")
    actions.load_table(earlier, synthetic_table(seed=11, year=2016))
    actions.close_edition(earlier)
    client.force_login(bob)
    body = client.get(_url(closed_a)).content.decode()
    assert "Uw eerdere edities" in body
    assert ">2016<" in body and ">2018<" in body


def test_it_is_not_for_another_organisation(client, charlie, closed_a):
    # Charlie should have no access to Bob's organisation
    client.force_login(charlie)
    assert client.get(_url(closed_a)).status_code == 404
