"""``lib/rows.row_insert`` stores exactly what ``Model.objects.create`` stores."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from bluelamp.audit.models import AuditEvent
from bluelamp.delivery.models import Job
from bluelamp.forces.models import Force
from bluelamp.intake.models import Person
from bluelamp.lib.rows import row_insert, rows_insert

AT = dt.datetime(2026, 10, 25, 1, 30, tzinfo=dt.UTC)  # the night the clocks go back


def stored(model: type, pk: int, leave_out: tuple[str, ...] = ()) -> dict[str, object]:
    row = model._default_manager.filter(pk=pk).values().get()
    return {k: v for k, v in row.items() if k not in ("id", *leave_out)}


def test_a_job_with_json_and_dates_is_stored_as_create_stores_it(db: object) -> None:
    fields = {
        "task_path": "bluelamp.delivery.dispatch.send_invitation",
        "args": [7, {"nested": ["é", None, 1.5]}],
        "kwargs": {"why": "a test"},
        "run_after": AT,
        "enqueued_at": AT - dt.timedelta(seconds=1),
        "return_value": None,
    }
    made = Job.objects.create(**fields)
    ours = row_insert(Job(**fields))
    assert ours.pk != made.pk and not ours._state.adding
    assert stored(Job, ours.pk) == stored(Job, made.pk)
    assert Job.objects.get(pk=ours.pk).run_after == AT


def test_auto_now_add_and_foreign_keys(force: Force) -> None:
    before = dt.datetime.now(dt.UTC)
    event = row_insert(
        AuditEvent(force=force, actor="test", action="create", object_type="person", object_id="1")
    )
    made = AuditEvent.objects.get(pk=event.pk)
    assert made.force_id == force.pk and before <= made.at <= dt.datetime.now(dt.UTC)
    person = row_insert(Person(force=force, name="A Person", email_key="k", age=40))
    assert stored(Person, person.pk) == {
        **stored(
            Person, Person.objects.create(force=force, name="A Person", email_key="k", age=40).pk
        ),
    }


def test_a_constraint_refused_raises_django_integrity_error(force: Force) -> None:
    from bluelamp.surveys.models import OptOut

    row_insert(OptOut(force=force, key="same"))
    with pytest.raises(IntegrityError), transaction.atomic():
        row_insert(OptOut(force=force, key="same"))
    assert OptOut.objects.filter(key="same").count() == 1


def test_rows_insert_stores_what_create_stores_and_sets_each_key(force: Force) -> None:
    fields = [
        {
            "task_path": "bluelamp.delivery.dispatch.send_invitation",
            "args": [i, {"nested": ["é", None]}],
            "run_after": AT + dt.timedelta(minutes=i),
            "enqueued_at": AT,
        }
        for i in range(1203)  # more than one chunk, and a short last one
    ]
    ours = rows_insert([Job(**f) for f in fields])
    for job, f in zip(ours, fields, strict=True):
        assert not job._state.adding
        assert Job.objects.get(pk=job.pk).args == f["args"]  # each key is its own row's
    made = Job.objects.create(**fields[-1])
    assert stored(Job, ours[-1].pk) == stored(Job, made.pk)
    people = rows_insert([Person(force=force, name=f"P{i}", email_key="k") for i in range(3)])
    assert [Person.objects.get(pk=p.pk).name for p in people] == ["P0", "P1", "P2"]


def test_dates_are_stored_in_the_very_form_create_stores_them(force: Force) -> None:
    """Compared as the database holds them (SQLite keeps text), not as Django reads them."""
    from django.db import connection

    from bluelamp.lib.rows import rows_insert

    fields = {"task_path": "t", "run_after": AT, "enqueued_at": AT + dt.timedelta(microseconds=5)}
    made = Job.objects.create(**fields)
    one = row_insert(Job(**fields))
    (many,) = rows_insert([Job(**fields)])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, run_after, enqueued_at FROM delivery_job WHERE id IN (%s, %s, %s)",
            [made.pk, one.pk, many.pk],
        )
        rows = {pk: (a, b) for pk, a, b in cursor.fetchall()}
    assert rows[one.pk] == rows[made.pk] == rows[many.pk]
