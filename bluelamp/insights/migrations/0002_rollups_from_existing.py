from django.db import migrations

# Counting the responses stored before rollups existed happens in 0004, once every rollup
# column exists (the rebuild uses the app's current model). This step is kept, empty, so that
# databases that already ran it stay consistent.


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0001_initial"),
        ("surveys", "0003_support_question"),
        ("intake", "0002_initial"),
        ("delivery", "0001_initial"),
    ]
    operations = []
