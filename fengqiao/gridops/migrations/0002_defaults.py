from django.db import migrations


def install(apps, schema_editor):
    activity = apps.get_model("gridops", "Activity")
    policy = apps.get_model("gridops", "LogPolicy")
    defaults = [
        ("patrol", "巡查", 1),
        ("home_visit", "走访入户", 2),
        ("publicity", "政策宣传", 3),
        ("dispute_screening", "矛盾排查", 4),
        ("key_person_visit", "重点人员走访", 5),
        ("other", "其他", 9),
    ]
    for code, name, order in defaults:
        activity.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})
    policy.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("gridops", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
