from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts import services
from fengqiao.accounts.models import User
from fengqiao.accounts.roles import Capability, Role
from fengqiao.audit.services import audit_record
from fengqiao.web.admin_site import CapabilityAdmin


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
