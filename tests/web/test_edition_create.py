from django.core.files.uploadedfile import SimpleUploadedFile

from ismonitor.web.editions.models import Edition

from .conftest import DATA


def test_it_creates_a_draft_from_a_bundled_instrument(client, alice):
    client.force_login(alice)
    response = client.post(
        "/editions/new/",
        {"name": "Editie 2026", "year": "2026", "instrument_name": "ism-2018",
         "dashboard_visibility": "after_close"},
    )  # fmt: skip
    edition = Edition.objects.get()
    assert response["Location"] == f"/editions/{edition.pk}/"
    assert edition.status == "draft"
    assert edition.instrument_version == "2018.1"


def test_it_creates_an_edition_from_an_uploaded_instrument(client, alice):
    client.force_login(alice)
    upload = SimpleUploadedFile("mini.yaml", (DATA / "mini.yaml").read_bytes())
    client.post(
        "/editions/new/",
        {"name": "Mini", "year": "2026", "instrument_file": upload,
         "dashboard_visibility": "at_once"},
    )  # fmt: skip
    edition = Edition.objects.get()
    assert edition.instrument().name == "mini"
    assert edition.instrument_name == ""


def test_it_names_the_problems_of_a_broken_instrument(client, alice):
    client.force_login(alice)
    text = (DATA / "mini.yaml").read_text().replace("scale: agree5\n", "scale: agree7\n", 1)
    upload = SimpleUploadedFile("bad.yaml", text.encode())
    response = client.post(
        "/editions/new/",
        {"name": "Bad", "year": "2026", "instrument_file": upload,
         "dashboard_visibility": "at_once"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "no scale named" in response.content.decode()
    assert not Edition.objects.exists()


def test_it_needs_one_instrument(client, alice):
    client.force_login(alice)
    response = client.post(
        "/editions/new/",
        {"name": "None", "year": "2026", "dashboard_visibility": "at_once"},
    )
    assert response.status_code == 200
    assert "Kies een meegeleverd instrument" in response.content.decode()


def test_it_is_not_for_a_member(client, bob):
    client.force_login(bob)
    assert client.post("/editions/new/", {"name": "x"}).status_code == 404


def test_it_does_not_offer_the_pulse_instrument_for_an_edition(client, alice):
    # the employees' pulse survey is run by an organisation (test_pulse_start.py)
    client.force_login(alice)
    text = client.get("/editions/new/").content.decode()
    assert 'value="ism-2018"' in text
    assert "pulse-2018" not in text
