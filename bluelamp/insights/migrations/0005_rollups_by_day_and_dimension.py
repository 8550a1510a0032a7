import django.db.models.deletion
from django.db import migrations, models


def rebuild(apps, schema_editor):
    # The rows per local day and dimension were counted here from the responses and sendings
    # already stored, with the app's rollup code; that code now also counts ``responded``
    # (0008), which rebuilds them instead.
    pass


class Migration(migrations.Migration):
    """Rollups per local day, team and one dimension at a time, instead of per hour and every
    combination of dimensions (whose rows grew with the responses)."""

    dependencies = [
        ("forces", "0001_initial"),
        ("insights", "0004_score_distribution"),
        ("surveys", "0004_response_text_insight"),
        ("intake", "0002_initial"),
    ]

    operations = [
        migrations.DeleteModel(name="Rollup"),
        migrations.CreateModel(
            name="Rollup",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField(help_text="Local (Europe/London) day")),
                ("team_key", models.BigIntegerField(default=0)),
                ("dimension", models.CharField(max_length=20)),
                ("key", models.CharField(blank=True, max_length=60)),
                ("responses", models.PositiveIntegerField(default=0)),
                ("answered", models.PositiveIntegerField(default=0, help_text="Whole experience answered")),
                ("satisfied", models.PositiveIntegerField(default=0)),
                ("dissatisfied", models.PositiveIntegerField(default=0)),
                ("score_sum", models.PositiveIntegerField(default=0)),
                ("sent", models.PositiveIntegerField(default=0, help_text="Invitations sent")),
                ("score_1", models.PositiveIntegerField(default=0)),
                ("score_2", models.PositiveIntegerField(default=0)),
                ("score_3", models.PositiveIntegerField(default=0)),
                ("score_4", models.PositiveIntegerField(default=0)),
                ("score_5", models.PositiveIntegerField(default=0)),
                ("score_6", models.PositiveIntegerField(default=0)),
                ("score_7", models.PositiveIntegerField(default=0)),
                ("updated_at", models.DateTimeField()),
                ("force", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="forces.force")),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("force", "dimension", "day", "team_key", "key"), name="rollup_day_key")],
            },
        ),
        migrations.RunPython(rebuild, migrations.RunPython.noop),
    ]
