"""Running the analysis and national report in the background (tests: the immediate backend)."""

from ismonitor.web.editions.models import ReportBuild


def test_it_builds_the_report_and_shows_its_progress(client, alice, closed_edition):
    client.force_login(alice)
    response = client.post(f"/editions/{closed_edition.pk}/reports/", {"lang": "en"})
    build = ReportBuild.objects.get()
    assert response["Location"] == f"/editions/builds/{build.pk}/"
    assert build.state == "done", build.error
    assert build.progress == 100
    assert build.organisations == 12
    assert build.analysis["participants"]["organisations"] == 12
    assert build.pdf_path().read_bytes().startswith(b"%PDF")
    assert build.task_id


def test_it_refuses_an_edition_without_submissions(client, alice, edition):
    client.force_login(alice)
    response = client.post(f"/editions/{edition.pk}/reports/", {"lang": "nl"}, follow=True)
    assert "Nog geen enkele organisatie heeft haar antwoorden ingediend." in (
        response.content.decode()
    )
    assert not ReportBuild.objects.exists()


def test_it_is_not_for_a_member(client, bob, closed_edition):
    client.force_login(bob)
    assert client.post(f"/editions/{closed_edition.pk}/reports/").status_code == 404
    assert not ReportBuild.objects.exists()
