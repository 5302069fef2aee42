"""What a mediation document prints: plain data, already formatted for print.

The mediation app fills these from its records (dates like "2026年6月30日", roles as
printed); the renderers in this package only lay them out. No Django models here, so the
documents can be rendered and tested without a database.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PartyParticulars:  # one 当事人 line, in full as the form requires
    role: str  # as printed: "申请人" / "被申请人" / "第三人"
    name: str
    is_organization: bool = False
    sex: str = ""  # 男 / 女
    ethnicity: str = ""  # 汉族 …
    birth_date: str = ""
    id_number: str = ""  # in full: it is the parties' legal document
    address: str = ""
    phone: str = ""
    representative: str = ""  # 法定代表人/负责人 of an organisation
    agent: str = ""  # 委托代理人, if any


@dataclass(frozen=True)
class TermText:  # one numbered agreed term
    number: int
    obligor: str  # who performs
    content: str  # what
    manner: str  # how (履行方式)
    due: str  # by when (履行期限)


@dataclass(frozen=True)
class Signatory:
    role: str  # 当事人 / 调解员 / 记录人
    name: str
    signed_on: str = ""  # empty → a blank line to sign by hand


@dataclass(frozen=True)
class AgreementDocument:
    number: str  # e.g. （2026）万泉调字第12号
    committee: str  # e.g. 万泉镇人民调解委员会 (or the team / agency for other regimes)
    regime: str  # 人民调解 / 行政调解 / 司法调解
    parties: tuple[PartyParticulars, ...]
    facts: str  # 纠纷主要事实
    matters: str  # 争议事项
    responsibilities: str  # 各方当事人的责任
    terms: tuple[TermText, ...]
    performance_note: str  # 履行方式、时限 in prose (may be "")
    oral: bool  # an oral agreement: printed as 口头协议记录
    copies: int  # 本协议一式 N 份, 当事人各执一份, 人民调解委员会留存一份
    mediators: tuple[str, ...]
    signatories: tuple[Signatory, ...]
    made_on: str  # date of the agreement
    effective_note: (
        str  # e.g. "本协议自各方当事人签名、人民调解员签名并加盖人民调解委员会印章之日起生效。"
    )
    judicial_note: str  # e.g. the 30-day judicial confirmation right (may be "")


@dataclass(frozen=True)
class MinutesDocument:  # 调解笔录 of one session
    case_number: str
    committee: str
    held_at: str  # 2026年5月12日 上午9时30分
    place: str
    setting: str  # 在中心 / 现场 (田间地头) / 入户 / 邻里间
    mediators: tuple[str, ...]
    recorder: str
    parties: tuple[PartyParticulars, ...]
    others_present: tuple[str, ...]
    rights_notice: str  # 告知当事人权利义务 text (may be "")
    body: str  # the minutes, paragraphs separated by blank lines; lines
    # beginning "调解员：", "申请人：" … are dialogue
    outcome: str  # 调解结果
    signatories: tuple[Signatory, ...]
