def test_it_renders_pages(client, alice, bob, participation_a, closed_a):
    client.force_login(alice)
    for url in ["/", "/editions/", f"/editions/{participation_a.edition_id}/", "/editions/new/"]:
        r = client.get(url, follow=True)
        assert r.status_code == 200, url
    client.force_login(bob)
    r = client.get(f"/p/{participation_a.pk}/", follow=True)
    assert r.status_code == 200
    print(r.redirect_chain)
    r = client.get(f"/p/{closed_a.pk}/dashboard/")
    assert r.status_code == 200, r.content[:3000]
