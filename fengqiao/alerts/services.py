"""The only writers of alerts: the pass of the rules (`alerts_run_all`), a leader's flag
(`alert_flag_case`) and the one transition service (`alert_act`).

An alert is raised once per condition: `condition_key` is unique and a pass inserts a
chunk of alerts at a time, skipping the keys already there, each chunk in its own
transaction; so two passes, or two workers at once, raise it once, and a pass killed
half-way keeps the chunks it committed and finds the rest next time.
The responsible people are notified in the same transaction, if the notification app
is installed (it sends e-mail and SMS only after the commit).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from fengqiao.accounts import jurisdiction
from fengqiao.alerts import workflow
from fengqiao.alerts.models import ACTIVE_STATUSES, Alert, AlertRule, Severity
from fengqiao.alerts.rules import Finding, all_rules
from fengqiao.alerts.rules.leader_flag import rule as leader_flag_rule
from fengqiao.alerts.selectors import (
    alert_list_for_user,
    alert_responsible_user_ids,
    person_alert_recipients,
)
from fengqiao.areas.models import Area
from fengqiao.audit.services import audit_record, audit_record_many
from fengqiao.cases.selectors import case_get_for_user
from fengqiao.core import clock
from fengqiao.core.errors import DomainError, Problems, WrongState, audits_refusals
from fengqiao.core.sql import insert_new

logger = logging.getLogger(__name__)

# SQLite allows a limited number of parameters in one statement.
KEY_CHUNK = 500


# --------------------------------------------------------------------------- rules
def alert_rules_install() -> dict[str, AlertRule]:
    """A settings row for every registered rule (with its defaults), then all rows."""
    rules = all_rules()
    AlertRule.objects.bulk_create(
        [
            AlertRule(code=code, thresholds=dict(rule.default_thresholds))
            for code, rule in rules.items()
        ],
        ignore_conflicts=True,
    )
    return {row.code: row for row in AlertRule.objects.filter(code__in=list(rules))}


def alerts_run_all(*, now: dt.datetime | None = None) -> list[Alert]:
    """One pass of every enabled rule; returns the alerts it raised (none already raised).

    A rule that fails, or whose saved thresholds no longer validate, is logged and
    skipped; the others still run.
    """
    now = now or clock.now()
    settings = alert_rules_install()
    raised: list[Alert] = []
    for code, rule in all_rules().items():
        setting = settings[code]
        if rule.manual or not setting.enabled:
            continue
        thresholds = setting.effective_thresholds()
        try:
            rule.validate(thresholds)
            findings = list(rule.evaluate(now=now, thresholds=thresholds))
            raised.extend(_raise_new(code, findings, now=now))
        except ValidationError as error:
            logger.error("Warning rule %s skipped: invalid thresholds %s", code, error.messages)
        except Exception:
            # Each chunk commits on its own; what was raised before the failure stays.
            logger.exception("Warning rule %s failed", code)
    return raised


def raise_findings(
    rule_code: str, findings: Sequence[Finding], *, now: dt.datetime | None = None
) -> list[Alert]:
    """Raise the alerts of findings made outside the rule passes (a domain's own sweep, e.g.
    overdue key-person visits), each condition once."""
    return _raise_new(rule_code, findings, now=now or clock.now())


def _raise_new(rule_code: str, findings: Sequence[Finding], *, now: dt.datetime) -> list[Alert]:
    unique = {finding.condition_key: finding for finding in findings}
    keys = list(unique)
    # Most findings of a pass were raised by an earlier pass: one query per chunk finds them.
    existing: set[str] = set()
    for start in range(0, len(keys), KEY_CHUNK):
        existing.update(
            Alert.objects.filter(condition_key__in=keys[start : start + KEY_CHUNK]).values_list(
                "condition_key", flat=True
            )
        )
    new = [finding for key, finding in unique.items() if key not in existing]
    raised: list[Alert] = []
    for start in range(0, len(new), KEY_CHUNK):
        raised.extend(_raise_chunk(rule_code, new[start : start + KEY_CHUNK], now=now))
    return raised


ALERT_FIELDS = tuple(field.name for field in Alert._meta.concrete_fields if not field.primary_key)


@transaction.atomic
def _raise_chunk(
    rule_code: str, findings: Sequence[Finding], *, now: dt.datetime, raised_by: Any = None
) -> list[Alert]:
    """The alerts of a chunk of findings, with their cases, audit rows and notices, in one
    transaction and a few statements whatever the chunk's size. `raised_by`: the leader
    who flagged the case, for a flag.

    Keys another pass inserted meanwhile are skipped by the unique index and left to it:
    what this pass inserted is what the insert returns.
    """
    areas = Area.objects.in_bulk({finding.area_id for finding in findings})
    rows = [
        Alert(
            rule_code=rule_code,
            severity=finding.severity,
            title=finding.title[:200],
            detail=finding.detail,
            area=areas[finding.area_id],
            area_path=areas[finding.area_id].path,
            condition_key=finding.condition_key,
            created_at=now,
            raised_by=raised_by,
            person_id=finding.person_id,
        )
        for finding in findings
    ]
    inserted = dict(insert_new(Alert, rows, fields=ALERT_FIELDS, returning=("condition_key", "id")))
    ours = []
    for alert, finding in zip(rows, findings, strict=True):
        if alert.condition_key in inserted:
            alert.pk = inserted[alert.condition_key]
            alert._state.adding = False
            ours.append((alert, finding))
    if not ours:
        return []
    Alert.cases.through.objects.bulk_create(
        [
            Alert.cases.through(alert_id=alert.pk, case_id=case_id)
            for alert, finding in ours
            for case_id in dict.fromkeys(finding.case_ids)
        ],
        ignore_conflicts=True,
    )
    audit_record_many(
        [
            {
                "action": "alert.raise",
                "actor": raised_by,
                "target": alert,
                "area": alert.area,
                "details": {
                    "rule": rule_code,
                    "severity": finding.severity,
                    "cases": list(finding.case_ids),
                },
            }
            for alert, finding in ours
        ]
    )
    _notify_responsible(
        [alert for alert, _finding in ours],
        {alert.pk: sorted(set(finding.case_ids)) for alert, finding in ours},
    )
    return [alert for alert, _finding in ours]


def _notify_responsible(alerts: list[Alert], case_ids: dict[int, list[int]]) -> None:
    """Tell the area's leaders and the cases' handlers, if notifications are installed.

    Inside the alerts' transaction: the in-app notices commit with the alerts or not at
    all (a worker killed in between cannot leave an alert nobody was told of), and the
    notification app sends e-mail and SMS only after the commit.
    """
    if not apps.is_installed("fengqiao.notify"):
        return
    try:
        from fengqiao.notify import services as notify_services
    except ImportError:
        return
    from fengqiao.cases.models import Case

    responsible = alert_responsible_user_ids(alerts, case_ids)
    first_cases = Case.objects.only("id").in_bulk([ids[0] for ids in case_ids.values() if ids])
    messages = []
    for alert in alerts:
        recipients = sorted(
            person_alert_recipients(alert.person_id, responsible[alert.pk] - {alert.raised_by_id})
        )
        if not recipients:
            continue
        first = case_ids.get(alert.pk) or [None]
        messages.append(
            notify_services.Message(
                recipients=recipients,
                kind="alert",
                title=alert.title,
                body=alert.detail,
                link=reverse("alert_detail", args=[alert.pk]),
                case=first_cases.get(first[0]),
                dedupe_key=f"alert:{alert.pk}",
            )
        )
    if messages:
        notify_services.notify_many(messages)


# --------------------------------------------------------------------------- leader's flag
@audits_refusals
def alert_flag_case(
    *,
    actor: Any,
    case_id: int,
    note: str,
    severity: str = Severity.HIGH,
    now: dt.datetime | None = None,
) -> Alert:
    """A centre leader flags a case for attention; the alert is raised at once. Raises
    NotAllowed (not a leader), WrongState (the case is closed, or already flagged and not
    yet handled), DomainError (the note or severity) or Http404 (the case is out of scope).
    """
    move = workflow.ALERT_LIFECYCLE.get("flag")
    refused = workflow.refusal(
        actor,
        workflow.NEW,
        move,
        audit={
            "action": "alert.flag",
            "actor": actor,
            "target_type": "cases.case",
            "target_id": str(case_id),
        },
    )
    if refused is not None:
        raise refused
    case = case_get_for_user(user=actor, pk=case_id)
    return _flag(actor, case, note, severity, now or clock.now())


@transaction.atomic
def _flag(actor: Any, case: Any, note: str, severity: str, now: dt.datetime) -> Alert:
    audit = {"action": "alert.flag", "actor": actor, "target": case}
    problems = Problems()
    note = (note or "").strip()
    if not note:
        problems.add("note", str(workflow.NOTE_PROMPTS["flag"]), field="note")
    if severity not in Severity.values:
        problems.add("severity", _("Choose a severity."), field="severity")
    problems.raise_if_any()
    if not case.is_open:
        raise WrongState(
            _("This case is closed; there is nothing to flag."), audit=audit, code="case_closed"
        )
    flagged = Alert.objects.filter(rule_code=leader_flag_rule.code, cases=case)
    already = WrongState(
        _("This case is already flagged and not yet handled."),
        audit=audit,
        code="already_flagged",
    )
    if flagged.filter(status__in=ACTIVE_STATUSES).exists():
        raise already
    finding = Finding(
        # Numbered per case: a double submit makes the same key, and raises one alert.
        condition_key=f"{leader_flag_rule.code}:{case.pk}:{flagged.count() + 1}",
        severity=severity,
        title=_("Flagged by %(leader)s: %(number)s %(title)s")
        % {"leader": actor, "number": case.number, "title": case.title},
        detail=note,
        area_id=case.area_id,
        case_ids=(case.pk,),
    )
    raised = _raise_chunk(leader_flag_rule.code, [finding], now=now, raised_by=actor)
    if not raised:
        raise already
    return raised[0]


# --------------------------------------------------------------------------- transitions
def actions_for(user: Any, alert: Alert) -> list[workflow.Transition]:
    """The moves `user` may take on `alert` now (for the board and the API)."""
    return workflow.available_moves(user, alert.status)


def alert_act(
    *, actor: Any, alert_id: int, action: str, note: str = "", now: dt.datetime | None = None
) -> Alert:
    """Acknowledge, handle (with a note) or dismiss (with a reason) an alert. Raises
    NotAllowed, WrongState, DomainError (the note) or Http404 (the alert is not in the
    actor's jurisdiction); each refusal is audited.
    """
    # The flag raises an alert (`alert_flag_case`); it is not a move of one.
    move = workflow.ALERT_LIFECYCLE.get("" if action == "flag" else action)
    # Scope first: an alert outside the jurisdiction does not exist for this actor.
    jurisdiction.get_in_scope(actor, alert_list_for_user(user=actor), alert_id)
    return _act(actor, alert_id, move, note, now or clock.now())


@audits_refusals
@transaction.atomic
def _act(
    actor: Any,
    alert_id: int,
    move: workflow.Transition,
    note: str,
    now: dt.datetime,
) -> Alert:
    alert = Alert.objects.select_for_update(of=("self",)).select_related("area").get(pk=alert_id)
    refused = workflow.refusal(
        actor,
        alert.status,
        move,
        audit={
            "action": f"alert.{move.action}",
            "actor": actor,
            "target": alert,
            "details": {"status": alert.status},
        },
    )
    if refused is not None:
        raise refused
    note = (note or "").strip()
    if "note" in move.requires and not note:
        raise DomainError("note", str(workflow.NOTE_PROMPTS[move.action]), field="note")
    from_status = alert.status
    fields = ["status"]
    if alert.acknowledged_at is None:
        alert.acknowledged_by, alert.acknowledged_at = actor, now
        fields += ["acknowledged_by", "acknowledged_at"]
    (target,) = move.targets
    if target not in ACTIVE_STATUSES:
        alert.closed_by, alert.closed_at, alert.closing_note = actor, now, note
        fields += ["closed_by", "closed_at", "closing_note"]
    alert.status = target
    alert.save(update_fields=fields)
    audit_record(
        action=f"alert.{move.action}",
        actor=actor,
        target=alert,
        details={"from": from_status, "to": alert.status},
    )
    return alert
