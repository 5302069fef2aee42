from typing import Any

from django.core.management.base import BaseCommand

from fengqiao.api.services import api_purge


class Command(BaseCommand):
    help = "Delete expired API tokens and idempotency records older than 24 hours."

    def handle(self, *args: Any, **options: Any) -> None:
        removed = api_purge()
        self.stdout.write(
            f"{removed['tokens']} expired tokens, "
            f"{removed['idempotency_records']} idempotency records deleted"
        )
