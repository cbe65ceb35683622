from __future__ import annotations

from django.urls import path

from vnemis.imports import views

app_name = "imports"
urlpatterns = [
    path("imports/", views.import_list, name="import_list"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/commit/", views.import_commit, name="import_commit"),
    path("imports/<int:pk>/cancel/", views.import_cancel, name="import_cancel"),
    path("imports/<int:pk>/errors/", views.import_errors, name="import_errors"),
    path("imports/templates/<str:kind>/", views.import_template, name="import_template"),
    path("imports/export/<str:kind>/", views.import_export, name="import_export"),
    path(
        "imports/gradebooks/<int:pk>/<int:subject_pk>/<int:term>/",
        views.gradebook_import,
        name="gradebook_import",
    ),
]
