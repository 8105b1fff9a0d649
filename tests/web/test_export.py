import io

import pandas as pd
import pytest


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "sav", "parquet"])
def test_it_exports_the_submitted_answers(client, alice, closed_edition, fmt):
    client.force_login(alice)
    response = client.get(f"/editions/{closed_edition.pk}/export.{fmt}")
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    assert f'filename="responses-2018-{closed_edition.pk}.{fmt}"' in response["Content-Disposition"]
    if fmt == "csv":
        table = pd.read_csv(io.BytesIO(data))
        assert len(table) == 12
        assert {"ORG-A", "ORG-B"} <= set(table["org_id"])
    else:
        assert len(data) > 1000


def test_it_refuses_an_unknown_format(client, alice, closed_edition):
    client.force_login(alice)
    assert client.get(f"/editions/{closed_edition.pk}/export.json").status_code == 404


def test_it_is_not_for_a_member(client, bob, closed_edition):
    client.force_login(bob)
    assert client.get(f"/editions/{closed_edition.pk}/export.csv").status_code == 404
