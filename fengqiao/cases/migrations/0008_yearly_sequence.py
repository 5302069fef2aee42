"""The year's last case number moves to the one table of yearly numbers
(`core.YearlySequence`, numbering "case")."""

from django.db import migrations


def copy_forward(apps, schema_editor):
    old = apps.get_model("cases", "CaseNumberSequence")
    new = apps.get_model("core", "YearlySequence")
    for row in old.objects.all():
        new.objects.update_or_create(name="case", year=row.year, defaults={"last": row.last})


def copy_back(apps, schema_editor):
    old = apps.get_model("cases", "CaseNumberSequence")
    new = apps.get_model("core", "YearlySequence")
    for row in new.objects.filter(name="case"):
        old.objects.update_or_create(year=row.year, defaults={"last": row.last})


class Migration(migrations.Migration):
    dependencies = [
        ('cases', '0007_fewer_indexes'),
        ('core', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(copy_forward, copy_back),
        migrations.DeleteModel(name="CaseNumberSequence"),
    ]
