"""The default supervision tiers: general 一般, key 重点, listed 挂牌督办 (editable later)."""

from django.db import migrations

DEFAULT_LEVELS = [
    ("general", "一般", 1, 5, "#2563eb"),
    ("key", "重点", 2, 3, "#ea580c"),
    ("listed", "挂牌督办", 3, 2, "#b91c1c"),
]


def install(apps, schema_editor):
    level_model = apps.get_model("supervision", "SupervisionLevel")
    for code, name, rank, days, colour in DEFAULT_LEVELS:
        if level_model.objects.filter(code=code).exists():
            continue
        if level_model.objects.filter(rank=rank).exists():
            continue
        level_model.objects.create(
            code=code, name=name, rank=rank, reply_working_days=days, colour=colour
        )


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
