"""The demonstration force: seeding, idempotence, its simulator and the server's access log."""

import csv
import datetime as dt
import random
from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import timezone
from gunicorn.config import Config

from bluelamp.delivery.models import Message, OutboxMessage
from bluelamp.forces.models import ApiToken, Force, Role, StaffMember, Team, User, hash_token
from bluelamp.intake.models import Contact, Person
from bluelamp.intake.schemas import ContactIn
from bluelamp.intake.services import contact_ingest
from bluelamp.ops import demo
from bluelamp.ops.management.commands.serve import ACCESS_LOG_FORMAT, RedactingLogger
from bluelamp.ops.simulator import Simulator, simulator_tick
from bluelamp.recovery.models import RecoveryCase
from bluelamp.staffing import planning
from bluelamp.staffing.models import CallInterval, RosterSlot
from bluelamp.surveys.models import Invitation, Response
from tests import needs
from tests.conftest import contact_body

STREET = Path(django_settings.SHARED_DATA_DIR) / "policeuk-hertfordshire" / "street"


def row_counts(force: Force) -> dict[str, int]:
    return {
        "contacts": Contact.objects.filter(force=force).count(),
        "people": Person.objects.filter(force=force).count(),
        "invitations": Invitation.objects.filter(force=force).count(),
        "responses": Response.objects.filter(force=force).count(),
        "cases": RecoveryCase.objects.filter(force=force).count(),
        "outbox": OutboxMessage.objects.filter(force=force).count(),
        "teams": Team.objects.filter(force=force).count(),
        "staff": StaffMember.objects.filter(force=force).count(),
        "users": User.objects.filter(force=force).count(),
        "tokens": ApiToken.objects.filter(force=force).count(),
    }


@pytest.mark.slow(reason="about 8 s: seeds the demonstration force twice")
@pytest.mark.django_db
def test_synthetic_history_is_consistent_and_seeding_twice_adds_nothing(tmp_path, client):
    seeded = demo.demo_seed(contacts=120, data_dir=tmp_path / "missing")
    force = seeded.force
    assert force.slug == "demo"
    assert seeded.mix_source.startswith("synthetic")
    assert seeded.history is not None
    assert seeded.history.contacts == 120

    users = User.objects.filter(force=force)
    assert set(users.values_list("role", flat=True)) == set(Role.values)
    assert users.get(role=Role.ADMINISTRATOR).is_staff
    assert users.filter(role=Role.SUPERVISOR, teams__isnull=False).distinct().count() == 2
    assert users.get(username="demo-supervisor-charlie").teams.get().code == demo.WORSE_TEAM

    invitations = Invitation.objects.filter(force=force)
    assert invitations.filter(status=Invitation.Status.EXCLUDED).exists()
    assert Response.objects.filter(force=force).exists()
    assert RecoveryCase.objects.filter(force=force).exists()
    messages = Message.objects.filter(force=force)
    assert messages.filter(purpose="invitation").count() == seeded.history.sent
    assert messages.filter(purpose="reminder").exists()  # those not opened within 48 hours
    assert OutboxMessage.objects.filter(force=force).count() == messages.count()
    # History happened in the past: nothing answered or sent after now, expiry from sending.
    now = dt.datetime.now(dt.UTC)
    assert not Response.objects.filter(force=force, submitted_at__gt=now).exists()
    for invitation in invitations.exclude(sent_at=None)[:20]:
        assert invitation.send_at == invitation.sent_at
        assert invitation.expires_at == invitation.sent_at + dt.timedelta(days=14)

    # Synthetic people only: Ofcom's drama numbers and example.com.
    for person in Person.objects.filter(force=force):
        assert person.phone == "" or person.phone.startswith(("+447700900", "+441632960"))
        assert person.email == "" or person.email.endswith("@example.com")

    counts = row_counts(force)
    again = demo.demo_seed(contacts=120, data_dir=tmp_path / "missing")
    assert again.history is None
    assert row_counts(force) == counts
    assert counts["tokens"] == 1
    token = ApiToken.objects.get(force=force)
    assert token.digest == hash_token(again.token)

    r = client.post("/login/", {"username": "demo-supervisor", "password": demo.DEMO_PASSWORD})
    assert r.status_code == 302
    html = client.get("/live/").content.decode()
    # The telephony: eight weeks of figures, a roster ahead, and the advice names the gaps.
    assert seeded.call_intervals > 8 * 7 * 96 * 2 - 200
    assert CallInterval.objects.filter(force=force).count() == seeded.call_intervals
    assert RosterSlot.objects.filter(force=force, start__gt=now + dt.timedelta(days=1)).exists()
    assert 'data-testid="staffing-101"' in html
    assert 'data-testid="staffing-999"' in html
    assert "Answer time and satisfaction, 101" in html
    plans = {p.queue.code: p for p in planning.force_plans(force, timezone.now(), hours=48)}
    assert plans["101"].model == "Erlang A"
    assert any("101: short by" in a.text for a in plans["101"].advice)
    accuracy = plans["101"].accuracy
    assert accuracy is not None and accuracy.method_mase < accuracy.naive_mase


