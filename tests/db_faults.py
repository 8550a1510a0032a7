"""Real database faults for tests: a trigger makes the database itself refuse an insert."""

from django.db import connection


def refuse_contact(reference: str) -> None:
    """From now on (in this transaction) the database refuses to store a contact with this
    reference, as a constraint would: an IntegrityError. ``reference`` is the test's own."""
    quoted = "'" + reference.replace("'", "''") + "'"
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "CREATE TRIGGER refuse_contact BEFORE INSERT ON intake_contact "
                f"WHEN NEW.reference = {quoted} BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
            return
        cursor.execute(
            "CREATE FUNCTION refuse_contact() RETURNS trigger AS $$ BEGIN "
            f"IF NEW.reference = {quoted} THEN "
            "RAISE EXCEPTION 'refused' USING ERRCODE = 'check_violation'; END IF; "
            "RETURN NEW; END $$ LANGUAGE plpgsql"
        )
        cursor.execute(
            "CREATE TRIGGER refuse_contact BEFORE INSERT ON intake_contact "
            "FOR EACH ROW EXECUTE FUNCTION refuse_contact()"
        )


def fail_contact_inserts() -> None:
    """From now on (in this transaction) every insert of a contact fails as a failing database
    does: an OperationalError."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "CREATE TRIGGER fail_contact BEFORE INSERT ON intake_contact "
                "BEGIN INSERT INTO no_such_table VALUES (1); END"
            )
            return
        cursor.execute(
            "CREATE FUNCTION fail_contact() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'gone' USING ERRCODE = 'admin_shutdown'; END $$ LANGUAGE plpgsql"
        )
        cursor.execute(
            "CREATE TRIGGER fail_contact BEFORE INSERT ON intake_contact "
            "FOR EACH ROW EXECUTE FUNCTION fail_contact()"
        )
