from __future__ import annotations

from django.urls import path

from vnemis.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
]
