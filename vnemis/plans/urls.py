from __future__ import annotations

from django.urls import path

from vnemis.plans import views

app_name = "plans"
urlpatterns = [
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme_detail"),
    path("programmes/tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path(
        "programmes/updates/<int:pk>/evidence/",
        views.task_update_evidence,
        name="task_update_evidence",
    ),
]
