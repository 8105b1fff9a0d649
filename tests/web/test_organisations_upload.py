from django.core.files.uploadedfile import SimpleUploadedFile

from ismonitor.web.editions.models import Participation


def _upload(client, edition, text):
    return client.post(
        f"/editions/{edition.pk}/organisations/upload/",
        {"file": SimpleUploadedFile("orgs.csv", text.encode())},
        follow=True,
    )


def test_it_adds_every_organisation_of_the_file(client, alice, edition):
    client.force_login(alice)
    response = _upload(
        client,
        edition,
        "org_id,name,email,sector,size_class\n"
        "ORG-1,Gemeente Eén,een@example.org,government,from_1000_to_4999\n"
        "ORG-2,Zorg Twee,,healthcare,\n",
    )
    assert "2 organisaties uit het bestand doen mee." in response.content.decode()
    assert Participation.objects.filter(edition=edition).count() == 2


def test_it_accepts_semicolons(client, alice, edition):
    client.force_login(alice)
    _upload(client, edition, "org_id;name\nORG-1;Een\nORG-2;Twee\n")
    assert Participation.objects.count() == 2


def test_it_adds_nothing_when_a_line_is_wrong(client, alice, edition):
    client.force_login(alice)
    response = _upload(
        client,
        edition,
        "org_id,name,email,sector\nORG-1,Een,,government\nORG-1,Dubbel,,space\n",
    )
    body = response.content.decode()
    assert "regel 3: de org_id ORG-1 staat ook op regel 2." in body
    assert "regel 3: space is geen sector van dit instrument" in body
    assert not Participation.objects.exists()


def test_it_names_missing_columns(client, alice, edition):
    client.force_login(alice)
    response = _upload(client, edition, "id,naam\n1,Een\n")
    assert "moet de kolommen org_id en name hebben" in response.content.decode()


def test_it_is_not_for_a_member(client, bob, edition):
    client.force_login(bob)
    assert _upload(client, edition, "org_id,name\nX,Y\n").status_code == 404
