"""The printed order of a mediation document, shared by the Word and PDF renderers.

Both formats must print the same words in the same order, so the form is composed once
here into plain blocks and each renderer only decides how a block looks.

The wording is the fixed Chinese text of the statutory forms (人民调解法 arts. 28–33, the
common 人民调解协议书 and 调解笔录 forms). It is not interface text: the document is a legal
instrument that must read the same whatever language the person printing it uses, and the
data it carries arrives in Chinese already. So it is kept here as literal Chinese, in one
place, rather than as translated interface strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, is_dataclass, replace
from typing import Any, TypeVar

from fengqiao.mediation.documents.data import (
    AgreementDocument,
    MinutesDocument,
    PartyParticulars,
    Signatory,
    TermText,
)

_DIGITS = "零一二三四五六七八九"
_END_PUNCTUATION = "。；;，,.、 \u3000"
# A minutes line such as "调解员：请双方陈述。" is speech: a short speaker label, a colon.
_DIALOGUE = re.compile(r"^(?P<speaker>[^：:\s，。、；,;]{1,12})[：:]\s*(?P<speech>.*)$")

# Characters XML 1.0 cannot carry (a pasted form feed, a stray NUL): Word refuses them and
# they print as nothing anyway.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")

PEOPLES_MEDIATION = "人民调解"

T = TypeVar("T")


@dataclass(frozen=True)
class Line:
    """One paragraph: an optional bold lead-in ("申请人：") and its text."""

    text: str
    lead: str = ""
    dialogue: bool = False


@dataclass(frozen=True)
class Section:
    heading: str  # "" when the lines stand without one
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Term:
    numeral: str  # "一、"
    text: str


@dataclass(frozen=True)
class SignLine:
    label: str  # "当事人（签名盖章或按指印）"
    name: str  # printed beside the line so each person finds their own
    signature: str  # the name when signed; "" leaves the line blank to sign by hand
    date: str  # "" leaves "年  月  日" to fill in by hand


@dataclass(frozen=True)
class Layout:
    title: str
    number: str
    header: tuple[tuple[str, str], ...]
    before: tuple[Section, ...]
    terms_intro: str
    terms: tuple[Term, ...]
    after: tuple[Section, ...]
    closing: str
    signatures: tuple[SignLine, ...]
    issuer: str
    seal: str
    date: str


def printable(value: T) -> T:
    """The same document with every string stripped of characters that cannot print."""
    if isinstance(value, str):
        return _UNPRINTABLE.sub("", value)  # type: ignore[return-value]
    if isinstance(value, tuple):
        return tuple(printable(item) for item in value)  # type: ignore[return-value]
    if is_dataclass(value) and not isinstance(value, type):
        changes: dict[str, Any] = {f.name: printable(getattr(value, f.name)) for f in fields(value)}
        return replace(value, **changes)
    return value


def chinese_numeral(number: int) -> str:
    """1 → 一, 10 → 十, 21 → 二十一, 105 → 一百零五 (as term numbers are written)."""
    if number <= 0 or number >= 1000:
        return str(number)
    hundreds, rest = divmod(number, 100)
    tens, units = divmod(rest, 10)
    text = ""
    if hundreds:
        text = _DIGITS[hundreds] + "百"
        if rest == 0:
            return text
        if tens == 0:
            return text + "零" + _DIGITS[units]
    if tens:
        text += ("" if tens == 1 and not hundreds else _DIGITS[tens]) + "十"
    if units:
        text += _DIGITS[units]
    return text


def _sentence(text: str) -> str:
    text = text.strip().rstrip(_END_PUNCTUATION)
    return f"{text}。" if text else ""


def _paragraphs(text: str) -> tuple[Line, ...]:
    return tuple(Line(line.strip()) for line in text.splitlines() if line.strip())


def party_particulars(party: PartyParticulars) -> str:
    """The particulars after the role, in the order the form asks for them."""
    if party.is_organization:
        parts = [
            party.name,
            f"住所：{party.address}" if party.address else "",
            f"法定代表人：{party.representative}" if party.representative else "",
            f"联系电话：{party.phone}" if party.phone else "",
        ]
    else:
        parts = [
            party.name,
            party.sex,
            party.ethnicity,
            f"{party.birth_date}出生" if party.birth_date else "",
            f"身份证号码：{party.id_number}" if party.id_number else "",
            f"住址：{party.address}" if party.address else "",
            f"联系电话：{party.phone}" if party.phone else "",
        ]
    return "，".join(part for part in parts if part) + "。"


def _party_lines(parties: tuple[PartyParticulars, ...]) -> tuple[Line, ...]:
    lines: list[Line] = []
    for party in parties:
        lines.append(Line(party_particulars(party), lead=f"{party.role}："))
        if party.agent:
            lines.append(Line(_sentence(party.agent), lead="委托代理人："))
    return tuple(lines)


def term_text(term: TermText) -> str:
    details = [
        f"履行人：{term.obligor.strip()}" if term.obligor.strip() else "",
        f"履行方式：{term.manner.strip().rstrip(_END_PUNCTUATION)}" if term.manner.strip() else "",
        f"履行期限：{term.due.strip().rstrip(_END_PUNCTUATION)}" if term.due.strip() else "",
    ]
    details_text = "；".join(part for part in details if part)
    return _sentence(term.content) + (f"{details_text}。" if details_text else "")


def _signature_lines(
    signatories: tuple[Signatory, ...],
    *,
    parties: tuple[PartyParticulars, ...],
    mediators: tuple[str, ...],
    recorder: str = "",
    labels: dict[str, str],
) -> tuple[SignLine, ...]:
    """Everyone who must sign gets a line, signed or blank; parties sign first.

    The signatories given are printed as given. Only a role left out entirely (no party,
    no mediator, no recorder listed) is filled in with blank lines from the particulars,
    so a form never goes out without a place for them to sign.
    """
    listed = list(signatories)
    roles = {s.role for s in listed}
    if "当事人" not in roles:
        listed += [Signatory("当事人", party.name) for party in parties]
    if "调解员" not in roles:
        listed += [Signatory("调解员", name) for name in mediators]
    if recorder and "记录人" not in roles:
        listed.append(Signatory("记录人", recorder))
    order = {"当事人": 0, "调解员": 1, "记录人": 2}
    listed.sort(key=lambda s: order.get(s.role, 3))  # stable: keeps the given order per role
    return tuple(
        SignLine(
            label=labels.get(s.role, f"{s.role}（签名）"),
            name=s.name,
            signature=s.name if s.signed_on else "",
            date=s.signed_on,
        )
        for s in listed
    )


def agreement_title(doc: AgreementDocument) -> str:
    if doc.oral:
        return "口头调解协议记录"
    if doc.regime in (PEOPLES_MEDIATION, "行政调解"):
        return f"{doc.regime}协议书"
    return "调解协议书"


def agreement_layout(doc: AgreementDocument) -> Layout:
    doc = printable(doc)
    before = [Section("", _party_lines(doc.parties))]
    for heading, text in (
        ("纠纷主要事实", doc.facts),
        ("争议事项", doc.matters),
        ("各方当事人的责任", doc.responsibilities),
    ):
        if text.strip():
            before.append(Section(heading, _paragraphs(text)))

    after: list[Section] = []
    if doc.performance_note.strip():
        after.append(Section("履行方式、时限", _paragraphs(doc.performance_note)))
    notes = [Line(_sentence(doc.effective_note))] if doc.effective_note.strip() else []
    if doc.judicial_note.strip():
        notes.append(Line(_sentence(doc.judicial_note)))
    if doc.oral:
        notes.append(Line("本口头协议内容由调解员如实记录，经各方当事人确认后存档。"))
    else:
        copies = doc.copies if doc.copies > 0 else len(doc.parties) + 1
        keeper = doc.committee or (
            "人民调解委员会" if doc.regime == PEOPLES_MEDIATION else "调解组织"
        )
        notes.append(
            Line(f"本协议一式{chinese_numeral(copies)}份，当事人各执一份，{keeper}留存一份。")
        )
    after.append(Section("", tuple(notes)))

    mediator = "人民调解员" if doc.regime == PEOPLES_MEDIATION else "调解员"
    return Layout(
        title=agreement_title(doc),
        number=doc.number,
        header=(),
        before=tuple(before),
        terms_intro=(
            "经调解，各方当事人自愿达成如下口头协议："
            if doc.oral
            else "经调解，各方当事人自愿达成如下协议："
        ),
        terms=tuple(
            Term(f"{chinese_numeral(term.number)}、", term_text(term)) for term in doc.terms
        ),
        after=tuple(after),
        closing="",
        signatures=_signature_lines(
            doc.signatories,
            parties=doc.parties,
            mediators=doc.mediators,
            labels={
                "当事人": "当事人（签名盖章或按指印）",
                "调解员": f"{mediator}（签名）",
                "记录人": "记录人（签名）",
            },
        ),
        issuer=doc.committee,
        seal="（印章）",
        date=doc.made_on,
    )


def _minutes_lines(body: str) -> tuple[Line, ...]:
    lines: list[Line] = []
    for raw in body.splitlines():
        text = raw.strip()
        if not text:
            continue
        match = _DIALOGUE.match(text)
        if match and match["speech"]:
            lines.append(Line(match["speech"], lead=f"{match['speaker']}：", dialogue=True))
        else:
            lines.append(Line(text))
    return tuple(lines)


def minutes_layout(doc: MinutesDocument) -> Layout:
    doc = printable(doc)
    header = (
        ("时间", doc.held_at),
        ("地点", doc.place),
        ("调解方式", doc.setting),
        ("调解组织", doc.committee),
        ("调解员", "、".join(doc.mediators)),
        ("记录人", doc.recorder),
        ("其他在场人员", "、".join(doc.others_present) or "无"),
    )
    before = [Section("当事人", _party_lines(doc.parties))]
    if doc.rights_notice.strip():
        before.append(Section("权利义务告知", _paragraphs(doc.rights_notice)))
    if doc.body.strip():
        before.append(Section("调解经过", _minutes_lines(doc.body)))
    if doc.outcome.strip():
        before.append(Section("调解结果", _paragraphs(doc.outcome)))
    return Layout(
        title="调解笔录",
        number=f"案件编号：{doc.case_number}" if doc.case_number else "",
        header=tuple((label, value) for label, value in header if value),
        before=tuple(before),
        terms_intro="",
        terms=(),
        after=(),
        closing="以上笔录已向当事人宣读（或经当事人阅读），当事人确认无误。",
        signatures=_signature_lines(
            doc.signatories,
            parties=doc.parties,
            mediators=doc.mediators,
            recorder=doc.recorder,
            labels={"当事人": "当事人签名", "调解员": "调解员签名", "记录人": "记录人签名"},
        ),
        issuer="",
        seal="",
        date="",
    )
