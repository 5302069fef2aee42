"""Jobs of the notification module, run by the job runner (see `fengqiao.jobs`)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from fengqiao.notify.services import deliveries_send


@db_task(retries=2, retry_delay=30)
def send_deliveries(notification_ids: list[int]) -> int:
    return deliveries_send(notification_ids=notification_ids)


@db_periodic_task(crontab(minute="*"))
def retry_deliveries() -> int:
    """Deliveries whose first attempt failed, or whose worker died while sending."""
    return deliveries_send()
