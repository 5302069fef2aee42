"""The year's last agreement number moves to the one table of yearly numbers
(`core.YearlySequence`, numbering "agreement")."""

from django.db import migrations

from fengqiao.core.sequences import moved_into_yearly_sequences


class Migration(migrations.Migration):
    dependencies = [
        ('mediation', '0002_seed_category_routes'),
        ('core', '0001_initial'),
    ]

    operations = [
        moved_into_yearly_sequences("mediation", "AgreementNumberSequence", "agreement"),
        migrations.DeleteModel(name="AgreementNumberSequence"),
    ]
