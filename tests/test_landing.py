"""Each role lands on its own work, and a specialist team's queue opens on what it has to do."""

import pytest
from django.utils import timezone

from bluelamp.care.models import Referral
from bluelamp.care.services import referral_accept
from bluelamp.forces.models import Team
from tests.conftest import make_user
from tests.test_care import crime_body

LANDS = {
    "supervisor": "/live/",
    "analyst": "/live/",
    "administrator": "/live/",
    "victim_care": "/care/duties/",
    "specialist": "/care/",
    "investigator": "/investigations/",
}


@pytest.mark.parametrize("role", sorted(LANDS))
def test_each_role_lands_on_its_own_work(login, force, role):
    user = make_user(force, f"user-{role}", role)
    answer = login(user).get("/")
    assert answer.status_code == 302
    assert answer["Location"] == LANDS[role]


def test_a_specialist_queue_opens_on_the_referrals_it_has_received_and_accepted(api, login, force):
    team = Team.objects.create(force=force, code="older_person_liaison", name="OPLO")
    specialist = make_user(force, "oplo", "specialist", [team])
    assert api.post("/api/v1/crimes", crime_body("41/555/26"), content_type="application/json")
    referral = Referral.objects.get(service="older_person_liaison")
    referral_accept(referral=referral, user=specialist, now=timezone.now())
    page = login(specialist).get("/care/").content.decode()
    assert "41/555/26" in page  # accepted, still theirs to work: not an empty default queue
    assert '<option value="active" selected>' in page
    closed_view = login(specialist).get("/care/?status=closed").content.decode()
    assert "41/555/26" not in closed_view
    victim_care = make_user(force, "vc", "victim_care")
    assert '<option value="open" selected>' in login(victim_care).get("/care/").content.decode()


def test_the_referral_queue_goes_a_page_at_a_time_in_the_order_chosen(api, login, force):
    from bluelamp.lib.listing import PER_PAGE

    for i in range(PER_PAGE + 1):
        body = crime_body(f"41/{1000 + i}/26")
        assert api.post("/api/v1/crimes", body, content_type="application/json").status_code == 201
    victim_care = make_user(force, "vc", "victim_care")
    client = login(victim_care)
    total = Referral.objects.filter(status="open").count()
    assert total > PER_PAGE
    first = client.get("/care/").content.decode()
    assert f"1 to {PER_PAGE} of {total}" in first and 'rel="next"' in first
    last_page = -(-total // PER_PAGE)
    last = client.get(f"/care/?page={last_page}&sort=newest").content.decode()
    assert f"page {last_page} of {last_page}" in last and 'rel="prev"' in last
    assert client.get(f"/care/?page={last_page + 1}").status_code == 400


def test_duties_filter_by_which_team_and_officer(api, login, force):
    assert (
        api.post(
            "/api/v1/crimes", crime_body("41/777/26"), content_type="application/json"
        ).status_code
        == 201
    )  # recorded in August: its duties are overdue
    client = login(make_user(force, "vc", "victim_care"))
    assert "41/777/26" in client.get("/care/duties/?which=overdue").content.decode()
    assert "41/777/26" not in client.get("/care/duties/?which=due").content.decode()
    assert "41/777/26" in client.get("/care/duties/?officer=PC1234").content.decode()
    other = client.get("/care/duties/?officer=PC9999").content.decode()
    assert "41/777/26" not in other and "No duty with these filters." in other
    refused = client.get("/care/duties/?which=someday&team=nowhere")
    assert refused.status_code == 400
    assert "<code>which</code>" in refused.content.decode()
