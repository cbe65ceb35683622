from __future__ import annotations

from django.urls import path

from vnemis.learning import views

app_name = "learning"
urlpatterns = [
    path("learning/", views.home, name="home"),
    path("learning/classes/<int:pk>/", views.class_detail, name="class_detail"),
    path(
        "learning/classes/<int:pk>/subjects/<int:subject_pk>/terms/<int:term>/",
        views.gradebook,
        name="gradebook",
    ),
    path(
        "learning/classes/<int:pk>/subjects/<int:subject_pk>/terms/<int:term>/cells/",
        views.gradebook_cells,
        name="gradebook_cells",
    ),
    path(
        "learning/classes/<int:pk>/subjects/<int:subject_pk>/terms/<int:term>/corrections/",
        views.correction_request,
        name="correction_request",
    ),
    path(
        "learning/classes/<int:pk>/terms/<int:term>/reports/",
        views.term_reports,
        name="term_reports",
    ),
    path(
        "learning/classes/<int:pk>/terms/<int:term>/reports/rows/",
        views.term_reports_rows,
        name="term_reports_rows",
    ),
    path("learning/classes/<int:pk>/lock/", views.term_lock, name="term_lock"),
    path("learning/classes/<int:pk>/unlock/", views.term_unlock, name="term_unlock"),
    path("learning/classes/<int:pk>/releases/", views.release_set, name="release_set"),
    path("learning/corrections/", views.corrections, name="corrections"),
    path(
        "learning/corrections/<int:pk>/decide/", views.correction_decide, name="correction_decide"
    ),
    path("learning/family/", views.family, name="family"),
    path("learning/students/<str:code>/", views.student_results, name="student_results"),
]
