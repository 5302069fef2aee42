from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from fengqiao.workcal.selectors import calendar_covered_until
from fengqiao.workcal.services import calendar_import_from_package, package_version


class Command(BaseCommand):
    help = (
        "Add to the working-day calendar the years the chinese-calendar package knows and "
        "the calendar does not. Years already present, imported or entered by hand, are "
        "left as they are; running it again adds nothing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        added = calendar_import_from_package(actor=None)
        if added:
            self.stdout.write(
                _("Added years: %(years)s (chinese-calendar %(version)s).")
                % {"years": ", ".join(map(str, added)), "version": package_version()}
            )
        else:
            self.stdout.write(
                _("Nothing to add: every year chinese-calendar %(version)s knows is present.")
                % {"version": package_version()}
            )
        covered = calendar_covered_until()
        if covered is None:
            self.stdout.write(_("The calendar does not know the current year."))
        else:
            self.stdout.write(
                _("The calendar covers until %(date)s.") % {"date": covered.isoformat()}
            )
