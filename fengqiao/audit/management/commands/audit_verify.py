from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fengqiao.audit.services import audit_chain_verify


class Command(BaseCommand):
    help = "Check the audit hash chain; exits non-zero if a row was edited or removed."

    def handle(self, *args: Any, **options: Any) -> None:
        broken = audit_chain_verify()
        if broken:
            raise CommandError(
                _("The audit chain is broken at events: %(ids)s")
                % {"ids": ", ".join(map(str, broken[:50]))}
            )
        self.stdout.write(_("The audit chain is intact."))
