from django.db import migrations


def seed(apps, schema_editor):
    from bluelamp.outcomes import framework_v1

    Framework = apps.get_model("outcomes", "OutcomeFramework")
    Code = apps.get_model("outcomes", "OutcomeCode")
    framework = Framework.objects.create(
        version=framework_v1.VERSION,
        source=framework_v1.SOURCE,
        notes="Codes 1 to 22 (no 19), each with its Home Office group; see framework_v1.py.",
    )
    Code.objects.bulk_create(
        Code(framework=framework, code=code, name=name, group=group, verified=verified)
        for code, name, group, verified in framework_v1.CODES
    )


def unseed(apps, schema_editor):
    apps.get_model("outcomes", "OutcomeFramework").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
