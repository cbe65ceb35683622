from __future__ import annotations

from django.urls import path

from vnemis.reports import views

app_name = "reports"
urlpatterns = [
    path("reports/", views.report_list, name="report_list"),
    path("reports/start/", views.report_start, name="report_start"),
    path("reports/<int:pk>/", views.report_edit, name="report_edit"),
    path("reports/<int:pk>/finalise/", views.report_finalise, name="report_finalise"),
    path("reports/<int:pk>/new-version/", views.report_new_version, name="report_new_version"),
    path("reports/<int:pk>/download/<str:fmt>/", views.report_download, name="report_download"),
    path("reports/settings/<str:code>/", views.report_settings, name="report_settings"),
]
