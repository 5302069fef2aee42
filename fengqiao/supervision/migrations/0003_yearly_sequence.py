"""The year's last supervision number moves to the one table of yearly numbers
(`core.YearlySequence`, numbering "supervision")."""

from django.db import migrations

from fengqiao.core.sequences import moved_into_yearly_sequences


class Migration(migrations.Migration):
    dependencies = [
        ('supervision', '0002_default_levels'),
        ('core', '0001_initial'),
    ]

    operations = [
        moved_into_yearly_sequences("supervision", "SupervisionNumberSequence", "supervision"),
        migrations.DeleteModel(name="SupervisionNumberSequence"),
    ]
