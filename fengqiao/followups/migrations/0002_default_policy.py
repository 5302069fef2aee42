"""The default follow-up policy: 7 and 30 days after the result, and each term's deadline."""

from django.db import migrations


def seed(apps, schema_editor):
    FollowUpPolicy = apps.get_model("followups", "FollowUpPolicy")
    FollowUpPolicy.objects.get_or_create(
        kind="", grade="", defaults={"offsets_days": "7, 30", "term_deadlines": True}
    )


class Migration(migrations.Migration):
    dependencies = [("followups", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
