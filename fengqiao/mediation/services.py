"""The writers of mediations, their sessions, agreements and signatures (judicial
confirmation is written by `mediation.judicial`, in the same manner).

Each call runs in one transaction: find the case in the actor's jurisdiction (404 if not),
check the actor may mediate it, validate, lock the case row (through `case_record_event`,
so two entries never take the same step), write, put the change on the case's timeline and
audit it. Recording the outcome resolves the case through `case_act` in the same
transaction: the mediation and the case cannot disagree about how it ended.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.accounts.models import User
from fengqiao.accounts.roles import ADMIN_ROLES
from fengqiao.audit.models import Outcome as AuditOutcome
from fengqiao.audit.services import audit_record
from fengqiao.cases.models import Case, Kind, Outcome, State
from fengqiao.cases.selectors import case_get_for_user
from fengqiao.cases.services import case_act, case_record_event
from fengqiao.core import clock
from fengqiao.core.errors import DomainError, NotAllowed, Problems, WrongState, audits_refusals
from fengqiao.core.ids import id_of
from fengqiao.core.sequences import sequence_take
from fengqiao.core.uploads import uploads_store, uploads_validate
from fengqiao.mediation.models import (
    Agreement,
    AgreementSignature,
    AgreementTerm,
    CategoryTeam,
    Mediation,
    MediationAttachment,
    MediationSession,
    MediationStatus,
    Regime,
    Setting,
)
from fengqiao.mediation.selectors import (
    JUDICIAL_WINDOW_DAYS,
    may_mediate,
    missing_signers,
)
from fengqiao.orgs.models import Agency, AgencyKind, MediationKind, MediationOrganization

FUTURE_GRACE = dt.timedelta(minutes=5)
MAX_TERMS = 30
# A failed mediation resolves the case as "not resolved", guided to one of these.
FAILURE_OUTCOMES = (Outcome.LITIGATION, Outcome.ARBITRATION, Outcome.ADMINISTRATIVE)
SUCCESS, FAILURE = "success", "failure"


# --------------------------------------------------------------------------- helpers
def _scoped_case(actor: Any, case_id: int) -> Case:
    """The case if the actor may see it (else 404, audited)."""
    return case_get_for_user(user=actor, pk=case_id)


def _audit(actor: Any, action: str, target: Any) -> dict[str, Any]:
    """The audit row of a refusal, written once the service's transaction has rolled back
    (`audits_refusals`)."""
    return {
        "action": f"mediation.{action}",
        "actor": actor,
        "target": target,
        "outcome": AuditOutcome.DENIED,
    }


def _refuse(actor: Any, action: str, target: Any, message: str) -> NotAllowed:
    return NotAllowed(message, audit=_audit(actor, action, target))


def _not_now(
    actor: Any, action: str, target: Any, code: str, message: str, *, field: str | None = None
) -> WrongState:
    """The mediation, agreement or case is not in a state that allows this now."""
    return WrongState(message, audit=_audit(actor, action, target), code=code, field=field)


def _require_mediator(actor: Any, case: Case, action: str, mediation: Mediation | None) -> None:
    if not may_mediate(actor, case, mediation):
        raise _refuse(
            actor,
            action,
            case,
            _("Only the case's handler, its mediators or a centre leader can do this."),
        )


def _mediation_locked(actor: Any, mediation_id: int) -> tuple[Mediation, Case]:
    """The mediation (row locked), after checking that its case is in the actor's scope."""
    mediation = Mediation.objects.filter(pk=mediation_id).only("id", "case_id").first()
    if mediation is None:
        from django.http import Http404

        raise Http404
    case = _scoped_case(actor, mediation.case_id)
    return Mediation.objects.select_for_update().get(pk=mediation_id), case


def _require_open(actor: Any, mediation: Mediation, action: str) -> None:
    if not mediation.is_open:
        raise _not_now(
            actor,
            action,
            mediation,
            "mediation_closed",
            _("This mediation has ended (%(status)s); start a new one if needed.")
            % {"status": mediation.get_status_display()},
        )


