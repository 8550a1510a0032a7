from django.db import migrations, models


def rebuild(apps, schema_editor):
    # Count the answers of the invitations already sent on their sending's day, by recounting
    # everything from the raw rows with the app's rollup code (as 0005 did). A later
    # migration that changes Rollup must make this step a no-op and rebuild itself.
    # A new database has nothing to count (and never runs today's code on older tables).
    from bluelamp.insights.rollups import rollups_rebuild

    responses = apps.get_model("surveys", "Response").objects.exists()
    sent = apps.get_model("surveys", "Invitation").objects.filter(sent_at__isnull=False).exists()
    if responses or sent:
        rollups_rebuild()


class Migration(migrations.Migration):
    """``responded``: answers counted on their invitation's sending day and unit, so that the
    response rate is answered over invited for the same invitations."""

    dependencies = [
        ("insights", "0007_alert_method"),
        ("surveys", "0007_taxonomy_v2"),
    ]

    operations = [
        migrations.AddField(
            model_name="rollup",
            name="responded",
            field=models.PositiveIntegerField(
                default=0, help_text="Of the invitations sent that day, how many have an answer"
            ),
        ),
        migrations.RunPython(rebuild, migrations.RunPython.noop),
    ]
