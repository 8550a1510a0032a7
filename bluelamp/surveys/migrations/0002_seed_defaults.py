from django.db import migrations


def seed(apps, schema_editor):
    from bluelamp.surveys.defaults import seed_defaults

    seed_defaults(apps.get_model("surveys", "IncidentType"), apps.get_model("surveys", "SurveyTemplate"))


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
