from django.conf import settings
from django.db import migrations, models


def reinstall_guard(apps, schema_editor):
    # On SQLite the column change rebuilds the table, which drops its triggers.
    from fengqiao.audit import guards

    guards.install(schema_editor.connection, "cases_caseevent")


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_open_queue_index")]

    operations = [
        migrations.AlterField(
            model_name="caseevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="actor",
            ),
        ),
        migrations.RunPython(reinstall_guard, migrations.RunPython.noop),
    ]
