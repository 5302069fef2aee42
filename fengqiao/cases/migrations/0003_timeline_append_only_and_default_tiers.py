from django.db import migrations


def forwards(apps, schema_editor):
    from fengqiao.audit import guards
    from fengqiao.cases.defaults import install_defaults

    guards.install(schema_editor.connection, "cases_caseevent")
    install_defaults(
        sla_model=apps.get_model("cases", "SlaPolicy"),
        category_model=apps.get_model("cases", "CaseCategory"),
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_cases"), ("audit", "0002_append_only")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
