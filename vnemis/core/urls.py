from __future__ import annotations

from django.urls import path

from vnemis.core import views

app_name = "core"
urlpatterns = [
    path("health/", views.health, name="health"),
]
