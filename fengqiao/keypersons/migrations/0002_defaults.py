from django.db import migrations


def install(apps, schema_editor):
    from fengqiao.keypersons.services import DEFAULT_CATEGORIES, DEFAULT_LEVELS

    level = apps.get_model("keypersons", "Level")
    category = apps.get_model("keypersons", "Category")
    policy = apps.get_model("keypersons", "KeyPersonPolicy")
    for code, name, colour, rank, every, after in DEFAULT_LEVELS:
        level.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "colour": colour,
                "rank": rank,
                "visit_every_days": every,
                "after_incident_days": after,
            },
        )
    for order, (code, name, kinds, mental, particulars) in enumerate(DEFAULT_CATEGORIES):
        category.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "agency_kinds": kinds,
                "mental_health": mental,
                "particulars": particulars,
                "order": order,
            },
        )
    policy.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("keypersons", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
