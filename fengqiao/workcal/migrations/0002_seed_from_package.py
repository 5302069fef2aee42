from django.db import migrations


def seed(apps, schema_editor):
    from fengqiao.workcal.services import calendar_import_into

    calendar_import_into(
        year_model=apps.get_model("workcal", "CalendarYear"),
        day_model=apps.get_model("workcal", "CalendarDay"),
    )


class Migration(migrations.Migration):
    dependencies = [("workcal", "0001_initial")]

    # Reversing leaves the rows: the table goes with 0001, and hand-entered years must not
    # vanish with a partial rollback.
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