def _text(value: Any) -> str:
    return str(value or "").strip()


def _check_day(
    day: Any, *, field: str, case: Case, today: dt.date, not_before: dt.date | None = None
) -> dt.date:
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise DomainError("date", _("Give a date."), field=field)
    received = timezone.localdate(case.received_at)
    if day < received:
        raise DomainError(
            "before_receipt",
            _("The date cannot be before the case was received (%(day)s).")
            % {"day": received.isoformat()},
            field=field,
        )
    if not_before is not None and day < not_before:
        raise DomainError(
            "too_early",
            _("The date cannot be before %(day)s.") % {"day": not_before.isoformat()},
            field=field,
        )
    if day > today:
        raise DomainError("in_future", _("The date cannot be in the future."), field=field)
    return day


def _event(
    actor: Any, case: Case, action: str, now: dt.datetime, note: str = "", **data: Any
) -> None:
    case_record_event(actor=actor, case=case, action=action, note=note, data=data, now=now)


# --------------------------------------------------------------------------- routing
def category_team_seed() -> int:
    """A route for every category a specialised team takes and that has none yet.

    Never changes a route the administrator set; returns how many were created.
    """
    created = 0
    for team in MediationOrganization.objects.filter(kind=MediationKind.TEAM).order_by("id"):
        for category in team.categories.all():
            _route, made = CategoryTeam.objects.get_or_create(
                category=category, defaults={"team": team}
            )
            created += int(made)
    return created


# --------------------------------------------------------------------------- mediation
def _check_conductor(
    regime: str, organization: Any, agency: Any
) -> tuple[MediationOrganization | None, Agency | None]:
    org_id = getattr(organization, "pk", organization)
    agency_id = getattr(agency, "pk", agency)
    if bool(org_id) == bool(agency_id):
        raise DomainError(
            "conductor",
            _("Choose who conducts the mediation: a committee or team, or an agency."),
            field="organization",
        )
    if org_id:
        found = MediationOrganization.objects.filter(pk=org_id).first()
        if found is None:
            raise DomainError(
                "conductor", _("This committee or team was not found."), field="organization"
            )
        if regime != Regime.PEOPLE:
            raise DomainError(
                "conductor",
                _("A committee or team conducts people's mediation; choose an agency for %(r)s.")
                % {"r": Regime(regime).label},
                field="agency",
            )
        return found, None
    found_agency = Agency.objects.filter(pk=agency_id, is_active=True).first()
    if found_agency is None:
        raise DomainError("conductor", _("This agency was not found."), field="agency")
    if regime == Regime.PEOPLE:
        raise DomainError(
            "conductor",
            _("People's mediation is conducted by a committee or a specialised team."),
            field="organization",
        )
    if regime == Regime.JUDICIAL and found_agency.kind != AgencyKind.COURT:
        raise DomainError(
            "conductor", _("Judicial mediation is conducted by a court."), field="agency"
        )
    if regime == Regime.ADMINISTRATIVE and found_agency.kind == AgencyKind.COURT:
        raise DomainError(
            "conductor",
            _("A court conducts judicial mediation; choose that regime."),
            field="regime",
        )
    return None, found_agency


def _check_mediators(
    mediators: Sequence[Any], organization: MediationOrganization | None, agency: Agency | None
) -> list[User]:
    ids = {id_of(m) for m in mediators if m}
    if not ids:
        raise DomainError("mediators", _("Name at least one mediator."), field="mediators")
    users = list(User.objects.filter(pk__in=ids, is_active=True).prefetch_related("role_grants"))
    if len(users) != len(ids):
        raise DomainError("mediators", _("A mediator was not found."), field="mediators")
    members = (
        set(organization.members.filter(pk__in=ids).values_list("pk", flat=True))
        if organization is not None
        else set()
    )
    for user in users:
        if not user.roles or user.roles & ADMIN_ROLES:
            raise DomainError(
                "mediators",
                _("%(name)s cannot mediate: an administrator account.") % {"name": user},
                field="mediators",
            )
        if organization is not None and user.pk not in members:
            raise DomainError(
                "mediators",
                _("%(name)s is not a member of %(org)s.") % {"name": user, "org": organization},
                field="mediators",
            )
        if agency is not None and user.agency_id != agency.pk:
            raise DomainError(
                "mediators",
                _("%(name)s does not work for %(org)s.") % {"name": user, "org": agency},
                field="mediators",
            )
    return sorted(users, key=lambda user: user.pk)


