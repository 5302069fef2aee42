"""The reference data every installation starts with: deadline tiers and case categories.

Used by the data migration (with its historical models) and by anything that must make
sure the defaults are present (the demo town, the test suite).
"""

from __future__ import annotations

from typing import Any

# (kind, grade, milestone, working days): the seed's 13715 for consultations and
# disputes; local defaults (12345 practice) for the other kinds. All editable.
DEFAULT_TIERS: tuple[tuple[str, str, str, int], ...] = (
    ("consultation", "", "reply", 1),
    ("dispute", "general", "feedback", 3),
    ("dispute", "important", "concluded", 7),
    ("dispute", "complex", "initial_opinion", 15),
    ("demand", "", "feedback", 3),
    ("hazard", "", "feedback", 3),
    ("emergency", "", "response", 0),
)

DEFAULT_CATEGORIES: tuple[tuple[str, str, int], ...] = (
    ("neighbours", "邻里纠纷", 10),
    ("property", "物业纠纷", 20),
    ("land", "土地纠纷", 30),
    ("labour", "劳资纠纷", 40),
    ("family", "婚姻家庭纠纷", 50),
    ("construction", "建设施工纠纷", 60),
    ("environment", "噪声与环境", 70),
    ("traffic", "交通事故纠纷", 80),
    ("consumer", "消费纠纷", 90),
    ("debt", "债务纠纷", 100),
    ("other", "其他", 900),
)


def install_defaults(*, sla_model: Any = None, category_model: Any = None) -> None:
    """Create missing tiers and categories; never changes what an admin edited."""
    if sla_model is None or category_model is None:
        from fengqiao.cases.models import CaseCategory, SlaPolicy

        sla_model, category_model = SlaPolicy, CaseCategory
    for kind, grade, milestone, days in DEFAULT_TIERS:
        sla_model.objects.get_or_create(
            kind=kind, grade=grade, defaults={"milestone": milestone, "working_days": days}
        )
    for code, name, order in DEFAULT_CATEGORIES:
        category_model.objects.get_or_create(
            code=code, defaults={"name": name, "sort_order": order}
        )
