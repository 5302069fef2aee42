"""The mediation documents: 人民调解协议书 and 调解笔录, as Word or PDF.

These build the print data (`mediation.documents.data`) from the records and hand it to the
renderers. The documents are the parties' legal papers and print their particulars in full,
ID numbers included: generating one needs `selectors.may_print`, and each ID number and
phone put on paper is revealed through the people app's audited path, with the document as
the stated reason. The wording below is the standard Chinese form's, whatever the
language of the page the request came from.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from fengqiao.accounts import jurisdiction
from fengqiao.audit.services import audit_record
from fengqiao.cases.models import CaseParty, PartyRole
from fengqiao.core.printing import print_date
from fengqiao.mediation.documents import FORMATS, render_agreement, render_minutes
from fengqiao.mediation.models import (
    Agreement,
    Mediation,
    MediationSession,
    MediationStatus,
    Regime,
    Setting,
)
from fengqiao.mediation.selectors import JUDICIAL_WINDOW_DAYS, may_print
from fengqiao.people.models import Gender
from fengqiao.people.services import person_reveal

ROLE_PRINT = {
    PartyRole.APPLICANT: "申请人",
    PartyRole.RESPONDENT: "被申请人",
    PartyRole.OTHER: "第三人",
}
REGIME_PRINT = {
    Regime.PEOPLE: "人民调解",
    Regime.ADMINISTRATIVE: "行政调解",
    Regime.JUDICIAL: "司法调解",
}
SETTING_PRINT = {
    Setting.CENTRE: "在中心",
    Setting.ON_SITE: "现场（田间地头）",
    Setting.HOME: "入户",
    Setting.NEIGHBOURS: "邻里间",
}
GENDER_PRINT = {Gender.MALE: "男", Gender.FEMALE: "女"}
EFFECTIVE_NOTE = "本协议自各方当事人签名（盖章或按指印）、调解员签名并加盖调解组织印章之日起生效。"
ORAL_EFFECTIVE_NOTE = "本口头协议自各方当事人达成协议之日起生效。"
JUDICIAL_NOTE = (
    "双方当事人认为有必要的，可以自本协议生效之日起{days}日内共同向人民法院申请司法确认。"
)
RIGHTS_NOTICE = (
    "调解员告知当事人：人民调解遵循自愿、平等、合法的原则；当事人有权选择或者接受调解员，"
    "有权接受调解、拒绝调解或者要求终止调解，有权要求调解公开进行或者不公开进行，"
    "有权自主表达意愿、自愿达成调解协议；当事人应当如实陈述纠纷事实，遵守调解现场秩序，"
    "尊重调解员，尊重对方当事人行使权利。"
)


def print_moment(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    hour = local.hour
    half = "上午" if hour < 12 else "下午"
    shown = hour if hour <= 12 else hour - 12
    minutes = f"{local.minute}分" if local.minute else ""
    return f"{print_date(local.date())} {half}{shown}时{minutes}"


def conductor_name(mediation: Mediation) -> str:
    return str(mediation.conducted_by or "")


def _party(actor: Any, party: CaseParty, reason: str) -> Any:
    from fengqiao.mediation.documents.data import PartyParticulars

    role = ROLE_PRINT.get(party.role, "当事人")
    if party.person_id:
        person = party.person
        return PartyParticulars(
            role=role,
            name=person.name,
            sex=GENDER_PRINT.get(person.gender, ""),
            ethnicity=person.ethnicity,
            birth_date=print_date(person.birth_date),
            id_number=(
                person_reveal(actor=actor, person=person, field="id_number", reason=reason)
                if person.id_number
                else ""
            ),
            address=person.address,
            phone=(
                person_reveal(actor=actor, person=person, field="phone", reason=reason)
                if person.phone
                else ""
            ),
        )
    organization = party.organization
    return PartyParticulars(
        role=role,
        name=organization.name,
        is_organization=True,
        address=organization.address,
        # An organisation's office phone is a public contact, not a personal identifier.
        phone=organization.phone,
        representative=organization.legal_representative,
    )


def _require_print(actor: Any, mediation: Mediation, what: str, target: Any) -> None:
    if not may_print(actor, mediation):
        jurisdiction.deny(actor, what=f"mediation.{what}", target=target)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unknown document format {fmt!r}")


def agreement_print_data(*, actor: Any, agreement: Agreement) -> Any:
    from fengqiao.mediation.documents.data import AgreementDocument, Signatory, TermText

    mediation = agreement.mediation
    reason = f"打印调解协议书 {agreement.number}"
    parties = list(agreement.parties.select_related("person", "organization").order_by("id"))
    signatures = list(agreement.signatures.select_related("party", "mediator"))
    by_party = {s.party_id: s for s in signatures if s.party_id}
    by_mediator = {s.mediator_id: s for s in signatures if s.mediator_id}
    mediators = list(mediation.mediators.order_by("id"))
    signatories = [
        Signatory(
            role="当事人",
            name=str(party),
            signed_on=print_date(by_party[party.pk].signed_on) if party.pk in by_party else "",
        )
        for party in parties
    ] + [
        Signatory(
            role="调解员",
            name=str(user),
            signed_on=print_date(by_mediator[user.pk].signed_on) if user.pk in by_mediator else "",
        )
        for user in mediators
    ]
    return AgreementDocument(
        number=agreement.number,
        committee=conductor_name(mediation),
        regime=REGIME_PRINT[mediation.regime],
        parties=tuple(_party(actor, party, reason) for party in parties),
        facts=agreement.facts,
        matters=agreement.matters,
        responsibilities=agreement.responsibilities,
        terms=tuple(
            TermText(
                number=term.position,
                obligor=term.obligor_name,
                content=term.content + (f"此后{term.recurring}" if term.recurring else ""),
                manner=term.manner,
                due=print_date(term.due_on),
            )
            for term in agreement.terms.select_related("obligor").order_by("position")
        ),
        performance_note=agreement.performance_note,
        oral=agreement.oral,
        copies=len(parties) + 1,
        mediators=tuple(str(user) for user in mediators),
        signatories=tuple(() if agreement.oral else signatories),
        made_on=print_date(agreement.made_on),
        effective_note=ORAL_EFFECTIVE_NOTE if agreement.oral else EFFECTIVE_NOTE,
        judicial_note="" if agreement.oral else JUDICIAL_NOTE.format(days=JUDICIAL_WINDOW_DAYS),
    )


def agreement_document(*, actor: Any, agreement: Agreement, fmt: str) -> bytes:
    """The 人民调解协议书 as Word ("docx") or PDF ("pdf"); audited."""
    _check_format(fmt)
    _require_print(actor, agreement.mediation, "agreement_document", agreement)
    content = render_agreement(agreement_print_data(actor=actor, agreement=agreement), fmt)
    audit_record(
        action="mediation.agreement_document",
        actor=actor,
        target=agreement,
        area=agreement.mediation.case.area,
        details={"format": fmt, "parties": agreement.parties.count()},
    )
    return content


def _outcome_text(mediation: Mediation, session: MediationSession) -> str:
    later = mediation.sessions.filter(held_at__gt=session.held_at).exists()
    if mediation.status == MediationStatus.OPEN or later:
        return "本次调解未终结，另行安排调解。"
    if mediation.status == MediationStatus.SUCCEEDED:
        number = getattr(getattr(mediation, "agreement", None), "number", "")
        return f"经调解，双方当事人自愿达成协议（{number}）。" if number else "经调解，达成协议。"
    return f"调解不成。{mediation.outcome_note}"


def minutes_print_data(*, actor: Any, session: MediationSession) -> Any:
    from fengqiao.mediation.documents.data import MinutesDocument, Signatory

    mediation = session.mediation
    case = mediation.case
    reason = f"打印调解笔录 {case.number}"
    parties = list(session.parties_present.select_related("person", "organization").order_by("id"))
    if not parties:
        parties = list(case.parties.select_related("person", "organization").order_by("id"))
    mediators = [str(user) for user in mediation.mediators.order_by("id")]
    recorder = str(session.recorder) if session.recorder_id else ""
    return MinutesDocument(
        case_number=case.number,
        committee=conductor_name(mediation),
        held_at=print_moment(session.held_at),
        place=session.place,
        setting=SETTING_PRINT.get(session.setting, ""),
        mediators=tuple(mediators),
        recorder=recorder,
        parties=tuple(_party(actor, party, reason) for party in parties),
        others_present=tuple(session.others_list()),
        rights_notice=RIGHTS_NOTICE if mediation.regime == Regime.PEOPLE else "",
        body=session.minutes,
        outcome=_outcome_text(mediation, session),
        signatories=tuple(
            [Signatory(role="当事人", name=str(party)) for party in parties]
            + [Signatory(role="调解员", name=name) for name in mediators]
            + ([Signatory(role="记录人", name=recorder)] if recorder else [])
        ),
    )


def minutes_document(*, actor: Any, session: MediationSession, fmt: str) -> bytes:
    """The 调解笔录 of one session as Word or PDF; audited."""
    _check_format(fmt)
    _require_print(actor, session.mediation, "minutes_document", session)
    content = render_minutes(minutes_print_data(actor=actor, session=session), fmt)
    audit_record(
        action="mediation.minutes_document",
        actor=actor,
        target=session,
        area=session.mediation.case.area,
        details={"format": fmt},
    )
    return content
