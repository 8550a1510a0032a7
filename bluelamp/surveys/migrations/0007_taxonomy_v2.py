from django.db import migrations, models


def seed(apps, schema_editor):
    # Taxonomy version 2: the offences the Victims' Code names, and burglary of an
    # unconnected building (Home Office Counting Rules, April 2023).
    from bluelamp.surveys.defaults import seed_defaults

    seed_defaults(
        apps.get_model("surveys", "IncidentType"), apps.get_model("surveys", "SurveyTemplate")
    )


class Migration(migrations.Migration):
    dependencies = [("surveys", "0006_contact_rules_and_stage_templates")]

    operations = [
        migrations.AddField(
            model_name="incidenttype",
            name="added_in",
            field=models.PositiveSmallIntegerField(
                default=1, help_text="The taxonomy version it came in (surveys.defaults)"
            ),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
