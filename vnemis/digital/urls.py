from __future__ import annotations

from django.urls import path

from vnemis.digital import views

app_name = "digital"
urlpatterns = [
    path("units/<str:code>/digital/", views.profile_history, name="profile_history"),
    path("units/<str:code>/self-assessment/", views.self_assessment, name="self_assessment"),
    path(
        "units/<str:code>/self-assessment/step/",
        views.self_assessment_step,
        name="self_assessment_step",
    ),
    path(
        "units/<str:code>/self-assessment/<str:criterion>/evidence/",
        views.criterion_evidence,
        name="criterion_evidence",
    ),
    path("self-assessments/", views.self_assessment_status, name="self_assessment_status"),
]
