from __future__ import annotations

from django.urls import path

app_name = "organisations"
urlpatterns: list = []  # type: ignore[type-arg]
