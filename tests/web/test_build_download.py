from ismonitor.web.editions.models import ReportBuild


def test_it_downloads_the_national_report(client, alice, closed_edition):
    client.force_login(alice)
    client.post(f"/editions/{closed_edition.pk}/reports/", {"lang": "nl"})
    build = ReportBuild.objects.get()
    response = client.get(f"/editions/builds/{build.pk}/national.pdf")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "ismonitor-national-2018-nl.pdf" in response["Content-Disposition"]


def test_it_is_not_there_before_the_build_is_done(client, alice, edition):
    build = ReportBuild.objects.create(edition=edition)
    client.force_login(alice)
    assert client.get(f"/editions/builds/{build.pk}/national.pdf").status_code == 404


def test_it_is_not_for_a_member(client, bob, edition):
    build = ReportBuild.objects.create(edition=edition, state="done")
    client.force_login(bob)
    assert client.get(f"/editions/builds/{build.pk}/national.pdf").status_code == 404
