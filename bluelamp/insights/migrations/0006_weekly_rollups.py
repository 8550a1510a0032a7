from django.db import migrations, models


def rebuild(apps, schema_editor):
    # The weekly rows were added here by a rebuild with the app's rollup code; that code now
    # also counts ``responded`` (0008), which rebuilds them instead.
    pass


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
