from django.conf import settings
from django.db import migrations, models

from fengqiao.audit import guards


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
        # On SQLite the column change rebuilds the table, dropping its triggers.
        guards.install_operation("cases_caseevent"),
    ]
