def test_it_unlocks_submitted_answers(client, alice, bob, closed_a):
    from ismonitor.web.editions import actions

    actions.open_edition(closed_a.edition)
    client.force_login(alice)
    assert client.post(f"/editions/participations/{closed_a.pk}/reopen/").status_code == 302
    closed_a.refresh_from_db()
    assert not closed_a.locked
    assert closed_a.submitted_at is None
    client.force_login(bob)
    current = closed_a.answers.get(item_key="sector")
    response = client.post(
        f"/p/{closed_a.pk}/questionnaire/save/",
        {"item": "sector", "v-sector": str(current.version), "a-sector": "education"},
    )
    assert response.status_code == 200


def test_it_is_not_for_a_member(client, bob, closed_a):
    client.force_login(bob)
    assert client.post(f"/editions/participations/{closed_a.pk}/reopen/").status_code == 404
    closed_a.refresh_from_db()
    assert closed_a.locked
