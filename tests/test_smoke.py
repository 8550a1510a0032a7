from tests.conftest import contact_body, post_contact


def test_burglary_contact_is_scheduled_with_a_link(api):
    r = post_contact(api, contact_body())
    assert r.status_code == 201, r.content
    assert r.json()["invitation"]["status"] == "scheduled"
    assert "/s/" in r.json()["invitation"]["url"]


def test_a_ready_worker_has_its_views_loaded_and_its_objects_frozen():
    import gc
    import sys

    from bluelamp.lib.warm import worker_ready

    try:
        worker_ready()
        assert gc.get_freeze_count() > 10_000  # Django and the apps, out of the collector's way
        assert "bluelamp.insights.views" in sys.modules
    finally:
        gc.unfreeze()
