"""The year's last agreement number moves to the one table of yearly numbers
(`core.YearlySequence`, numbering "agreement")."""

from django.db import migrations


def copy_forward(apps, schema_editor):
    old = apps.get_model("mediation", "AgreementNumberSequence")
    new = apps.get_model("core", "YearlySequence")
    for row in old.objects.all():
        new.objects.update_or_create(name="agreement", year=row.year, defaults={"last": row.last})


def copy_back(apps, schema_editor):
    old = apps.get_model("mediation", "AgreementNumberSequence")
    new = apps.get_model("core", "YearlySequence")
    for row in new.objects.filter(name="agreement"):
        old.objects.update_or_create(year=row.year, defaults={"last": row.last})


class Migration(migrations.Migration):
    dependencies = [
        ('mediation', '0002_seed_category_routes'),
        ('core', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(copy_forward, copy_back),
        migrations.DeleteModel(name="AgreementNumberSequence"),
    ]
