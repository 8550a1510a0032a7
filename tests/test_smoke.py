from tests.conftest import contact_body, post_contact


def test_burglary_contact_is_scheduled_with_a_link(api):
    r = post_contact(api, contact_body())
    assert r.status_code == 201, r.content
    assert r.json()["invitation"]["status"] == "scheduled"
    assert "/s/" in r.json()["invitation"]["url"]