@audits_refusals
@transaction.atomic
def mediation_start(
    *,
    actor: Any,
    case_id: int,
    regime: str,
    mediators: Sequence[Any],
    organization: Any = None,
    agency: Any = None,
    now: dt.datetime | None = None,
) -> Mediation:
    now = now or clock.now()
    case = _scoped_case(actor, case_id)
    _require_mediator(actor, case, "start", None)
    if case.kind != Kind.DISPUTE:
        raise _not_now(actor, "start", case, "not_dispute", _("Only a dispute can be mediated."))
    if not case.is_open or case.state in (State.RESOLVED, State.REPORTED):
        raise _not_now(
            actor,
            "start",
            case,
            "case_state",
            _("A mediation cannot start while the case is “%(state)s”.")
            % {"state": case.get_state_display()},
        )
    if regime not in Regime.values:
        raise DomainError("regime", _("Choose the kind of mediation."), field="regime")
    org, found_agency = _check_conductor(regime, organization, agency)
    users = _check_mediators(mediators, org, found_agency)
    if case.mediations.filter(status=MediationStatus.OPEN).exists():
        raise _not_now(
            actor, "start", case, "already_open", _("This case already has a mediation under way.")
        )
    try:
        with transaction.atomic():
            mediation = Mediation.objects.create(
                case=case,
                regime=regime,
                organization=org,
                agency=found_agency,
                started_at=now,
                started_by=actor,
            )
    except IntegrityError as error:
        # Two people started one at the same moment: the unique index lets one through.
        raise _not_now(
            actor, "start", case, "already_open", _("This case already has a mediation under way.")
        ) from error
    mediation.mediators.set(users)
    _event(
        actor,
        case,
        "mediation_start",
        now,
        regime=regime,
        handler=str(mediation.conducted_by),
        mediators=[str(u) for u in users],
    )
    audit_record(
        action="mediation.start",
        actor=actor,
        target=mediation,
        area=case.area,
        details={"case": case.pk, "regime": regime, "mediators": [u.pk for u in users]},
    )
    return mediation


