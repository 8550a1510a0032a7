"""The bulk import: batches decide exactly as the API does row by row, and fall back row by
row when the database refuses a batch."""

import datetime as dt
import random
from typing import Any

from django.db import transaction

from bluelamp.audit.models import AuditEvent
from bluelamp.delivery.models import Job
from bluelamp.forces.models import Force
from bluelamp.intake.imports import contacts_import, rows_parse
from bluelamp.intake.models import Contact, Person
from bluelamp.intake.services import known_ids_clear
from bluelamp.lib import clock
from bluelamp.surveys.models import Invitation, OptOut
from bluelamp.surveys.services import contact_rules_save
from tests.conftest import contact_body, post_contact
from tests.db_faults import refuse_contact
from tests.test_import_contacts import row, run, write_csv

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
RULES = {
    "frequency_days": 30,
    "sampling": [
        {"id": "calls_101_half", "channels": ["101"], "share": 0.5},
        {"id": "everyone", "share": 1.0},
    ],
}


def mixed_contacts(count: int, seed: int) -> list[dict[str, Any]]:
    """API bodies of invented contacts over four months: a few people calling again and again
    (the frequency cap), email-only and landline callers, children, flags, night calls."""
    rng = random.Random(seed)
    bodies = []
    for i in range(count):
        person: dict[str, Any] = {"name": "Test Caller"}
        kind = rng.random()
        if kind < 0.6:
            person["phone"] = f"07700 9000{rng.randrange(10, 16)}"
        elif kind < 0.8:
            person["email"] = f"caller{rng.randrange(4)}@example.com"
        elif kind < 0.9:
            person["phone"] = "01632 960001"  # a landline: no SMS
        if rng.random() < 0.15:
            person["age"] = rng.choice([12, 15, 16, 70])
        elif rng.random() < 0.2:
            person["date_of_birth"] = rng.choice(["2010-03-01", "1980-07-14"])
        received = NOW + dt.timedelta(minutes=rng.randrange(0, 120 * 24 * 60))
        body = contact_body(
            f"MIX-{i:03d}",
            received_at=received.isoformat().replace("+00:00", "Z"),
            channel=rng.choice(["999", "101", "101", "online"]),
            incident_type=rng.choice(["burglary_residential", "theft_other", "violence"]),
            team=rng.choice(["team-a", "team-b"]),
            person=person,
            flags=["domestic_abuse"] if rng.random() < 0.05 else [],
        )
        body["person"] = person  # not merged with the default caller's phone and age
        bodies.append(body)
    return bodies


def csv_row(body: dict[str, Any]) -> dict[str, Any]:
    cells = {k: v for k, v in body.items() if k not in ("reference", "person", "flags")}
    cells.update({k: str(v) for k, v in body["person"].items()})
    cells["flags"] = ";".join(body["flags"])
    return row(body["reference"], **{"phone": "", "age": "", **cells})


def decisions(force: Force) -> dict[str, tuple[Any, ...]]:
    """Each contact's first-contact decision, and the send queued for it, by reference."""
    jobs = {
        job.args[0]: (job.task_path, job.queue_name, job.priority, job.backend, job.run_after)
        for job in Job.objects.all()
    }
    return {
        i.contact.reference: (
            i.status,
            i.reason,
            i.reason_text,
            i.rule,
            i.rules_version,
            i.via,
            i.language,
            i.send_at,
            i.expires_at,
            i.closed_at,
            i.template_id,
            i.phone_key,
            i.email_key,
            i.token is None,
            jobs.get(i.pk),
        )
        for i in Invitation.objects.filter(force=force).select_related("contact")
    }


def test_batches_decide_as_the_api_does_one_contact_after_another(force, api, tmp_path):
    contact_rules_save(force=force, definition=RULES, user=None)
    with clock.frozen_at(NOW):
        # Stored before: an invitation the cap must see, and a person who opted out.
        post_contact(api, contact_body("EARLIER", person={"phone": "07700 900010"}))
        post_contact(api, contact_body("OPTED", person={"phone": "07700 900011"}))
    opted = Person.objects.get(contacts__reference="OPTED")
    OptOut.objects.create(force=force, key=opted.phone_key)
    bodies = mixed_contacts(120, seed=7)

    with transaction.atomic(), clock.frozen_at(NOW):
        for body in bodies:
            assert post_contact(api, body).status_code == 201
        by_api = decisions(force)
        transaction.set_rollback(True)  # the same contacts again, this time from a file
    known_ids_clear()  # the teams the API created went with the rollback

    path = write_csv(tmp_path / "mixed.csv", [csv_row(b) for b in bodies])
    with clock.frozen_at(NOW):
        out, error = run(path, "--batch-size", "16")
    assert error is None, out
    by_file = decisions(force)
    assert by_file == by_api
    # The mix is worth comparing: each kind of decision is there.
    reasons = {d[1] for d in by_file.values()}
    assert {"", "frequency_cap", "opted_out", "no_contact_details", "under_age"} <= reasons
    assert "not_sampled" in reasons and "flag_domestic_abuse" in reasons
    frequency = [r for r, d in by_file.items() if d[1] == "frequency_cap"]
    assert any(r.startswith("MIX") for r in frequency)


