"""The repeat-victim page lists the victims behind each of its figures: role-scoped, audited,
filtered by month, area and flag, a page at a time."""

import datetime as dt
import re

from django.utils import timezone

from bluelamp.audit.models import AuditEvent
from bluelamp.care.models import Victim
from bluelamp.forces.models import Role, Team
from tests.conftest import make_user
from tests.test_care import crime_body, post


def two_burglaries_of_one_home(api):
    now = timezone.now()
    first = crime_body(
        "41/100/26", recorded_at=(now - dt.timedelta(days=40)).isoformat(), occurred_at=None
    )
    second = crime_body(
        "41/200/26",
        recorded_at=(now - dt.timedelta(days=5)).isoformat(),
        occurred_at=None,
        modus_operandi=[],
        victims=[{"name": "Pat Neighbour", "age": 50}],
    )
    assert post(api, "/api/v1/crimes", first).status_code == 201
    assert post(api, "/api/v1/crimes", second).status_code == 201
    return Victim.objects.get(name="Pat Neighbour"), now - dt.timedelta(days=5)


def test_each_repeat_figure_opens_its_victims_and_each_view_is_audited(api, force, login):
    pat, recorded = two_burglaries_of_one_home(api)
    carer = login(make_user(force, "vera", Role.VICTIM_CARE))
    page = carer.get("/care/repeats/").content.decode()
    month = f"{timezone.localtime(recorded):%Y-%m}"
    assert f'href="/care/repeats/victims/?month={month}"' in page
    assert 'href="/care/repeats/victims/?area=AL1"' in page

    listed = carer.get(f"/care/repeats/victims/?month={month}")
    assert listed.status_code == 200
    body = listed.content.decode()
    row = re.search(r'<tr data-testid="repeat-41/200/26">.*?</tr>', body, re.S)
    assert row is not None
    assert "Pat Neighbour" in row.group() and "41/100/26" in row.group()  # the crime before
    assert "(same home)" in row.group()
    assert "Edna Example" not in body and "Sam Example" not in body  # not repeat victims
    viewed = AuditEvent.objects.filter(force=force, action="view", object_type="victim")
    assert list(viewed.values_list("object_id", "summary")) == [
        (str(pat.pk), f"repeat victims: {timezone.localtime(recorded):%B %Y}")
    ]

    assert "Pat Neighbour" in carer.get("/care/repeats/victims/?area=AL1").content.decode()
    # The filter form sends every field, the empty ones as "": "any month", not this one.
    sent = carer.get("/care/repeats/victims/?month=&area=AL1&flag=&sort=newest")
    assert sent.status_code == 200 and "Pat Neighbour" in sent.content.decode()
    assert "Repeat victims, last 12 months: AL1<" in sent.content.decode()
    for empty in ("area=ZZ9", "flag=domestic_abuse", "month=2025-01"):
        r = carer.get(f"/care/repeats/victims/?{empty}")
        assert r.status_code == 200 and "Pat Neighbour" not in r.content.decode(), empty
        assert "No repeat victim for" in r.content.decode()
    assert viewed.count() == 3  # nothing shown, nothing recorded


def test_a_bad_filter_is_a_400_naming_it(api, force, login):
    two_burglaries_of_one_home(api)
    carer = login(make_user(force, "vera", Role.VICTIM_CARE))
    for query, field in (("month=2026-13", "month"), ("flag=alien", "flag"),
                         ("sort=loudest", "sort"), ("page=0", "page")):  # fmt: skip
        r = carer.get(f"/care/repeats/victims/?{query}")
        assert r.status_code == 400, query
        assert field in r.content.decode()
    assert not AuditEvent.objects.filter(action="view", object_type="victim").exists()


def test_a_specialist_sees_only_the_victims_referred_to_them_and_no_other_force_any(
    api, force, other_force, login
):
    pat, _ = two_burglaries_of_one_home(api)
    services = set(pat.referrals.values_list("service", flat=True))
    assert "older_person_liaison" not in services  # Pat is 50
    team = Team.objects.create(force=force, code="older_person_liaison", name="Liaison")
    liaison = make_user(force, "olive", Role.SPECIALIST, [team])
    assert "Pat Neighbour" not in login(liaison).get("/care/repeats/victims/").content.decode()
    outsider = login(make_user(other_force, "otto", Role.VICTIM_CARE))
    r = outsider.get("/care/repeats/victims/")
    assert r.status_code == 200 and "Pat Neighbour" not in r.content.decode()
    # A supervisor (no victim care) may not open it at all.
    supervisor = login(make_user(force, "sue", Role.SUPERVISOR))
    assert supervisor.get("/care/repeats/victims/").status_code == 403
