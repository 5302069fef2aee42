"""The risk-word lexicon (风险词库): words in a case's title or account that warn of
escalation, each with a category, a severity and the longer words that make it innocent.

Maintained here, as data. An exclusion is a longer phrase that contains the word ("砍树"
contains "砍"): where the text has the exclusion at the word's position, the word is
pruning, not violence. Exclusions can reach before the word as well ("树砍").

Negation: a word straight after a negation ("不会去北京", "没有聚集") is skipped — except
self-harm, where a miss costs more than a false alarm.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from fengqiao.alerts.models import SEVERITY_RANK, Severity


class RiskCategory(models.TextChoices):
    SELF_HARM = "self_harm", _("Self-harm")
    VIOLENCE = "violence", _("Violence")
    ARSON = "arson", _("Arson")
    GAS = "gas", _("Gas")
    PETITION = "petition", _("Extreme petitioning")
    GATHERING = "gathering", _("Group gathering")


@dataclass(frozen=True)
class RiskTerm:
    word: str
    category: str
    severity: str
    excludes: tuple[str, ...] = ()


C, H, M = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM
SELF_HARM, VIOLENCE, ARSON, GAS, PETITION, GATHERING = (
    RiskCategory.SELF_HARM,
    RiskCategory.VIOLENCE,
    RiskCategory.ARSON,
    RiskCategory.GAS,
    RiskCategory.PETITION,
    RiskCategory.GATHERING,
)

LEXICON: tuple[RiskTerm, ...] = (
    # 自伤自杀
    RiskTerm("自杀", SELF_HARM, C),
    RiskTerm("跳楼", SELF_HARM, C, ("跳楼价", "跳楼甩卖", "跳楼大甩卖")),
    RiskTerm("跳河", SELF_HARM, C),
    RiskTerm("喝农药", SELF_HARM, C),
    RiskTerm("喝药", SELF_HARM, C),
    RiskTerm("上吊", SELF_HARM, C),
    RiskTerm("割腕", SELF_HARM, C),
    RiskTerm("轻生", SELF_HARM, C),
    RiskTerm("寻死", SELF_HARM, C),
    RiskTerm("不想活了", SELF_HARM, C),
    RiskTerm("活不下去", SELF_HARM, C),
    RiskTerm("死给你看", SELF_HARM, C),
    # 暴力
    RiskTerm(
        "砍",
        VIOLENCE,
        H,
        (
            "砍伐",
            "砍树",
            "砍柴",
            "砍价",
            "砍枝",
            "砍掉树",
            "砍掉枝",
            "砍掉一些枝",
            "砍了树",
            "砍一刀",
            "树砍",
            "枝砍",
            "杈砍",
            "竹砍",
        ),
    ),
    RiskTerm("捅", VIOLENCE, H, ("捅破", "捅娄子", "捅篓子", "捅马蜂窝", "捅出", "捅开")),
    RiskTerm("报复", VIOLENCE, H, ("报复性",)),
    RiskTerm("同归于尽", VIOLENCE, C),
    RiskTerm("杀了他", VIOLENCE, C),
    RiskTerm("杀了你", VIOLENCE, C),
    RiskTerm("弄死", VIOLENCE, C),
    RiskTerm("拼命", VIOLENCE, M, ("拼命工作", "拼命干活", "拼命挣钱", "拼命赚钱")),
    RiskTerm("动刀", VIOLENCE, H),
    # 纵火
    RiskTerm("放火", ARSON, C),
    RiskTerm("纵火", ARSON, C),
    RiskTerm("点火烧", ARSON, H),
    RiskTerm(
        "烧了",
        ARSON,
        M,
        ("发烧了", "烧了饭", "烧了水", "烧了菜", "烧了香", "烧了纸", "烧了秸秆", "红烧了"),
    ),
    RiskTerm("汽油", ARSON, M, ("汽油费", "汽油车", "汽油价", "汽油发动机")),
    # 燃气
    RiskTerm("燃气泄漏", GAS, H),
    RiskTerm("煤气泄漏", GAS, H),
    RiskTerm("开煤气", GAS, C),
    RiskTerm("煤气", GAS, M, ("煤气费", "煤气灶", "煤气表", "煤气公司", "开煤气", "煤气泄漏")),
    RiskTerm("液化气罐", GAS, H),
    RiskTerm("炸了", GAS, H, ("油炸了", "炸了鸡", "炸了油条", "炸了丸子")),
    # 极端上访
    RiskTerm(
        "去北京",
        PETITION,
        H,
        (
            "去北京打工",
            "去北京工作",
            "去北京上学",
            "去北京读书",
            "去北京看病",
            "去北京旅游",
            "去北京路",
        ),
    ),
    RiskTerm("进京", PETITION, H, ("进京务工", "进京赶考", "进京证")),
    RiskTerm("赴京", PETITION, H, ("赴京务工",)),
    RiskTerm("上访到底", PETITION, H),
    RiskTerm("越级上访", PETITION, H),
    RiskTerm("去省里", PETITION, M),
    RiskTerm("到省里", PETITION, M),
    RiskTerm("找媒体", PETITION, M),
    # 聚集
    RiskTerm("聚集", GATHERING, H, ("聚集区", "聚集地")),
    RiskTerm("堵路", GATHERING, H),
    RiskTerm("围堵", GATHERING, H),
    RiskTerm("堵门", GATHERING, H),
    RiskTerm("拉横幅", GATHERING, H),
    RiskTerm("静坐", GATHERING, M),
    RiskTerm("集体上访", GATHERING, H),
    RiskTerm("闹事", GATHERING, M),
)

NEGATIONS = ("不会", "不想", "不要", "不再", "不打算", "不准备", "没有", "没", "不", "未", "别")
NOT_NEGATABLE = frozenset({SELF_HARM})

# Full-width ASCII (！ to ～) to half-width, the ideographic space to a space, and the
# invisible zero-width characters dropped. A translation table rather than NFKC: the pass
# normalises every recent account, and this is several times faster.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_HALF_WIDTH.update({0x3000: 0x20, 0x200B: None, 0x200C: None, 0x200D: None, 0x2060: None})
_HALF_WIDTH[0xFEFF] = None


def normalise(text: str) -> str:
    """Half-width, lower case, no spaces: "跳　楼" reads "跳楼", "ＡＢ" reads "ab"."""
    return "".join((text or "").translate(_HALF_WIDTH).split()).lower()


@dataclass(frozen=True)
class RiskMatch:
    term: RiskTerm
    position: int


class RiskMatcher:
    """All lexicon words in one pass of one regular expression over the normalised text."""

    def __init__(self, lexicon: tuple[RiskTerm, ...] = LEXICON) -> None:
        self.terms: dict[str, RiskTerm] = {}
        for term in lexicon:
            word = normalise(term.word)
            self.terms[word] = RiskTerm(
                word, term.category, term.severity, tuple(normalise(e) for e in term.excludes)
            )
        # A lookahead finds overlapping words too: "开煤气" and "煤气" at once.
        words = "|".join(map(re.escape, sorted(self.terms, key=len, reverse=True)))
        # Most texts hold no word at all; the plain search tells so quickly.
        self.gate = re.compile(words)
        self.pattern = re.compile(f"(?=({words}))")

    def matches(self, text: str) -> list[RiskMatch]:
        text = normalise(text)
        found: list[RiskMatch] = []
        if self.gate.search(text) is None:
            return found
        for match in self.pattern.finditer(text):
            position = match.start()
            # The longest word starting here, then every shorter one that also does.
            for word in self._words_at(text, position, match.group(1)):
                term = self.terms[word]
                if self._excluded(text, position, term) or self._negated(text, position, term):
                    continue
                found.append(RiskMatch(term, position))
        return found

    def _words_at(self, text: str, position: int, longest: str) -> list[str]:
        return [
            word
            for word in self.terms
            if len(word) <= len(longest) and text.startswith(word, position)
        ]

    @staticmethod
    def _excluded(text: str, position: int, term: RiskTerm) -> bool:
        for phrase in term.excludes:
            offset = phrase.find(term.word)
            start = position - offset
            if offset >= 0 and start >= 0 and text.startswith(phrase, start):
                return True
        return False

    @staticmethod
    def _negated(text: str, position: int, term: RiskTerm) -> bool:
        if term.category in NOT_NEGATABLE:
            return False
        before = text[max(0, position - 3) : position]
        return any(before.endswith(negation) for negation in NEGATIONS)


def highest(matches: list[RiskMatch]) -> str:
    return max((m.term.severity for m in matches), key=lambda s: SEVERITY_RANK[s])
