def test_it_downloads_the_organisations_report_as_pdf(client, bob, closed_a):
    client.force_login(bob)
    response = client.get(f"/p/{closed_a.pk}/report.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "ORG-A-2018-nl.pdf" in response["Content-Disposition"]


def test_it_is_not_there_before_the_dashboard_opens(client, bob, participation_a):
    client.force_login(bob)
    assert client.get(f"/p/{participation_a.pk}/report.pdf").status_code == 404


def test_it_is_not_for_another_organisation(client, charlie, closed_a):
    # Charlie should have no access to Bob's organisation
    client.force_login(charlie)
    assert client.get(f"/p/{closed_a.pk}/report.pdf").status_code == 404
