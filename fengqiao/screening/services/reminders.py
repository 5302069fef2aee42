"""Reminders to the areas that have not reported: once the day before the deadline, and
once after it has passed, while the round is open. Each is a notification with its own
condition (`dedupe_key`), so the daily pass may run any number of times."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fengqiao.core import clock
from fengqiao.notify.models import Kind as NotificationKind
from fengqiao.notify.services import Message, notify_many
from fengqiao.screening.models import ReportState, RoundState, ScreeningReport, ScreeningRound
from fengqiao.screening.selectors import area_reporters
from fengqiao.workcal.calendar import CENTRE_TZ

SOON = "soon"
OVERDUE = "overdue"


def _due_text(screening_round: ScreeningRound) -> str:
    return timezone.localtime(screening_round.due_at, CENTRE_TZ).strftime("%Y-%m-%d %H:%M")


def screening_remind(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Remind the reporters of each area an open round still expects a report from: from
    the day before the deadline until it (`soon`), and after it (`overdue`). Returns how
    many people were told of each, this time."""
    now = now or clock.now()
    tomorrow = timezone.localtime(now, CENTRE_TZ).date() + dt.timedelta(days=1)
    tomorrow_ends = dt.datetime.combine(tomorrow, dt.time.max, tzinfo=CENTRE_TZ)
    rounds = {
        screening_round.pk: screening_round
        for screening_round in ScreeningRound.objects.filter(
            state=RoundState.OPEN, due_at__lte=tomorrow_ends
        )
    }
    pending = list(
        ScreeningReport.objects.filter(
            round_id__in=list(rounds), expected=True, state=ReportState.PENDING
        )
        .select_related("area")
        .order_by("round_id", "area_path")
    )
    reporters = area_reporters([report.area_id for report in pending])
    messages = []
    told: dict[str, int] = defaultdict(int)
    with translation.override(settings.LANGUAGE_CODE):
        for report in pending:
            people = reporters.get(report.area_id, [])
            if not people:
                continue
            screening_round = rounds[report.round_id]
            values = {
                "title": screening_round.title,
                "area": report.area.name,
                "due": _due_text(screening_round),
            }
            if screening_round.due_at < now:
                condition, kind = OVERDUE, NotificationKind.DEADLINE_OVERDUE
                title = _("Screening report overdue: %(area)s") % values
                body = (
                    _(
                        "The report of %(area)s for “%(title)s” was due by %(due)s. File it now: "
                        "it is accepted and marked late."
                    )
                    % values
                )
            else:
                condition, kind = SOON, NotificationKind.DEADLINE_NEAR
                title = _("Screening report due by %(due)s: %(area)s") % values
                body = (
                    _(
                        "File the report of %(area)s for “%(title)s” by %(due)s: your findings, or "
                        "a zero report if nothing was found."
                    )
                    % values
                )
            messages.append(
                Message(
                    recipients=[person.pk for person in people],
                    kind=kind,
                    title=title,
                    body=body,
                    link=reverse("screening_area", args=[screening_round.pk, report.area_id]),
                    dedupe_key=f"screening:{screening_round.pk}:{report.area_id}:{condition}",
                )
            )
        created = notify_many(messages, now=now)
    for notification in created:
        told[notification.dedupe_key.rsplit(":", 1)[1]] += 1
    return {SOON: told[SOON], OVERDUE: told[OVERDUE]}
