from __future__ import annotations

from django.urls import path

app_name = "people"
urlpatterns: list = []  # type: ignore[type-arg]
