from django.db import migrations


def install_guards(apps, schema_editor):
    from fengqiao.audit import guards

    guards.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(install_guards, migrations.RunPython.noop)]
