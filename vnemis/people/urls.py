from __future__ import annotations

from django.urls import path

from vnemis.people import views

app_name = "people"
urlpatterns = [
    path("schools/<str:code>/", views.school_detail, name="school_detail"),
    path("students/", views.student_list, name="student_list"),
    path("students/<str:code>/", views.student_detail, name="student_detail"),
    path("students/<str:code>/transfer/", views.student_transfer, name="student_transfer"),
    path("schools/<str:code>/promotion/", views.school_promotion, name="school_promotion"),
    path("staff/", views.staff_list, name="staff_list"),
    path("data-quality/", views.data_quality, name="data_quality"),
    path("staff/<str:code>/", views.staff_detail, name="staff_detail"),
]
