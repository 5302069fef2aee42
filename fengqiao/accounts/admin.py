"""The admin pages of the base apps, in the lanes of the three administrators (三员分立):
accounts and roles (security administrator), the area tree (system administrator) and the
audit log, read only (audit administrator).

The area tree and the audit log lie below the access policy (which reads the tree and
writes the log), so their pages are declared here, above both, rather than in their own
apps.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts import services
from fengqiao.accounts.admin_base import CapabilityAdmin
from fengqiao.accounts.models import User
from fengqiao.accounts.roles import Capability, Role
from fengqiao.areas import services as area_services
from fengqiao.areas.models import Area
from fengqiao.audit.models import AuditEvent
from fengqiao.audit.services import audit_record


class RolesFormMixin(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("roles"),
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def clean_roles(self) -> list[str]:
        roles = self.cleaned_data["roles"]
        try:
            services.validate_role_set(roles)
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        return roles


class UserChangeForm(RolesFormMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["username", "full_name", "home_area", "agency", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["roles"].initial = sorted(self.instance.roles)


class UserCreationForm(RolesFormMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["username", "full_name", "home_area", "agency"]


@admin.register(User)
class UserAdmin(CapabilityAdmin, DjangoUserAdmin):
    capability = Capability.MANAGE_ACCOUNTS
    form = UserChangeForm
    add_form = UserCreationForm
    list_display = ["username", "full_name", "home_area", "agency", "is_active", "last_login"]
    list_filter = ["is_active", "role_grants__role"]
    search_fields = ["username", "full_name"]
    fieldsets = [
        (None, {"fields": ["username", "full_name", "is_active"]}),
        (_("Jurisdiction"), {"fields": ["roles", "home_area", "agency"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "full_name", "roles", "home_area", "agency"]}),
    ]

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if not change:
            # A new account gets no usable password; the user sets one through the
            # password-change form the security administrator opens for them.
            obj.set_unusable_password()
        super().save_model(request, obj, form, change)
        audit_record(
            action="account.update" if change else "account.create",
            actor=request.user,
            target=obj,
            area=obj.home_area,
            details={"fields": sorted(set(form.changed_data) - {"roles"})},
        )
        services.user_set_roles(actor=request.user, user=obj, roles=form.cleaned_data["roles"])


# --------------------------------------------------------------------------- areas
class AreaAdminForm(forms.ModelForm):
    class Meta:
        model = Area
        fields = ["code", "name", "level", "parent", "center_lat", "center_lng", "boundary"]


@admin.register(Area)
class AreaAdmin(CapabilityAdmin):
    capability = Capability.CONFIGURE
    form = AreaAdminForm
    list_display = ["name", "code", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    ordering = ["path"]

    def save_model(self, request: HttpRequest, obj: Area, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            created = area_services.area_create(
                actor=request.user,
                code=data["code"],
                name=data["name"],
                level=data["level"],
                parent=data["parent"],
                center_lat=data["center_lat"],
                center_lng=data["center_lng"],
                boundary=data["boundary"],
            )
            obj.pk, obj.path = created.pk, created.path
            return
        original = Area.objects.get(pk=obj.pk)
        if data["parent"] != original.parent:
            area_services.area_move(actor=request.user, area=original, new_parent=data["parent"])
        area_services.area_update(
            actor=request.user,
            area=Area.objects.get(pk=obj.pk),
            **{field: data[field] for field in area_services.EDITABLE_FIELDS},
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A node keeps its level; moving it is changing its parent at the same level.
        return ["level"] if obj else []


# --------------------------------------------------------------------------- audit
@admin.register(AuditEvent)
class AuditEventAdmin(CapabilityAdmin):
    capability = Capability.READ_AUDIT
    read_only = True
    list_display = [
        "occurred_at",
        "actor_username",
        "action",
        "outcome",
        "target_type",
        "target_label",
        "client_address",
    ]
    list_filter = ["outcome", "action"]
    search_fields = ["actor_username", "action", "target_label", "target_id"]
    date_hierarchy = "occurred_at"
