"""Route each category a specialised team already takes to that team (an existing town)."""

from django.db import migrations


def seed(apps, schema_editor):
    team_model = apps.get_model("orgs", "MediationOrganization")
    route_model = apps.get_model("mediation", "CategoryTeam")
    for team in team_model.objects.filter(kind="team").order_by("id"):
        for category in team.categories.all():
            route_model.objects.get_or_create(category=category, defaults={"team": team})


class Migration(migrations.Migration):
    dependencies = [
        ("mediation", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
