from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from fengqiao.accounts.roles import Capability
from fengqiao.areas import services
from fengqiao.areas.models import Area
from fengqiao.web.admin_site import CapabilityAdmin


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
            created = services.area_create(
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
            services.area_move(actor=request.user, area=original, new_parent=data["parent"])
        services.area_update(
            actor=request.user,
            area=Area.objects.get(pk=obj.pk),
            **{field: data[field] for field in services.EDITABLE_FIELDS},
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A node keeps its level; moving it is changing its parent at the same level.
        return ["level"] if obj else []
