"""The year's last case number moves to the one table of yearly numbers
(`core.YearlySequence`, numbering "case")."""

from django.db import migrations

from fengqiao.core.sequences import moved_into_yearly_sequences


class Migration(migrations.Migration):
    dependencies = [
        ('cases', '0007_fewer_indexes'),
        ('core', '0001_initial'),
    ]

    operations = [
        moved_into_yearly_sequences("cases", "CaseNumberSequence", "case"),
        migrations.DeleteModel(name="CaseNumberSequence"),
    ]