def test_every_contact_gets_one_audit_record(force, tmp_path):
    path = write_csv(tmp_path / "audit.csv", [row(f"A-{i}") for i in range(5)])
    run(path, "--batch-size", "2")
    events = AuditEvent.objects.filter(force=force)
    assert events.count() == 5
    for contact in Contact.objects.filter(force=force):
        event = events.get(object_id=str(contact.person_id))
        assert (event.action, event.object_type, event.actor) == (
            "create",
            "person",
            "import:audit.csv",
        )
        assert event.summary == f"contact {contact.pk} taken in"


def test_known_references_and_repeats_in_the_file_change_nothing(force, api, tmp_path):
    post_contact(api, contact_body("STORED", channel="101"))
    rows = [
        row("STORED"),  # known from the API
        row("NEW-1"),
        row("NEW-1", channel="online"),  # the same batch
        row("NEW-2"),
        row("NEW-1", channel="101"),  # a later batch
    ]
    out, error = run(write_csv(tmp_path / "known.csv", rows), "--batch-size", "3")
    assert error is None
    assert "created        2" in out
    assert "already known  3" in out
    assert Contact.objects.get(reference="STORED").channel == "101"
    assert Contact.objects.get(reference="NEW-1").channel == "999"
    assert Invitation.objects.filter(force=force).count() == 3
    assert AuditEvent.objects.filter(force=force, actor="import:known.csv").count() == 2


def test_a_batch_the_database_refuses_is_stored_row_by_row(force, tmp_path):
    refuse_contact("BAD")
    rows = [row("OK-1"), row("BAD"), row("OK-2"), row("OK-1"), row("OK-3", channel="x")]
    out, error = run(write_csv(tmp_path / "refused.csv", rows), "--report", str(tmp_path / "r"))
    assert error is not None and error.returncode == 2
    assert "line 3: row: could not be stored (IntegrityError)" in out
    assert "line 6: channel:" in out
    assert "created        2" in out and "already known  1" in out and "rejected       2" in out
    assert set(Contact.objects.values_list("reference", flat=True)) == {"OK-1", "OK-2"}
    assert Person.objects.count() == Invitation.objects.count() == 2
    assert AuditEvent.objects.count() == 2
    assert (tmp_path / "r").read_text().splitlines()[1:] == [
        "3,row,could not be stored (IntegrityError)",
        "6,channel,\"Input should be '999', '101', 'online', 'front_counter' or 'other'\"",
    ]


def test_no_invitations_records_history_never_surveyed(force, tmp_path):
    refuse_contact("BAD")  # one batch goes row by row: the same decision there
    rows = [row("H-1"), row("H-2", email="caller@example.com"), row("H-3"), row("BAD")]
    path = write_csv(tmp_path / "history.csv", rows)
    out, error = run(path, "--no-invitations", "--batch-size", "2")
    assert error is not None and error.returncode == 2
    assert "created        3 (0 invited to a survey, 3 excluded)" in out
    invitations = Invitation.objects.filter(force=force)
    assert invitations.count() == 3
    for invitation in invitations:
        assert invitation.status == Invitation.Status.EXCLUDED
        assert invitation.reason == "imported_history"
        assert invitation.reason_text == "Imported as history: not surveyed"
        assert invitation.token is None and invitation.send_at is None
        assert invitation.closed_at is not None
    assert not Job.objects.exists()
    assert AuditEvent.objects.filter(force=force).count() == 3


def test_batches_count_invited_and_excluded(force, tmp_path):
    rows = [row("I-1"), row("I-2", age="12"), row("I-3", flags="domestic_abuse")]
    path = write_csv(tmp_path / "counts.csv", rows)
    with path.open("rb") as f:
        total = contacts_import(force=force, rows=rows_parse(f), actor="import:x", batch_size=10)
    assert (total.created, total.invited, total.excluded) == (3, 1, 2)
    assert Job.objects.count() == 1
