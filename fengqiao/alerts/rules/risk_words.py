"""Risk words (风险词): a word of the lexicon in a recent open case's title or account.

One alert per case, at the severity of its most severe word; the detail lists the words
by category. The matching itself (normalisation, exclusions, negation) is in `lexicon`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.alerts.lexicon import RiskCategory, RiskMatcher, highest
from fengqiao.alerts.models import SEVERITY_RANK
from fengqiao.alerts.rules.base import RECENT_DAYS, Finding, Rule, since
from fengqiao.cases.models import Case


@cache
def matcher() -> RiskMatcher:
    return RiskMatcher()


def describe(text: str) -> tuple[str, str] | None:
    """(severity, "category: words; …") for a text, or None when it holds no risk word."""
    matches = matcher().matches(text)
    if not matches:
        return None
    by_category: dict[str, list[str]] = {}
    for match in matches:
        words = by_category.setdefault(match.term.category, [])
        if match.term.word not in words:
            words.append(match.term.word)
    summary = _("; ").join(
        f"{RiskCategory(category).label}: {'、'.join(words)}"
        for category, words in by_category.items()
    )
    return highest(matches), summary


class RiskWordsRule(Rule):
    code = "risk_words"
    label = gettext_lazy("Risk words")
    description = gettext_lazy(
        "A word from the risk lexicon (self-harm, violence, arson, gas, extreme petitioning, "
        "group gathering) in the title or account of an open case."
    )

    def evaluate(self, *, now: dt.datetime, thresholds: Mapping[str, Any]) -> Iterator[Finding]:
        rows = (
            Case.objects.filter(
                is_open=True, received_at__gte=since(now, RECENT_DAYS), received_at__lte=now
            )
            .order_by("id")
            .values_list("id", "number", "title", "account", "area_id")
        )
        for case_id, number, title, account, area_id in rows.iterator(chunk_size=2000):
            # Title and account apart, so that no word is made up across the two.
            found = [d for d in (describe(title), describe(account)) if d is not None]
            if not found:
                continue
            severity = highest_of([severity for severity, _summary in found])
            summary = _("; ").join(dict.fromkeys(summary for _severity, summary in found))
            values = {"number": number, "title": title, "words": summary}
            yield Finding(
                condition_key=f"{self.code}:{case_id}",
                severity=severity,
                title=_("Risk words in %(number)s %(title)s") % values,
                detail=_("Words of concern — %(words)s") % values,
                area_id=area_id,
                case_ids=(case_id,),
            )


def highest_of(severities: list[str]) -> str:
    return max(severities, key=lambda severity: SEVERITY_RANK[severity])


rule = RiskWordsRule()
