"""/mediation: a dispute's mediations, their sessions, agreement (with terms), signatures,
judicial confirmation and documents. Scoped through the case: a mediation of a case
outside the user's jurisdiction is a 404 (and the attempt is audited)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Schema, UploadedFile
from pydantic import Field

from fengqiao.api.errors import ApiError
from fengqiao.api.routing import READ_ERRORS, Router
from fengqiao.api.schemas import StrictInput, ref
from fengqiao.api.types import AwareDatetime, LocalDatetime
from fengqiao.cases.selectors import case_get_for_user
from fengqiao.core import clock
from fengqiao.core.errors import DomainError
from fengqiao.mediation import judicial, printing, services
from fengqiao.mediation.models import (
    Agreement,
    JudicialResult,
    Mediation,
    MediationSession,
    Regime,
    Setting,
)
from fengqiao.mediation.selectors import (
    agreement_get_for_user,
    judicial_days_left,
    judicial_warning,
    mediation_get_for_user,
    mediations_of_case,
    missing_signers,
    session_get_for_user,
)
from fengqiao.ui.downloads import download_response

router = Router(tags=["mediation"])


# --------------------------------------------------------------------------- schemas
class Ref(Schema):
    id: int
    name: str


class SessionOut(Schema):
    id: int
    held_at: LocalDatetime
    place: str
    setting: str
    setting_label: str
    parties_present: list[Ref]
    others_present: list[str]
    recorder: Ref | None
    minutes: str
    attachments: list[Ref]


class TermOut(Schema):
    position: int
    obligor: Ref | None
    obligor_text: str
    obligor_name: str
    content: str
    manner: str
    due_on: dt.date
    recurring: str


class SignatureOut(Schema):
    id: int
    party: Ref | None
    mediator: Ref | None
    signed_on: dt.date


class ConfirmationOut(Schema):
    id: int
    applied_on: dt.date
    court: str
    result: str
    result_label: str
    result_on: dt.date | None


class AgreementOut(Schema):
    id: int
    number: str
    oral: bool
    parties: list[Ref]
    facts: str
    matters: str
    responsibilities: str
    performance_note: str
    made_on: dt.date
    effective_on: dt.date | None
    missing_signatures: list[str]
    judicial_deadline: dt.date | None
    judicial_days_left: int | None
    judicial_warning: bool
    terms: list[TermOut]
    signatures: list[SignatureOut]
    judicial_confirmations: list[ConfirmationOut]


class MediationOut(Schema):
    id: int
    case_id: int
    regime: str
    regime_label: str
    organization: Ref | None
    agency: Ref | None
    mediators: list[Ref]
    status: str
    status_label: str
    started_at: LocalDatetime
    closed_at: LocalDatetime | None
    outcome_note: str
    case_outcome: str
    sessions: list[SessionOut]
    agreement: AgreementOut | None


class StartIn(StrictInput):
    regime: Regime
    organization_id: int | None = Field(None, ge=1)
    agency_id: int | None = Field(None, ge=1)
    mediator_ids: list[int] = Field(min_length=1, max_length=20)


class SessionIn(StrictInput):
    held_at: AwareDatetime
    place: str = Field(min_length=1, max_length=200)
    setting: Setting
    minutes: str = Field(min_length=1, max_length=100_000)
    party_ids: list[int] = Field(default_factory=list, max_length=50)
    others_present: str = Field("", max_length=2000)
    recorder_id: int | None = Field(None, ge=1)


class OutcomeIn(StrictInput):
    version: int = Field(ge=1)
    outcome: Literal["success", "failure"]
    note: str = Field(min_length=1, max_length=20_000)
    guided_to: Literal["litigation", "arbitration", "administrative"] | None = None


class TermIn(StrictInput):
    content: str = Field(max_length=5000)
    due_on: dt.date | None = None
    manner: str = Field("", max_length=200)
    obligor_party_id: int | None = Field(None, ge=1)
    obligor_text: str = Field("", max_length=100)
    recurring: str = Field("", max_length=200)


class AgreementIn(StrictInput):
    party_ids: list[int] = Field(default_factory=list, max_length=50)
    facts: str = Field(max_length=20_000)
    matters: str = Field(max_length=20_000)
    responsibilities: str = Field("", max_length=20_000)
    performance_note: str = Field("", max_length=20_000)
    made_on: dt.date
    oral: bool = False
    terms: list[TermIn] = Field(default_factory=list, max_length=services.MAX_TERMS)


class SignatureIn(StrictInput):
    signed_on: dt.date
    party_id: int | None = Field(None, ge=1)
    mediator_id: int | None = Field(None, ge=1)


class JudicialIn(StrictInput):
    applied_on: dt.date
    court_id: int | None = Field(None, ge=1)
    court_name: str = Field("", max_length=100)


class JudicialResultIn(StrictInput):
    result: Literal["confirmed", "rejected", "withdrawn"]
    result_on: dt.date


# --------------------------------------------------------------------------- presenting
def _agreement(agreement: Agreement, today: dt.date) -> dict[str, Any]:
    return {
        "id": agreement.pk,
        "number": agreement.number,
        "oral": agreement.oral,
        "parties": [ref(p) for p in agreement.parties.select_related("person", "organization")],
        "facts": agreement.facts,
        "matters": agreement.matters,
        "responsibilities": agreement.responsibilities,
        "performance_note": agreement.performance_note,
        "made_on": agreement.made_on,
        "effective_on": agreement.effective_on,
        "missing_signatures": [] if agreement.oral else missing_signers(agreement),
        "judicial_deadline": agreement.judicial_deadline,
        "judicial_days_left": judicial_days_left(agreement, today),
        "judicial_warning": judicial_warning(agreement, today),
        "terms": [
            {
                "position": t.position,
                "obligor": ref(t.obligor),
                "obligor_text": t.obligor_text,
                "obligor_name": t.obligor_name,
                "content": t.content,
                "manner": t.manner,
                "due_on": t.due_on,
                "recurring": t.recurring,
            }
            for t in agreement.terms.select_related("obligor").order_by("position")
        ],
        "signatures": [
            {
                "id": s.pk,
                "party": ref(s.party),
                "mediator": ref(s.mediator),
                "signed_on": s.signed_on,
            }
            for s in agreement.signatures.select_related("party", "mediator")
        ],
        "judicial_confirmations": [
            {
                "id": c.pk,
                "applied_on": c.applied_on,
                "court": c.court_label,
                "result": c.result,
                "result_label": c.get_result_display(),
                "result_on": c.result_on,
            }
            for c in agreement.judicial_confirmations.select_related("court")
        ],
    }


def mediation_body(mediation: Mediation) -> dict[str, Any]:
    today = clock.today()
    agreement = Agreement.objects.filter(mediation=mediation).first()
    body = {
        "id": mediation.pk,
        "case_id": mediation.case_id,
        "regime": mediation.regime,
        "regime_label": mediation.get_regime_display(),
        "organization": ref(mediation.organization),
        "agency": ref(mediation.agency),
        "mediators": [ref(u) for u in mediation.mediators.order_by("id")],
        "status": mediation.status,
        "status_label": mediation.get_status_display(),
        "started_at": mediation.started_at,
        "closed_at": mediation.closed_at,
        "outcome_note": mediation.outcome_note,
        "case_outcome": mediation.case_outcome,
        "sessions": [
            {
                "id": s.pk,
                "held_at": s.held_at,
                "place": s.place,
                "setting": s.setting,
                "setting_label": s.get_setting_display(),
                "parties_present": [ref(p) for p in s.parties_present.all()],
                "others_present": s.others_list(),
                "recorder": ref(s.recorder),
                "minutes": s.minutes,
                "attachments": [{"id": a.pk, "name": a.original_name} for a in s.attachments.all()],
            }
            for s in mediation.sessions.select_related("recorder").order_by("held_at", "id")
        ],
        "agreement": _agreement(agreement, today) if agreement is not None else None,
    }
    return MediationOut.model_validate(body).model_dump(mode="json")


def _fresh(user: Any, mediation_id: int) -> dict[str, Any]:
    return mediation_body(mediation_get_for_user(user=user, pk=mediation_id))


# --------------------------------------------------------------------------- endpoints
@router.get("/cases/{int:case_id}", response={200: list[MediationOut], **READ_ERRORS})
def mediation_list(request: HttpRequest, case_id: int) -> list[dict[str, Any]]:
    case = case_get_for_user(user=request.auth, pk=case_id)  # type: ignore[attr-defined]
    return [mediation_body(m) for m in mediations_of_case(case=case)]


@router.write(
    "/cases/{int:case_id}",
    status=201,
    response={201: MediationOut},
    summary="Start a mediation of a dispute",
)
def mediation_start(
    request: HttpRequest,
    case_id: int,
    payload: StartIn,
) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    mediation = services.mediation_start(
        actor=user,
        case_id=case_id,
        regime=payload.regime.value,
        organization=payload.organization_id,
        agency=payload.agency_id,
        mediators=payload.mediator_ids,
    )
    return _fresh(user, mediation.pk)


@router.get("/{int:mediation_id}", response={200: MediationOut, **READ_ERRORS})
def mediation_read(request: HttpRequest, mediation_id: int) -> dict[str, Any]:
    return _fresh(request.auth, mediation_id)  # type: ignore[attr-defined]


@router.write(
    "/{int:mediation_id}/sessions",
    status=201,
    response={201: MediationOut},
    summary="Record a session (attachments are added on the case page)",
)
def session_record(
    request: HttpRequest,
    mediation_id: int,
    payload: SessionIn,
) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    services.mediation_session_record(
        actor=user,
        mediation_id=mediation_id,
        held_at=payload.held_at,
        place=payload.place,
        setting=payload.setting.value,
        minutes=payload.minutes,
        parties_present=payload.party_ids,
        others_present=payload.others_present,
        recorder=payload.recorder_id,
    )
    return _fresh(user, mediation_id)


@router.write(
    "/{int:mediation_id}/outcome",
    response={200: MediationOut},
    summary="Record success or failure; the case's result is recorded with it",
    description="`version` is the case's version as the client last saw it (409 if it changed).",
)
def outcome_record(
    request: HttpRequest,
    mediation_id: int,
    payload: OutcomeIn,
) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    services.mediation_outcome_record(
        actor=user,
        mediation_id=mediation_id,
        outcome=payload.outcome,
        note=payload.note,
        guided_to=payload.guided_to or "",
        expected_version=payload.version,
    )
    return _fresh(user, mediation_id)


@router.write(
    "/{int:mediation_id}/agreement",
    response={200: MediationOut},
    summary="Draft the agreement (or redraft it while nobody has signed)",
)
def agreement_draft(
    request: HttpRequest,
    mediation_id: int,
    payload: AgreementIn,
) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    services.agreement_draft(
        actor=user,
        mediation_id=mediation_id,
        parties=payload.party_ids,
        facts=payload.facts,
        matters=payload.matters,
        responsibilities=payload.responsibilities,
        performance_note=payload.performance_note,
        made_on=payload.made_on,
        oral=payload.oral,
        terms=[services.TermInput(**term.model_dump()) for term in payload.terms],
    )
    return _fresh(user, mediation_id)


@router.write(
    "/agreements/{int:agreement_id}/signatures",
    status=201,
    response={201: MediationOut},
    summary="Record a party's or a mediator's signature",
)
def agreement_sign(
    request: HttpRequest,
    agreement_id: int,
    payload: SignatureIn,
) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    agreement = agreement_get_for_user(user=user, pk=agreement_id)

    services.agreement_sign(
        actor=user,
        agreement_id=agreement_id,
        signed_on=payload.signed_on,
        party=payload.party_id,
        mediator=payload.mediator_id,
    )
    return _fresh(user, agreement.mediation_id)


@router.write(
    "/agreements/{int:agreement_id}/judicial-confirmations",
    status=201,
    response={201: MediationOut},
    summary="Record the parties' application for judicial confirmation (within 30 days)",
)
def judicial_apply(
    request: HttpRequest,
    agreement_id: int,
    payload: JudicialIn,
) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    agreement = agreement_get_for_user(user=user, pk=agreement_id)

    judicial.judicial_apply(
        actor=user,
        agreement_id=agreement_id,
        applied_on=payload.applied_on,
        court=payload.court_id,
        court_name=payload.court_name,
    )
    return _fresh(user, agreement.mediation_id)


@router.write(
    "/agreements/{int:agreement_id}/judicial-confirmations/result",
    response={200: MediationOut},
    summary="Record the court's result of the pending application",
)
def judicial_result(
    request: HttpRequest,
    agreement_id: int,
    payload: JudicialResultIn,
) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    agreement = agreement_get_for_user(user=user, pk=agreement_id)
    pending = agreement.judicial_confirmations.filter(result=JudicialResult.PENDING).first()
    if pending is None:
        raise ApiError(404, "not_found", _("No application is waiting for the court's result."))

    judicial.judicial_result_record(
        actor=user,
        confirmation_id=pending.pk,
        result=payload.result,
        result_on=payload.result_on,
    )
    return _fresh(user, agreement.mediation_id)


@router.write(
    "/sessions/{int:session_id}/attachments",
    status=201,
    response={201: MediationOut},
    summary="Add photos or PDF scans to a session (multipart: files)",
)
def session_attach(
    request: HttpRequest,
    session_id: int,
    files: File[list[UploadedFile]],
) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    session = session_get_for_user(user=user, pk=session_id)

    try:
        services.session_attach(actor=user, session_id=session_id, attachments=list(files))
    except DomainError as error:
        if error.field == "attachments":
            error.field = "files"
        raise
    return _fresh(user, session.mediation_id)


@router.get(
    "/agreements/{int:agreement_id}/document.{fmt}",
    response={200: None, **READ_ERRORS},
    summary="The 人民调解协议书 as Word (docx) or PDF (pdf); prints ID numbers in full",
)
def agreement_document(
    request: HttpRequest, agreement_id: int, fmt: Literal["docx", "pdf"]
) -> HttpResponse:
    user = request.auth  # type: ignore[attr-defined]
    agreement = agreement_get_for_user(user=user, pk=agreement_id)
    content = printing.agreement_document(actor=user, agreement=agreement, fmt=fmt)
    return download_response(content, filename=f"人民调解协议书{agreement.number}.{fmt}")


@router.get(
    "/sessions/{int:session_id}/minutes.{fmt}",
    response={200: None, **READ_ERRORS},
    summary="The 调解笔录 of a session as Word (docx) or PDF (pdf)",
)
def minutes_document(
    request: HttpRequest, session_id: int, fmt: Literal["docx", "pdf"]
) -> HttpResponse:
    user = request.auth  # type: ignore[attr-defined]
    session: MediationSession = session_get_for_user(user=user, pk=session_id)
    content = printing.minutes_document(actor=user, session=session, fmt=fmt)
    return download_response(content, filename=f"调解笔录{session.mediation.case.number}.{fmt}")
