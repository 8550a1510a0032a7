from django.db import migrations, models


def rebuild(apps, schema_editor):
    # Add the weekly rows (``week:<dimension>``) for what is already counted, by recounting
    # everything from the raw rows with the app's rollup code (as 0005 does). A later
    # migration that changes Rollup must make this step a no-op and rebuild itself.
    from bluelamp.insights.rollups import WEEK, rollups_rebuild

    rollups = apps.get_model("insights", "Rollup").objects
    if rollups.exists() and not rollups.filter(dimension__startswith=WEEK).exists():
        rollups_rebuild()


class Migration(migrations.Migration):
    """The drill-down's dimensions counted per week as well as per day, so that a long period
    sums whole weeks."""

    dependencies = [
        ("insights", "0005_rollups_by_day_and_dimension"),
    ]

    operations = [
        migrations.AlterField(
            model_name="rollup",
            name="day",
            field=models.DateField(help_text="Local (Europe/London) day; a weekly row's Monday"),
        ),
        migrations.RunPython(rebuild, migrations.RunPython.noop),
    ]
