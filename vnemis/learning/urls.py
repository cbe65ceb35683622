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
        "learning/classes/<int:pk>/subjects/<int:subject_pk>/terms/<int:term>/sheet/",
        views.gradebook_sheet,
        name="gradebook_sheet",
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
    # Học bạ số: a class's transcripts and their batch, one transcript's workflow, copies
    # and file, a school's batch and national-store package, the public verification page.
    path(
        "learning/classes/<int:pk>/transcripts/",
        views.transcripts_class,
        name="transcripts_class",
    ),
    path(
        "learning/classes/<int:pk>/transcripts/batch/",
        views.transcripts_class_batch,
        name="transcripts_class_batch",
    ),
    path("learning/transcripts/<int:pk>/", views.transcript_detail, name="transcript_detail"),
    path(
        "learning/transcripts/<int:pk>/advance/",
        views.transcript_advance,
        name="transcript_advance",
    ),
    path(
        "learning/transcripts/<int:pk>/revoke/", views.transcript_revoke, name="transcript_revoke"
    ),
    path(
        "learning/transcripts/<int:pk>/pdf/",
        views.transcript_download,
        name="transcript_download",
    ),
    path("learning/transcripts/<int:pk>/copies/", views.transcript_copy, name="transcript_copy"),
    path(
        "learning/schools/<str:code>/transcripts/batch/",
        views.transcripts_school_batch,
        name="transcripts_school_batch",
    ),
    path(
        "learning/schools/<str:code>/transcripts/national-store/",
        views.transcripts_school_export,
        name="transcripts_school_export",
    ),
    # Public, printed under the QR code of every transcript: keep these addresses stable.
    path("transcripts/verify/", views.transcript_verify, name="transcript_verify"),
    path(
        "transcripts/verify/<str:code>/",
        views.transcript_verify_code,
        name="transcript_verify_code",
    ),
]
