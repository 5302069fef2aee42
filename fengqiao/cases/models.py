from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseCategory(models.Model):
    """The editable taxonomy of matters (neighbours, property, land, wages …)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name
