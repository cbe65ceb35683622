from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("vnemis.accounts.urls")),
    path("", include("vnemis.api.urls")),
    path("", include("vnemis.organisations.urls")),
    path("", include("vnemis.indicators.urls")),
    path("", include("vnemis.reports.urls")),
    path("", include("vnemis.digital.urls")),
    path("", include("vnemis.imports.urls")),
    path("", include("vnemis.exports.urls")),
    path("", include("vnemis.portal.urls")),
    path("", include("vnemis.plans.urls")),
    path("", include("vnemis.learning.urls")),
    path("", include("vnemis.admissions.urls")),
    path("", include("vnemis.people.urls")),
    path("", include("vnemis.core.urls")),
]
