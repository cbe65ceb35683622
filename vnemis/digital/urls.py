from __future__ import annotations

from django.urls import path

from vnemis.digital import views

app_name = "digital"
urlpatterns = [
    path("units/<str:code>/digital/", views.profile_history, name="profile_history"),
]
