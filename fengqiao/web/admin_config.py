from django.contrib.admin.apps import AdminConfig


class FengqiaoAdminConfig(AdminConfig):
    default_site = "fengqiao.web.admin_site.FengqiaoAdminSite"