@pytest.mark.django_db
def test_reset_deletes_only_the_demo_force(tmp_path, force):
    demo.demo_seed(contacts=20, data_dir=tmp_path)
    assert demo.demo_reset()
    assert not Force.objects.filter(slug="demo").exists()
    assert not User.objects.filter(username__startswith="demo-").exists()
    assert Force.objects.filter(pk=force.pk).exists()
    assert not demo.demo_reset()


@pytest.mark.slow(reason="about 7 s: seeds the demonstration force from police.uk files")
@pytest.mark.django_db
def test_history_follows_the_police_uk_crime_mix(tmp_path):
    needs.path(STREET, "the shared police.uk street files")
    mix = demo.crime_mix_read(STREET, max_rows=300)
    assert len(mix.rows) == 300
    seeded = demo.demo_seed(contacts=60, data_dir=STREET, max_rows=300)
    assert seeded.mix_source.startswith("police.uk")
    known = {code for options in demo.POLICE_UK_TYPES.values() for code, _ in options}
    known |= {code for code, _ in demo.INCIDENT_TYPES}
    used = set(Contact.objects.values_list("incident_type_id", flat=True))
    assert used <= known
    postcodes = set(Person.objects.values_list("postcode", flat=True))
    assert postcodes <= set(demo.ALL_DISTRICTS)


def test_the_crime_mix_maps_police_uk_types_to_ours():
    mix = demo.CrimeMix((("Burglary", "St Albans"),), "test")
    rng = random.Random(3)
    draws = [mix.draw(rng) for _ in range(200)]
    crimes = [(code, district) for code, district in draws if code.startswith("burglary")]
    assert {code for code, _ in crimes} == {"burglary_residential", "burglary_other"}
    assert {district for _, district in crimes} <= set(demo.DISTRICTS["St Albans"])


@pytest.mark.django_db
def test_a_simulator_tick_adds_a_contact_and_answers(tmp_path):
    seeded = demo.demo_seed(contacts=40, data_dir=tmp_path)
    sim = Simulator(
        force=seeded.force,
        mix=demo.crime_mix_read(tmp_path),
        rng=random.Random(5),
        handlers=demo.demo_handlers(seeded.force),
    )
    before = Contact.objects.filter(force=seeded.force).count()
    latest = CallInterval.objects.filter(force=seeded.force).latest("updated_at").updated_at
    tick = simulator_tick(sim=sim)
    assert Contact.objects.filter(force=seeded.force).count() == before + 1
    # The telephony system reports the interval under way: the staffing panel moves.
    assert CallInterval.objects.filter(force=seeded.force, updated_at__gt=latest).exists()
    assert Contact.objects.filter(reference=tick.reference, force=seeded.force).exists()
    assert tick.summary().startswith(tick.reference)

    # A contact a newcomer pushes is theirs to answer: the simulator never answers it, even
    # as the newest invitation sent.
    pushed = contact_ingest(
        force=seeded.force, data=ContactIn.model_validate(contact_body("TRY-1")), actor="api"
    ).contact.invitation
    Invitation.objects.filter(pk=pushed.pk).update(
        status=Invitation.Status.SENT,
        sent_at=timezone.now(),
        expires_at=timezone.now() + dt.timedelta(days=7),
    )
    answered = 0
    for _ in range(15):
        answered += len(simulator_tick(sim=sim).answered)
    pushed.refresh_from_db()
    assert pushed.status == Invitation.Status.SENT and answered > 0


