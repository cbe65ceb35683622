from __future__ import annotations

from django.urls import path

from vnemis.organisations import views

app_name = "organisations"
urlpatterns = [
    path("orgs/", views.orgunit_tree, name="orgunit_tree"),
    path("schools/", views.school_list, name="school_list"),
]