@audits_refusals
@transaction.atomic
def mediation_session_record(
    *,
    actor: Any,
    mediation_id: int,
    held_at: dt.datetime,
    place: str,
    setting: str,
    minutes: str,
    parties_present: Sequence[Any] = (),
    others_present: str = "",
    recorder: Any = None,
    attachments: Sequence[UploadedFile] = (),
    now: dt.datetime | None = None,
) -> MediationSession:
    now = now or clock.now()
    mediation, case = _mediation_locked(actor, mediation_id)
    _require_mediator(actor, case, "session", mediation)
    _require_open(actor, mediation, "session")
    # Every problem of the record is said at once.
    problems = Problems()
    if not isinstance(held_at, dt.datetime) or timezone.is_naive(held_at):
        problems.add("held_at", _("Give the date and time of the session."), field="held_at")
    elif held_at < case.received_at:
        problems.add(
            "before_receipt",
            _("The session cannot be before the case was received (%(when)s).")
            % {"when": timezone.localtime(case.received_at).strftime("%Y-%m-%d %H:%M")},
            field="held_at",
        )
    elif held_at > now + FUTURE_GRACE:
        problems.add("in_future", _("A session is recorded after it was held."), field="held_at")
    place, minutes = _text(place), _text(minutes)
    if not place:
        problems.add("place", _("Say where the session was held."), field="place")
    if setting not in Setting.values:
        problems.add("setting", _("Choose the setting."), field="setting")
    if not minutes:
        problems.add("minutes", _("Write the minutes of the session."), field="minutes")
    party_ids = {id_of(p) for p in parties_present if p}
    parties = list(case.parties.filter(pk__in=party_ids))
    if len(parties) != len(party_ids):
        problems.add(
            "parties_present",
            _("Choose the parties present from the case's parties."),
            field="parties_present",
        )
    recorder_user = None
    if recorder:
        recorder_user = User.objects.filter(pk=id_of(recorder)).first()
        if recorder_user is None:
            problems.add("recorder", _("The recorder was not found."), field="recorder")
    with problems.check():
        uploads_validate(attachments)
    problems.raise_if_any()
    session = MediationSession.objects.create(
        mediation=mediation,
        held_at=held_at,
        place=place[:200],
        setting=setting,
        others_present=_text(others_present),
        recorder=recorder_user,
        minutes=minutes,
        created_by=actor,
        created_at=now,
    )
    session.parties_present.set(parties)
    files = uploads_store(
        MediationAttachment, attachments, actor=actor, now=now, mediation=mediation, session=session
    )
    data: dict[str, Any] = {"session": session.pk, "held_at": held_at.isoformat()}
    if files:
        data["files"] = files
    _event(actor, case, "mediation_session", now, note=place[:200], **data)
    audit_record(
        action="mediation.session",
        actor=actor,
        target=session,
        area=case.area,
        details={"mediation": mediation.pk, "files": len(files)},
    )
    return session


