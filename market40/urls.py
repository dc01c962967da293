from django.contrib import admin
from django.urls import include, path

from market40 import home
from market40.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", home.home, name="home"),
    path("markets/<str:code>/today/", home.market_today, name="market-today"),
    path("", include("core.urls")),
    path("", include("merchants.urls")),
    path("", include("printables.urls")),
    path("", include("payments.urls")),
    path("", include("adoption.urls")),
    path("", include("reconciliation.urls")),
    path("", include("revenue.urls")),
]

# Pages answer errors in the person's language (core/errorpages.py).
handler400 = "core.errorpages.bad_request"
handler403 = "core.errorpages.permission_denied"
handler404 = "core.errorpages.page_not_found"
handler500 = "core.errorpages.server_error"
