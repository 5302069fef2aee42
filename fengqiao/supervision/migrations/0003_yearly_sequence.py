"""The year's last supervision number moves to the one table of yearly numbers
(`core.YearlySequence`, numbering "supervision")."""

from django.db import migrations


def copy_forward(apps, schema_editor):
    old = apps.get_model("supervision", "SupervisionNumberSequence")
    new = apps.get_model("core", "YearlySequence")
    for row in old.objects.all():
        new.objects.update_or_create(name="supervision", year=row.year, defaults={"last": row.last})


def copy_back(apps, schema_editor):
    old = apps.get_model("supervision", "SupervisionNumberSequence")
    new = apps.get_model("core", "YearlySequence")
    for row in new.objects.filter(name="supervision"):
        old.objects.update_or_create(year=row.year, defaults={"last": row.last})


class Migration(migrations.Migration):
    dependencies = [
        ('supervision', '0002_default_levels'),
        ('core', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(copy_forward, copy_back),
        migrations.DeleteModel(name="SupervisionNumberSequence"),
    ]
