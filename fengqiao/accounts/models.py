from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.roles import Role


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    home_area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("home area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    agency = models.ForeignKey(
        "orgs.Agency",
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="liaisons",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @cached_property
    def roles(self) -> frozenset[str]:
        return frozenset(self.role_grants.values_list("role", flat=True))

    def role_labels(self) -> list[str]:
        return [str(Role(role).label) for role in Role if role in self.roles]


class RoleGrant(models.Model):
    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_grants"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="unique_role_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"
