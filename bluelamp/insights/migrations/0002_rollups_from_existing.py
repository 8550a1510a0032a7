from django.db import migrations


def rebuild(apps, schema_editor):
    # Count the responses and sendings stored before rollups existed. This uses the app's own
    # rebuild (the schema matches it at this point); on an empty database it does nothing.
    from bluelamp.insights.rollups import rollups_rebuild

    rollups_rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0001_initial"),
        ("surveys", "0003_support_question"),
        ("intake", "0002_initial"),
        ("delivery", "0001_initial"),
    ]
    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