@audits_refusals
def mediation_outcome_record(
    *,
    actor: Any,
    mediation_id: int,
    outcome: str,
    note: str,
    guided_to: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Mediation:
    """Success or failure of the mediation, and with it the case's result (`resolve`).

    `expected_version` is the case version the actor saw (a stale one is a conflict);
    None takes the current one.
    """
    return _outcome_locked(
        actor=actor,
        mediation_id=mediation_id,
        outcome=outcome,
        note=note,
        guided_to=guided_to,
        expected_version=expected_version,
        now=now or clock.now(),
    )


@transaction.atomic
def _outcome_locked(
    *,
    actor: Any,
    mediation_id: int,
    outcome: str,
    note: str,
    guided_to: str,
    expected_version: int | None,
    now: dt.datetime,
) -> Mediation:
    mediation, case = _mediation_locked(actor, mediation_id)
    _require_mediator(actor, case, "outcome", mediation)
    _require_open(actor, mediation, "outcome")
    note = _text(note)
    if outcome not in (SUCCESS, FAILURE):
        raise DomainError("outcome", _("Choose success or failure."), field="outcome")
    if not note:
        raise DomainError("note", _("Write what was agreed or why it failed."), field="note")
    if outcome == SUCCESS:
        agreement = Agreement.objects.filter(mediation=mediation).first()
        if agreement is None:
            raise _not_now(
                actor,
                "outcome",
                mediation,
                "no_agreement",
                _("Record the agreement (written or oral) before recording success."),
            )
        if agreement.effective_on is None:
            raise _not_now(
                actor,
                "outcome",
                mediation,
                "not_effective",
                _("The agreement is not signed yet by: %(who)s.")
                % {"who": "、".join(missing_signers(agreement))},
            )
        case_outcome = Outcome.RESOLVED
    else:
        if guided_to not in FAILURE_OUTCOMES:
            raise DomainError(
                "guided_to",
                _(
                    "Choose where the parties were guided: litigation, arbitration or an "
                    "administrative channel."
                ),
                field="guided_to",
            )
        case_outcome = guided_to
    locked = Case.objects.select_for_update().get(pk=case.pk)
    mediation.status = MediationStatus.SUCCEEDED if outcome == SUCCESS else MediationStatus.FAILED
    mediation.case_outcome = case_outcome
    mediation.outcome_note = note
    mediation.closed_at, mediation.closed_by = now, actor
    mediation.save(
        update_fields=["status", "case_outcome", "outcome_note", "closed_at", "closed_by"]
    )
    case_act(
        actor=actor,
        case_id=case.pk,
        action="resolve",
        expected_version=locked.version if expected_version is None else expected_version,
        now=now,
        outcome=case_outcome,
        note=note,
    )
    audit_record(
        action="mediation.outcome",
        actor=actor,
        target=mediation,
        area=case.area,
        details={"outcome": outcome, "case_outcome": case_outcome},
    )
    return mediation


def resolve_precondition(case: Case, actor: Any) -> str | None:
    """While a mediation is under way, the case's result is its outcome, recorded there."""
    if Mediation.objects.filter(case=case, status=MediationStatus.OPEN).exists():
        return _("A mediation is under way: record its outcome in the mediation section.")
    return None


# --------------------------------------------------------------------------- agreement
@dataclass
class TermInput:
    content: str
    due_on: dt.date | None
    manner: str = ""
    obligor_party_id: int | None = None
    obligor_text: str = ""
    recurring: str = ""


def _next_number(case: Case, year: int) -> str:
    number = sequence_take("agreement", year)
    return f"（{year}）{town_short_name(case)}调字第{number}号"


def town_short_name(case: Case) -> str:
    """The town's name without 镇/乡/街道, for agreement numbers: 万泉镇 → 万泉."""
    from django.conf import settings

    configured = getattr(settings, "FENGQIAO_MEDIATION_NUMBER_NAME", "")
    if configured:
        return configured
    ancestors = case.area.ancestors()
    name = ancestors[0].name if ancestors else case.area.name
    for suffix in ("街道办事处", "街道", "镇", "乡"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _check_terms(
    terms: Sequence[TermInput], case: Case, made_on: dt.date | None, problems: Problems
) -> list[AgreementTerm]:
    """The terms' rows; each problem of each term is added to `problems`."""
    if len(terms) > MAX_TERMS:
        problems.add("terms", _("At most %(n)d terms.") % {"n": MAX_TERMS}, field="terms")
        return []
    parties = case.parties.in_bulk()
    rows = []
    for index, term in enumerate(terms):
        field = f"terms.{index}"
        content = _text(term.content)
        if not content:
            problems.add("term_content", _("Say what is to be done."), field=f"{field}.content")
        if term.due_on is None:
            problems.add(
                "term_due",
                _("Term %(n)d needs a deadline (by when it is performed).") % {"n": index + 1},
                field=f"{field}.due_on",
            )
        elif made_on is not None and term.due_on < made_on:
            problems.add(
                "term_due",
                _("Term %(n)d is due before the agreement was made.") % {"n": index + 1},
                field=f"{field}.due_on",
            )
        obligor = None
        if term.obligor_party_id:
            obligor = parties.get(id_of(term.obligor_party_id))
            if obligor is None:
                problems.add(
                    "term_obligor",
                    _("Choose who performs from the case's parties."),
                    field=f"{field}.obligor",
                )
        elif not _text(term.obligor_text):
            problems.add(
                "term_obligor",
                _("Term %(n)d: say who performs it.") % {"n": index + 1},
                field=f"{field}.obligor",
            )
        rows.append(
            AgreementTerm(
                position=index + 1,
                obligor=obligor,
                obligor_text=_text(term.obligor_text)[:100],
                content=content,
                manner=_text(term.manner)[:200],
                due_on=term.due_on,
                recurring=_text(term.recurring)[:200],
            )
        )
    return rows


@audits_refusals
@transaction.atomic
def agreement_draft(
    *,
    actor: Any,
    mediation_id: int,
    parties: Sequence[Any],
    facts: str,
    matters: str,
    terms: Sequence[TermInput],
    made_on: dt.date,
    oral: bool = False,
    responsibilities: str = "",
    performance_note: str = "",
    now: dt.datetime | None = None,
) -> Agreement:
    """Draft the agreement, or redraft it while nobody has signed it yet."""
    now = now or clock.now()
    mediation, case = _mediation_locked(actor, mediation_id)
    _require_mediator(actor, case, "agreement", mediation)
    _require_open(actor, mediation, "agreement")
    existing = Agreement.objects.filter(mediation=mediation).first()
    if existing is not None and existing.signatures.exists():
        raise _not_now(
            actor,
            "agreement",
            existing,
            "signed",
            _("The agreement has been signed; it can no longer be changed."),
        )
    # Every problem of the draft is said at once.
    problems = Problems()
    checked_day = None
    with problems.check():
        checked_day = _check_day(made_on, field="made_on", case=case, today=timezone.localdate(now))
    party_ids = {id_of(p) for p in parties if p}
    party_rows = list(case.parties.filter(pk__in=party_ids))
    if not party_ids or len(party_rows) != len(party_ids):
        problems.add(
            "parties",
            _("An agreement needs its parties: choose them from the case's parties."),
            field="parties",
        )
    facts, matters = _text(facts), _text(matters)
    if not facts:
        problems.add("facts", _("State the main facts of the dispute."), field="facts")
    if not matters:
        problems.add("matters", _("State the matters in dispute."), field="matters")
    performance_note = _text(performance_note)
    if not terms and not (oral and performance_note):
        problems.add(
            "terms",
            _("An agreement needs at least one term: who does what, how and by when."),
            field="terms",
        )
    term_rows = _check_terms(terms, case, checked_day, problems)
    problems.raise_if_any()
    made_on = checked_day
    values = {
        "oral": bool(oral),
        "facts": facts,
        "matters": matters,
        "responsibilities": _text(responsibilities),
        "performance_note": performance_note,
        "made_on": made_on,
        # An oral agreement takes effect when made; it has no paper to confirm in court.
        "effective_on": made_on if oral else None,
        "judicial_deadline": None,
        "updated_at": now,
    }
    if existing is None:
        agreement = Agreement.objects.create(
            mediation=mediation,
            number=_next_number(case, made_on.year),
            created_by=actor,
            created_at=now,
            **values,
        )
        action = "agreement_draft"
    else:
        agreement = existing
        for name, value in values.items():
            setattr(agreement, name, value)
        agreement.save(update_fields=list(values))
        agreement.terms.all().delete()
        action = "agreement_redraft"
    agreement.parties.set(party_rows)
    for row in term_rows:
        row.agreement = agreement
    AgreementTerm.objects.bulk_create(term_rows)
    _event(
        actor,
        case,
        action,
        now,
        agreement=agreement.number,
        oral=agreement.oral,
        terms=len(term_rows),
    )
    audit_record(
        action=f"mediation.{action}",
        actor=actor,
        target=agreement,
        area=case.area,
        details={"mediation": mediation.pk, "terms": len(term_rows), "oral": agreement.oral},
    )
    return agreement


def _refresh_effective(agreement: Agreement) -> bool:
    """Set the effective date once every party and a mediator have signed."""
    if agreement.oral or agreement.effective_on is not None or missing_signers(agreement):
        return False
    agreement.effective_on = max(s.signed_on for s in agreement.signatures.all())
    agreement.judicial_deadline = agreement.effective_on + dt.timedelta(days=JUDICIAL_WINDOW_DAYS)
    agreement.save(update_fields=["effective_on", "judicial_deadline"])
    return True


@audits_refusals
@transaction.atomic
def agreement_sign(
    *,
    actor: Any,
    agreement_id: int,
    signed_on: dt.date,
    party: Any = None,
    mediator: Any = None,
    attachments: Sequence[UploadedFile] = (),
    now: dt.datetime | None = None,
) -> AgreementSignature:
    """Record that a party or a mediator signed (or sealed, or fingerprinted) the paper."""
    now = now or clock.now()
    agreement = Agreement.objects.filter(pk=agreement_id).only("id", "mediation_id").first()
    if agreement is None:
        from django.http import Http404

        raise Http404
    mediation, case = _mediation_locked(actor, agreement.mediation_id)
    _require_mediator(actor, case, "sign", mediation)
    _require_open(actor, mediation, "sign")
    agreement = Agreement.objects.select_for_update().get(pk=agreement_id)
    if agreement.oral:
        raise _not_now(actor, "sign", agreement, "oral", _("An oral agreement is not signed."))
    party_id, mediator_id = getattr(party, "pk", party), getattr(mediator, "pk", mediator)
    if bool(party_id) == bool(mediator_id):
        raise DomainError("signer", _("Choose who signed: a party or a mediator."), field="signer")
    signed_on = _check_day(
        signed_on,
        field="signed_on",
        case=case,
        today=timezone.localdate(now),
        not_before=agreement.made_on,
    )
    party_row = mediator_user = None
    if party_id:
        party_row = agreement.parties.filter(pk=party_id).first()
        if party_row is None:
            raise DomainError(
                "signer", _("This party is not a party to the agreement."), field="signer"
            )
        if agreement.signatures.filter(party=party_row).exists():
            raise _not_now(
                actor,
                "sign",
                agreement,
                "signed",
                _("This party has already signed."),
                field="signer",
            )
    else:
        mediator_user = mediation.mediators.filter(pk=mediator_id).first()
        if mediator_user is None:
            raise DomainError(
                "signer", _("Only a mediator of this mediation signs for it."), field="signer"
            )
        if agreement.signatures.filter(mediator=mediator_user).exists():
            raise _not_now(
                actor,
                "sign",
                agreement,
                "signed",
                _("This mediator has already signed."),
                field="signer",
            )
    uploads_validate(attachments)
    signature = AgreementSignature.objects.create(
        agreement=agreement,
        party=party_row,
        mediator=mediator_user,
        signed_on=signed_on,
        recorded_by=actor,
        recorded_at=now,
    )
    files = uploads_store(
        MediationAttachment,
        attachments,
        actor=actor,
        now=now,
        mediation=mediation,
        agreement=agreement,
    )
    effective = _refresh_effective(agreement)
    data: dict[str, Any] = {
        "agreement": agreement.number,
        "signer": str(party_row or mediator_user),
        "signed_on": signed_on.isoformat(),
    }
    if files:
        data["files"] = files
    if effective:
        data["effective_on"] = agreement.effective_on.isoformat()
    _event(actor, case, "agreement_sign", now, **data)
    audit_record(
        action="mediation.agreement_sign",
        actor=actor,
        target=agreement,
        area=case.area,
        details={"signature": signature.pk, "effective": effective},
    )
    return signature


@audits_refusals
@transaction.atomic
def session_attach(
    *,
    actor: Any,
    session_id: int,
    attachments: Sequence[UploadedFile],
    now: dt.datetime | None = None,
) -> list[MediationAttachment]:
    """Add scans or photos to a session already recorded (e.g. sent from a phone later)."""
    now = now or clock.now()
    found = MediationSession.objects.filter(pk=session_id).only("id", "mediation_id").first()
    if found is None:
        from django.http import Http404

        raise Http404
    mediation, case = _mediation_locked(actor, found.mediation_id)
    _require_mediator(actor, case, "session_attach", mediation)
    if not attachments:
        raise DomainError("files", _("Choose at least one file."), field="files")
    uploads_validate(attachments)
    session = MediationSession.objects.get(pk=session_id)
    files = uploads_store(
        MediationAttachment, attachments, actor=actor, now=now, mediation=mediation, session=session
    )
    _event(actor, case, "mediation_session_attach", now, session=session.pk, files=files)
    audit_record(
        action="mediation.session_attach",
        actor=actor,
        target=session,
        area=case.area,
        details={"files": len(files)},
    )
    return list(session.attachments.order_by("-id")[: len(files)])
