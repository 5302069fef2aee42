from django.db import migrations


def install(apps, schema_editor):
    apps.get_model("screening", "ScreeningPolicy").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("screening", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
