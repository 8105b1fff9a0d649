import io
import warnings

import pandas as pd
from django.core.files.uploadedfile import SimpleUploadedFile

from ismonitor.instrument import get
from ismonitor.study import write
from ismonitor.study.synthetic import generate
from ismonitor.web.editions.models import Answer, Participation


def _file(tmp_path, suffix="csv", organisations=5):
    instrument = get("ism-2018")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = generate(instrument, organisations=organisations, seed=3)
    path = write(table, tmp_path / f"responses.{suffix}", instrument)
    return SimpleUploadedFile(path.name, path.read_bytes())


def test_it_imports_a_responses_file_as_submitted(client, alice, edition, tmp_path):
    client.force_login(alice)
    response = client.post(
        f"/editions/{edition.pk}/import/", {"file": _file(tmp_path)}, follow=True
    )
    assert "De antwoorden van 5 organisaties zijn geïmporteerd." in response.content.decode()
    participations = Participation.objects.filter(edition=edition)
    assert participations.count() == 5
    assert all(p.locked and p.submitted_at and p.imported for p in participations)


def test_the_export_gives_back_what_was_imported(client, alice, edition, tmp_path):
    client.force_login(alice)
    upload = _file(tmp_path)
    original = upload.read().decode()
    upload.seek(0)
    client.post(f"/editions/{edition.pk}/import/", {"file": upload})
    response = client.get(f"/editions/{edition.pk}/export.csv")
    exported = b"".join(response.streaming_content).decode()
    before = pd.read_csv(io.StringIO(original), dtype=str)
    after = pd.read_csv(io.StringIO(exported), dtype=str)
    # the export has every column of the instrument; the file only those with an answer
    assert after.drop(columns=before.columns).isna().all().all()
    after["edition"] = before["edition"]
    pd.testing.assert_frame_equal(after[before.columns], before)


def test_it_imports_spss_files(client, alice, edition, tmp_path):
    client.force_login(alice)
    client.post(f"/editions/{edition.pk}/import/", {"file": _file(tmp_path, "sav")})
    assert Participation.objects.filter(edition=edition).count() == 5


def test_it_imports_nothing_from_a_file_with_a_problem(client, alice, edition, tmp_path):
    client.force_login(alice)
    text = _file(tmp_path).read().decode()
    lines = text.splitlines()
    header = lines[0].split(",")
    cells = lines[2].split(",")
    cells[header.index("sector")] = "moon"
    lines[2] = ",".join(cells)
    upload = SimpleUploadedFile("broken.csv", ("\n".join(lines) + "\n").encode())
    response = client.post(f"/editions/{edition.pk}/import/", {"file": upload}, follow=True)
    body = response.content.decode()
    assert "er is niets geïmporteerd" in body
    assert "broken.csv: line 3" in body and "&#x27;moon&#x27; is not an option" in body
    assert not Answer.objects.exists()


def test_it_names_an_unreadable_file(client, alice, edition):
    client.force_login(alice)
    upload = SimpleUploadedFile("answers.txt", b"hello")
    response = client.post(f"/editions/{edition.pk}/import/", {"file": upload}, follow=True)
    assert "answers.txt: unknown file type" in response.content.decode()


def test_it_is_not_for_a_member(client, bob, edition, tmp_path):
    client.force_login(bob)
    response = client.post(f"/editions/{edition.pk}/import/", {"file": _file(tmp_path)})
    assert response.status_code == 404
    assert not Participation.objects.exists()