def test_the_access_log_names_no_survey_link_or_query():
    logger = RedactingLogger(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/s/abcdefghijklmnopqrstuv?lang=cy",
        "PATH_INFO": "/s/abcdefghijklmnopqrstuv",
        "QUERY_STRING": "lang=cy",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_COOKIE": "sessionid=secret",
    }
    resp = SimpleNamespace(status="200 OK", headers=[], sent=123)
    req = SimpleNamespace(headers=[("COOKIE", "sessionid=secret")])
    atoms = logger.atoms(resp, req, environ, dt.timedelta(milliseconds=5))
    assert "abcdefghijklmnopqrstuv" not in str(atoms)
    assert "lang=cy" not in str(atoms)
    assert "secret" not in str(atoms)
    assert '"GET /s/[link]" 200 123 5ms' in ACCESS_LOG_FORMAT % atoms


@pytest.mark.django_db
def test_the_demo_command_seeds_and_prints_the_logins(tmp_path, monkeypatch, settings):
    monkeypatch.setenv("SITE_URL", "http://testserver")  # the command leaves SITE_URL alone
    settings.SHARED_DATA_DIR = tmp_path
    out = StringIO()
    call_command("demo", no_serve=True, contacts=15, stdout=out)
    text = out.getvalue()
    assert "History: 15 contacts" in text
    for user in demo.DEMO_USERS:
        assert user.username in text
    token = ApiToken.objects.get(force__slug="demo")
    assert "curl" in text
    assert token.prefix in text


@pytest.mark.slow(reason="about 15 s: seeds a month of demonstration data")
@pytest.mark.django_db
def test_compliance_report_of_a_month_of_demo_data_matches_a_direct_count(tmp_path, client):
    from bluelamp.care.models import Duty

    seeded = demo.demo_seed(contacts=400, data_dir=tmp_path)
    assert seeded.crimes > 50
    client.post("/login/", {"username": "demo-victim-care", "password": demo.DEMO_PASSWORD})
    month = timezone.localdate() - dt.timedelta(days=10)
    page = client.get(f"/care/compliance/?month={month:%Y-%m}")
    assert page.status_code == 200
    rows = client.get(f"/care/compliance/?month={month:%Y-%m}&format=csv").content.decode()
    # The rows by right (group "All teams") and by team, as month, right, group and the five
    # counts (due, met on time, met late, overdue, pending).
    table = [
        [r[0], r[3], r[4], *r[5:10]]
        for r in csv.reader(StringIO(rows))
        if r[1] in ("right", "team")
    ]
    tz = timezone.get_current_timezone()
    start = dt.datetime(month.year, month.month, 1, tzinfo=tz)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    now = timezone.now()
    checked = 0
    for right in Duty.Right:
        due = list(Duty.objects.filter(force=seeded.force, right=right, due_at__gte=start,
                                       due_at__lt=end))  # fmt: skip
        on_time = sum(1 for d in due if d.met_at is not None and d.met_at <= d.due_at)
        late = sum(1 for d in due if d.met_at is not None and d.met_at > d.due_at)
        overdue = sum(1 for d in due if d.met_at is None and d.due_at < now)
        pending = sum(1 for d in due if d.met_at is None and d.due_at >= now)
        totals = [r for r in table if r[1] == right.label and r[2] == "All teams"]
        if due:
            assert [int(x) for x in totals[0][3:]] == [len(due), on_time, late, overdue, pending]
            per_team = [r for r in table if r[1] == right.label and r[2] != "All teams"]
            assert sum(int(r[3]) for r in per_team) == len(due)
            checked += 1
    assert checked >= 2
