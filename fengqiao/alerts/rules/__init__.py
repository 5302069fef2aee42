"""The registry of warning rules. Adding a rule is adding one module here.

Each module listed in `RULE_MODULES` defines `rule`, an instance of `base.Rule`.
"""

from __future__ import annotations

import importlib
from functools import cache

from django.utils.functional import Promise

from fengqiao.alerts.rules.base import Finding, Rule, Threshold

__all__ = ["RULE_MODULES", "Finding", "Rule", "Threshold", "all_rules", "get_rule", "rule_label"]

RULE_MODULES = (
    "hotspot",
    "repeat_party",
    "many_people",
    "risk_words",
    "key_person",
    "leader_flag",
    "key_person_visit",
)


@cache
def all_rules() -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for name in RULE_MODULES:
        rule = importlib.import_module(f"{__name__}.{name}").rule
        if rule.code in rules:
            raise ImportError(f"Two warning rules use the code {rule.code!r}")
        rules[rule.code] = rule
    return rules


def get_rule(code: str) -> Rule | None:
    return all_rules().get(code)


def rule_label(code: str) -> Promise | str:
    rule = get_rule(code)
    return rule.label if rule else code
