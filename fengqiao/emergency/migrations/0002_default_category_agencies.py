from django.db import migrations


def forwards(apps, schema_editor):
    from fengqiao.emergency.defaults import install_category_agencies

    install_category_agencies(
        mapping_model=apps.get_model("emergency", "CategoryAgency"),
        category_model=apps.get_model("cases", "CaseCategory"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("emergency", "0001_initial"),
        ("cases", "0003_timeline_append_only_and_default_tiers"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
