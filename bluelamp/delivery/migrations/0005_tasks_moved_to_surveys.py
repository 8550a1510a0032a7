"""The invitation and reminder tasks moved from ``delivery.dispatch`` to ``surveys.sending``
(delivery is a transport that knows nothing of surveys): jobs already queued under the old
paths are renamed, so a worker of the new code still runs them."""

from django.db import migrations

MOVED = {
    "bluelamp.delivery.dispatch.send_invitation": "bluelamp.surveys.sending.send_invitation",
    "bluelamp.delivery.dispatch.send_reminder": "bluelamp.surveys.sending.send_reminder",
}


def forwards(apps, schema_editor):
    Job = apps.get_model("delivery", "Job")
    for old, new in MOVED.items():
        Job.objects.filter(task_path=old).update(task_path=new)


def backwards(apps, schema_editor):
    Job = apps.get_model("delivery", "Job")
    for old, new in MOVED.items():
        Job.objects.filter(task_path=new).update(task_path=old)


class Migration(migrations.Migration):
    dependencies = [("delivery", "0004_messages_jobs_inbound")]

    operations = [migrations.RunPython(forwards, backwards)]
