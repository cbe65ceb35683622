from __future__ import annotations

from django.urls import path

from vnemis.exports import views

app_name = "exports"
urlpatterns = [
    path("exports/", views.export_list, name="export_list"),
    path("exports/<int:pk>/", views.export_detail, name="export_detail"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("exports/lists/<str:kind>/", views.list_file, name="list_file"),
]
