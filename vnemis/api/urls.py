"""/api/v1/: the versioned REST API, its schema and documentation; /api/tokens/: the
administrators' page of API tokens."""

from __future__ import annotations

from django.urls import URLPattern, include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from vnemis.api import errors, pages, views
from vnemis.core import uploads

app_name = "api"

router = SimpleRouter()
router.register("orgunits", views.OrgUnitViewSet, basename="orgunit")
router.register("schools", views.SchoolViewSet, basename="school")
router.register("sites", views.SiteViewSet, basename="site")
router.register("classes", views.SchoolClassViewSet, basename="class")
router.register("students", views.StudentViewSet, basename="student")
router.register("staff", views.StaffViewSet, basename="staff")
router.register("enrollments", views.EnrollmentViewSet, basename="enrollment")
router.register("element-values", views.ElementValueViewSet, basename="elementvalue")
router.register("digital-profiles", views.DigitalProfileViewSet, basename="digitalprofile")
router.register("plan-tasks", views.PlanTaskViewSet, basename="plantask")
router.register("import-jobs", views.ImportJobViewSet, basename="importjob")
router.register("year-results", views.YearResultViewSet, basename="yearresult")
router.register("transcripts", views.TranscriptViewSet, basename="transcript")

v1 = router.urls
for pattern in v1:
    if isinstance(pattern, URLPattern) and pattern.name == "importjob-list":
        # Import files get the import cap while they arrive (core.uploads), as on the page.
        uploads.upload_kind(uploads.UploadKind.IMPORT)(pattern.callback)

urlpatterns = [
    path("api/tokens/", pages.token_list, name="token_list"),
    path("api/tokens/<int:pk>/revoke/", pages.token_revoke, name="token_revoke"),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/v1/docs/", pages.documentation, name="documentation"),
    path("api/v1/indicator-values/", views.IndicatorValuesView.as_view(), name="indicator_values"),
    path("api/v1/reported-values/", views.ReportedValueView.as_view(), name="reported_values"),
    path(
        "api/v1/dhis2/dataValueSets/",
        views.Dhis2DataValueSetView.as_view(),
        name="dhis2_data_value_sets",
    ),
    path("api/v1/dhis2/adx/", views.Dhis2AdxView.as_view(), name="dhis2_adx"),
    path(
        "api/v1/students/<str:code>/results/",
        views.StudentResultsView.as_view(),
        name="student_results",
    ),
    path("api/v1/", include(v1)),
    # Anything else under /api/v1/ answers the API's 404, not the HTML page.
    re_path(r"^api/v1/", errors.not_found, name="not_found"),
]
