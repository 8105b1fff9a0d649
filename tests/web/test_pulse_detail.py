"""The pulse survey's page for the organisation: its link and its results, only for groups
of at least five."""

from __future__ import annotations

import re

import pytest

from ismonitor.web.pulse import actions

from .conftest import DEPARTMENTS


def _answer(survey, department, helps_work=4, text=None):
    problems = actions.answer_pulse(
        survey,
        {
            "read_frequency": "weekly",
            "post_frequency": "never",
            "helps_work": helps_work,
            "feels_informed": 3,
            "feels_heard": 2,
            "knows_purpose": 4,
            "department": department,
            "improvement": text,
        },
    )
    assert not problems, problems


def _headers(text: str) -> list[str]:
    """The group headers of the first results table."""
    table = text[text.index('class="table numbers pulse-results"') :]
    head = table[: table.index("</thead>")]
    return [
        re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r'<th scope="col">(.*?)</th>', head)
    ]


@pytest.fixture
def answered(pulse_a):
    """12 from Zorg, 9 from ICT, 6 from Personeelszaken, 3 from Financiën."""
    for department, count in [("zorg", 12), ("ict", 9), ("personeelszaken", 6), ("financien", 3)]:
        for n in range(count):
            _answer(
                pulse_a,
                department,
                helps_work=5 if department == "ict" else 2,
                text=f"{department} idee {n}",
            )
    return pulse_a


def test_it_shows_a_member_the_link(client, bob, pulse_a):
    client.force_login(bob)
    response = client.get(f"/pulse/{pulse_a.pk}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert f"http://testserver/s/{pulse_a.token}/" in text
    assert "Sluit de peiling" in text
    assert all(name in text for name in DEPARTMENTS)  # still editable


def test_it_shows_nothing_but_the_count_below_five(client, bob, pulse_a):
    for _ in range(4):
        _answer(pulse_a, "zorg", text="geheim")
    client.force_login(bob)
    text = client.get(f"/pulse/{pulse_a.pk}/").content.decode()
    assert "4 antwoorden" in text
    assert "Uitkomsten worden getoond vanaf 5 antwoorden" in text
    assert "<table" not in text and "geheim" not in text


def test_it_rolls_a_small_department_up_with_the_next_smallest(client, bob, answered):
    client.force_login(bob)
    text = client.get(f"/pulse/{answered.pk}/").content.decode()
    assert "30 antwoorden" in text
    assert _headers(text) == [
        "Antwoord",
        "Iedereen (n = 30)",
        "Zorg (n = 12)",
        "ICT (n = 9)",
        "Overige afdelingen (n = 9)",
    ]
    assert "Personeelszaken (n" not in text and "Financiën (n" not in text
    assert "2 afdelingen worden niet apart getoond." in text


def test_it_shows_the_distribution_per_group(client, bob, answered):
    client.force_login(bob)
    text = client.get(f"/pulse/{answered.pk}/").content.decode()
    table = text[text.index("Het platform helpt mij bij mijn werk.") :]
    table = table[: table.index("</table>")]
    row = re.search(r'scope="row">Helemaal eens</th>(.*?)</tr>', table).group(1)
    percentages = re.findall(r"(\d+)%<", row)
    assert percentages == ["30", "0", "100", "0"]  # everyone, Zorg, ICT, other departments


def test_it_shows_the_open_texts_shuffled_never_per_department(client, bob, answered):
    client.force_login(bob)
    text = client.get(f"/pulse/{answered.pk}/").content.decode()
    texts = re.findall(r"<li>(\w+ idee \d+)</li>", text)
    assert len(texts) == 30
    assert "In willekeurige volgorde, en nooit per afdeling." in text


def test_it_no_longer_offers_to_change_the_departments(client, bob, answered):
    client.force_login(bob)
    text = client.get(f"/pulse/{answered.pk}/").content.decode()
    assert f"/pulse/{answered.pk}/departments/" not in text


def test_it_shows_the_researcher_the_same(client, alice, answered):
    client.force_login(alice)
    text = client.get(f"/pulse/{answered.pk}/").content.decode()
    assert _headers(text)[1] == "Iedereen (n = 30)"


def test_it_hides_it_from_charlie(client, charlie, answered):
    # Charlie should have no access to Bob's organisation
    client.force_login(charlie)
    assert client.get(f"/pulse/{answered.pk}/").status_code == 404


def test_it_hides_it_from_a_holder_of_the_invitation_link(link_client, answered):
    assert link_client.get(f"/pulse/{answered.pk}/").status_code == 404


def test_it_hides_it_from_anonymous_visitors(client, answered):
    assert client.get(f"/pulse/{answered.pk}/").status_code == 404
