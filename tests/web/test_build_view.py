from ismonitor.web.editions.models import ReportBuild


def test_it_shows_the_progress_as_a_page_and_as_json(client, alice, edition):
    build = ReportBuild.objects.create(
        edition=edition, progress=50, step="writing", state="running"
    )
    client.force_login(alice)
    page = client.get(f"/editions/builds/{build.pk}/").content.decode()
    assert 'value="50"' in page
    assert "Het nationale rapport wordt geschreven." in page
    status = client.get(f"/editions/builds/{build.pk}/?format=json").json()
    assert status == {
        "state": "running",
        "progress": 50,
        "step": "Het nationale rapport wordt geschreven.",
        "finished": False,
        "error": "",
    }


def test_it_is_not_for_a_member(client, bob, edition):
    build = ReportBuild.objects.create(edition=edition)
    client.force_login(bob)
    assert client.get(f"/editions/builds/{build.pk}/").status_code == 404
