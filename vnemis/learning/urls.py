from __future__ import annotations

from django.urls import path

from vnemis.learning.views import entry, family, review, transcripts

app_name = "learning"
urlpatterns = [
    path("learning/", entry.home, name="home"),
    path("learning/classes/<int:pk>/", entry.class_detail, name="class_detail"),
    path(
        "learning/classes/<int:pk>/subjects/<int:subject_pk>/terms/<int:term>/",
        entry.gradebook,
        name="gradebook",
    ),
    path(
        "learning/classes/<int:pk>/subjects/<int:subject_pk>/terms/<int:term>/cells/",
        entry.gradebook_cells,
        name="gradebook_cells",
    ),
    path(
        "learning/classes/<int:pk>/subjects/<int:subject_pk>/terms/<int:term>/sheet/",
        entry.gradebook_sheet,
        name="gradebook_sheet",
    ),
    path(
        "learning/classes/<int:pk>/subjects/<int:subject_pk>/terms/<int:term>/corrections/",
        review.correction_request,
        name="correction_request",
    ),
    path(
        "learning/classes/<int:pk>/terms/<int:term>/reports/",
        entry.term_reports,
        name="term_reports",
    ),
    path(
        "learning/classes/<int:pk>/terms/<int:term>/reports/rows/",
        entry.term_reports_rows,
        name="term_reports_rows",
    ),
    path("learning/classes/<int:pk>/lock/", review.term_lock, name="term_lock"),
    path("learning/classes/<int:pk>/unlock/", review.term_unlock, name="term_unlock"),
    path("learning/classes/<int:pk>/releases/", review.release_set, name="release_set"),
    path("learning/corrections/", review.corrections, name="corrections"),
    path(
        "learning/corrections/<int:pk>/decide/", review.correction_decide, name="correction_decide"
    ),
    path("learning/family/", family.family, name="family"),
    path("learning/students/<str:code>/", family.student_results, name="student_results"),
    # Học bạ số: a class's transcripts and their batch, one transcript's workflow, copies
    # and file, a school's batch and national-store package, the public verification page.
    path(
        "learning/classes/<int:pk>/transcripts/",
        transcripts.transcripts_class,
        name="transcripts_class",
    ),
    path(
        "learning/classes/<int:pk>/transcripts/batch/",
        transcripts.transcripts_class_batch,
        name="transcripts_class_batch",
    ),
    path("learning/transcripts/<int:pk>/", transcripts.transcript_detail, name="transcript_detail"),
    path(
        "learning/transcripts/<int:pk>/advance/",
        transcripts.transcript_advance,
        name="transcript_advance",
    ),
    path(
        "learning/transcripts/<int:pk>/revoke/",
        transcripts.transcript_revoke,
        name="transcript_revoke",
    ),
    path(
        "learning/transcripts/<int:pk>/pdf/",
        transcripts.transcript_download,
        name="transcript_download",
    ),
    path(
        "learning/transcripts/<int:pk>/copies/", transcripts.transcript_copy, name="transcript_copy"
    ),
    path(
        "learning/schools/<str:code>/transcripts/batch/",
        transcripts.transcripts_school_batch,
        name="transcripts_school_batch",
    ),
    path(
        "learning/schools/<str:code>/transcripts/national-store/",
        transcripts.transcripts_school_export,
        name="transcripts_school_export",
    ),
    # Public, printed under the QR code of every transcript: keep these addresses stable.
    path("transcripts/verify/", transcripts.transcript_verify, name="transcript_verify"),
    path(
        "transcripts/verify/<str:code>/",
        transcripts.transcript_verify_code,
        name="transcript_verify_code",
    ),
]
