"""The portal's addresses: the organisation's side at the root, the researcher's under
/editions/, accounts under /accounts/, Django's admin under /admin/."""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("", include("ismonitor.web.portal.urls")),
    path("", include("ismonitor.web.pulse.urls")),
    path("accounts/", include("ismonitor.web.accounts.urls")),
    path("editions/", include("ismonitor.web.editions.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "ismonitor"
admin.site.site_title = "ismonitor"
