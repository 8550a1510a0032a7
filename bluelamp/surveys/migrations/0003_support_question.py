from django.db import migrations


def seed(apps, schema_editor):
    # Shipped templates gained "Would you like us to put you in touch with someone who can
    # support you?": each becomes a new version; answered versions stay as they were.
    from bluelamp.surveys.defaults import seed_defaults

    seed_defaults(apps.get_model("surveys", "IncidentType"), apps.get_model("surveys", "SurveyTemplate"))


class Migration(migrations.Migration):
    dependencies = [("surveys", "0002_seed_defaults")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
