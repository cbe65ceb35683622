from __future__ import annotations

import datetime as dt
import io

from django.urls import reverse
from openpyxl import load_workbook

from vnemis.people import services
from vnemis.people.choices import EnrollmentStatus, ExitReason
from vnemis.people.models import Enrollment
from vnemis.people.tests.test_access import _matrix
from vnemis.testing.personas import PersonaTestCase


class DataQualityTests(PersonaTestCase):
    def test_matrix_and_checks(self) -> None:
        url = reverse("people:data_quality")
        self.assert_matrix(
            url,
            _matrix(
                {
                    "department_admin",
                    "province_officer",
                    "batxat_officer",
                    "baothang_officer",
                    "commune_officer",
                    "principal_a",
                }
            ),
        )
        w = self.world
        # An 11-year-old in grade 3 (born 2010): flagged. A pupil without an ID number.
        services.person_update(
            person=w.student_a2.person, by=None, birth_date=dt.date(2010, 3, 1), national_id=""
        )
        response = self.get_as("batxat_officer", url)
        counts = {c.code: n for c, n in response.context["counts"]}
        self.assertEqual(
            (counts["age_grade"], counts["no_national_id"], counts["no_enrollment"]), (1, 1, 0)
        )
        services.enrollment_end(
            enrollment=Enrollment.objects.get(student=w.student_a1),
            on=dt.date(2022, 1, 5),
            status=EnrollmentStatus.DROPPED_OUT,
            reason=ExitReason.FAMILY,
            by=None,
        )
        response = self.get_as("batxat_officer", url + "?check=no_enrollment")
        self.assertEqual([s.code for s in response.context["page"]], [w.student_a1.code])
        # Bảo Thắng's officer does not see Bát Xát's records.
        response = self.get_as("baothang_officer", url)
        self.assertEqual({c.code: n for c, n in response.context["counts"]}["age_grade"], 0)
        export = self.get_as("batxat_officer", url + "?check=age_grade&export=xlsx")
        sheet = load_workbook(io.BytesIO(export.content)).active
        self.assertEqual(
            [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)], [w.student_a2.code]
        )
