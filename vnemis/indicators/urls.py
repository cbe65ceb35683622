from __future__ import annotations

from django.urls import path

from vnemis.indicators import views

app_name = "indicators"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/records/", views.drill_records, name="records"),
    path("dashboard/reported/", views.reported_values, name="reported"),
    path("dashboard/check/", views.figure_check, name="check"),
]
