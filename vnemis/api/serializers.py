"""What the API shows of each record. Codes, not database ids, name units, people and
elements, as on the pages; personal data is masked as on the pages (``masked_person``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from vnemis.core.masking import mask_address, mask_phone, mask_tail
from vnemis.digital.models import DigitalProfile
from vnemis.imports.choices import ImportKind
from vnemis.imports.models import ImportJob
from vnemis.indicators.models import ElementValue
from vnemis.learning.models import Transcript, YearResult
from vnemis.organisations.models import OrgPlacement, OrgUnit
from vnemis.people.models import Enrollment, Person, SchoolClass, Staff, Student
from vnemis.plans.models import PlanTask


def masked_person(person: Person, *, visible: bool, contacts: bool = True) -> dict[str, str]:
    """National ID, phone and address: in full when ``visible``, else masked as on the detail
    pages; phone and address blank without ``contacts`` (a school the student has left)."""
    if visible:
        out = {
            "national_id": person.national_id or "",
            "phone": person.phone,
            "address": person.address,
        }
    else:
        out = {
            "national_id": mask_tail(person.national_id or ""),
            "phone": mask_phone(person.phone),
            "address": mask_address(person.address),
        }
    if not contacts:
        out["phone"] = out["address"] = ""
    return out


class PlacementSerializer(serializers.ModelSerializer[OrgPlacement]):
    version = serializers.CharField(source="version.code")
    # Declared fields leave the class when DRF builds it; the stubs see Field.parent.
    parent = serializers.CharField(  # type: ignore[assignment]
        source="parent.code", allow_null=True, default=None
    )

    class Meta:
        model = OrgPlacement
        fields = ["version", "parent", "path", "depth"]


class OrgUnitSerializer(serializers.ModelSerializer[OrgUnit]):
    """A unit with its place in each tree version (before and after the 2025 mergers)."""

    school = serializers.CharField(source="school.code", allow_null=True, default=None)
    placements = PlacementSerializer(many=True, read_only=True)

    class Meta:
        model = OrgUnit
        fields = [
            "code",
            "kind",
            "name",
            "short_name",
            "moet_code",
            "admin_code",
            "ownership",
            "address",
            "phone",
            "email",
            "website",
            "principal_name",
            "school",
            "valid_from",
            "valid_to",
            "placements",
        ]


class SchoolClassSerializer(serializers.ModelSerializer[SchoolClass]):
    school = serializers.CharField(source="school.code")
    site = serializers.CharField(source="site.code", allow_null=True, default=None)
    school_year = serializers.CharField(source="school_year.code")
    homeroom_teacher = serializers.CharField(
        source="homeroom_teacher.code", allow_null=True, default=None
    )

    class Meta:
        model = SchoolClass
        fields = ["id", "school", "site", "school_year", "level", "grade", "name"]
        fields += ["homeroom_teacher"]


class StudentSerializer(serializers.ModelSerializer[Student]):
    """A row of the student list: what the list page shows."""

    full_name = serializers.CharField(source="person.full_name")
    birth_date = serializers.DateField(source="person.birth_date", allow_null=True)
    sex = serializers.CharField(source="person.sex")

    class Meta:
        model = Student
        fields = ["code", "moet_code", "full_name", "birth_date", "sex"]


class PersonalDataSerializer(serializers.Serializer[dict[str, str]]):
    national_id = serializers.CharField()
    phone = serializers.CharField()
    address = serializers.CharField()


class EnrollmentSerializer(serializers.ModelSerializer[Enrollment]):
    student = serializers.CharField(source="student.code")
    school = serializers.CharField(source="school.code")
    school_year = serializers.CharField(source="school_year.code")
    school_class = serializers.IntegerField(source="school_class_id", allow_null=True)

    class Meta:
        model = Enrollment
        fields = ["id", "student", "school", "school_year", "school_class", "level", "grade"]
        fields += ["status", "started_on", "ended_on"]


class GuardianSerializer(serializers.Serializer[dict[str, Any]]):
    relation = serializers.CharField()
    full_name = serializers.CharField()
    is_primary = serializers.BooleanField()
    personal = PersonalDataSerializer()


class StudentDetailSerializer(serializers.Serializer[dict[str, Any]]):
    """A student's full record, as the detail page shows it to the caller."""

    code = serializers.CharField()
    moet_code = serializers.CharField()
    full_name = serializers.CharField()
    birth_date = serializers.DateField(allow_null=True)
    sex = serializers.CharField()
    ethnicity = serializers.CharField()
    personal = PersonalDataSerializer()
    unmasked = serializers.BooleanField(help_text=_("Personal data shown in full."))
    former = serializers.BooleanField(
        help_text=_("The caller's schools held the student once and no longer do.")
    )
    enrollments = EnrollmentSerializer(many=True)
    guardians = GuardianSerializer(many=True)


class StaffSerializer(serializers.ModelSerializer[Staff]):
    """A row of the staff list: what the list page shows."""

    full_name = serializers.CharField(source="person.full_name")
    unit = serializers.CharField(source="org_unit.code")

    class Meta:
        model = Staff
        fields = ["code", "full_name", "position", "job_title", "unit", "is_active"]


class StaffDetailSerializer(serializers.Serializer[dict[str, Any]]):
    code = serializers.CharField()
    full_name = serializers.CharField()
    birth_date = serializers.DateField(allow_null=True)
    sex = serializers.CharField()
    ethnicity = serializers.CharField()
    unit = serializers.CharField()
    position = serializers.CharField()
    job_title = serializers.CharField()
    qualification = serializers.CharField()
    subject = serializers.CharField()
    started_on = serializers.DateField(allow_null=True)
    is_active = serializers.BooleanField()
    personal = PersonalDataSerializer()
    unmasked = serializers.BooleanField()


class ElementValueSerializer(serializers.ModelSerializer[ElementValue]):
    """One figure of the analytics table: a data element's total for a unit and period."""

    unit = serializers.CharField(source="unit.code")
    element = serializers.CharField(source="element.code")
    value = serializers.DecimalField(max_digits=20, decimal_places=4, coerce_to_string=True)

    class Meta:
        model = ElementValue
        fields = ["id", "unit", "element", "period", "category", "value"]


class IndicatorValueSerializer(serializers.Serializer[Any]):
    """An indicator's value for one unit and period, with its parts and target."""

    unit = serializers.CharField()
    period = serializers.CharField()
    indicator = serializers.CharField()
    name = serializers.CharField()
    numerator = serializers.DecimalField(max_digits=24, decimal_places=4, allow_null=True)
    denominator = serializers.DecimalField(max_digits=24, decimal_places=4, allow_null=True)
    value = serializers.DecimalField(max_digits=24, decimal_places=4, allow_null=True)
    measure = serializers.CharField(help_text=_("The unit of the value, such as %."))
    target = serializers.DecimalField(max_digits=24, decimal_places=4, allow_null=True)


class PlanTaskSerializer(serializers.ModelSerializer[PlanTask]):
    programme = serializers.CharField(source="programme.code")
    owner = serializers.CharField(source="owner.code")

    class Meta:
        model = PlanTask
        fields = ["id", "programme", "number", "title", "owner", "deadline"]


class ImportJobSerializer(serializers.ModelSerializer[ImportJob]):
    """An import job and its counts. The rejected rows themselves (which may hold personal
    data) are in its error report, on the job's page."""

    file_name = serializers.CharField(source="source.original_name")
    unit = serializers.CharField(source="scope_unit.code", allow_null=True, default=None)

    class Meta:
        model = ImportJob
        fields = ["id", "kind", "status", "dry_run", "partial", "file_name", "unit", "total"]
        fields += ["processed", "created", "updated", "unchanged", "rejected", "written"]
        fields += ["message", "started_at", "finished_at", "created_at"]


class ImportUploadSerializer(serializers.Serializer[dict[str, Any]]):
    file = serializers.FileField(help_text=_("An .xlsx or .csv file."))
    kind = serializers.ChoiceField(choices=ImportKind.choices)
    unit = serializers.CharField(max_length=32, help_text=_("The code of the unit to import into."))
    dry_run = serializers.BooleanField(default=True)
    partial = serializers.BooleanField(default=False)  # type: ignore[assignment]  # as parent


class DigitalProfileSerializer(serializers.ModelSerializer[DigitalProfile]):
    unit = serializers.CharField(source="unit.code")

    class Meta:
        model = DigitalProfile
        fields = ["id", "unit", "valid_from", "internet", "has_website", "website"]
        fields += ["cashless_payment", "contact_book", "it_in_management", "basic_ict"]
        fields += ["source", "note"]


class DigitalProfileEntrySerializer(serializers.Serializer[dict[str, Any]]):
    """A school's or site's facts from ``valid_from`` on; facts left out keep their values."""

    unit = serializers.CharField(max_length=32)
    valid_from = serializers.DateField()
    internet = serializers.ChoiceField(
        choices=DigitalProfile._meta.get_field("internet").choices or [], required=False
    )
    has_website = serializers.BooleanField(required=False)
    website = serializers.URLField(required=False, allow_blank=True, max_length=200)
    cashless_payment = serializers.BooleanField(required=False)
    contact_book = serializers.BooleanField(required=False)
    it_in_management = serializers.BooleanField(required=False)
    basic_ict = serializers.BooleanField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=255)


class ReportedValueEntrySerializer(serializers.Serializer[dict[str, Any]]):
    """A reported figure (a rate the schools report rather than one counted from records)."""

    element = serializers.CharField(max_length=64)
    period = serializers.CharField(max_length=12, help_text=_("2022H1, 2022Q3, 2022 or 2021-2022."))
    unit = serializers.CharField(max_length=32)
    value = serializers.DecimalField(
        max_digits=20, decimal_places=4, min_value=Decimal(0), max_value=Decimal(10) ** 15
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=255)


class ReportedValueSerializer(serializers.Serializer[dict[str, Any]]):
    element = serializers.CharField()
    period = serializers.CharField()
    unit = serializers.CharField()
    value = serializers.DecimalField(max_digits=20, decimal_places=4)
    note = serializers.CharField()


# Learning results and transcripts. A student is named by his code only: his name, birth date
# and sex are on ``students/`` for a caller who may see them there.


def _score(help_text: Any = None) -> serializers.DecimalField:
    """A score on the 10-point scale with one decimal, absent when not shown."""
    return serializers.DecimalField(
        max_digits=3, decimal_places=1, required=False, help_text=help_text
    )


class TermMarkSerializer(serializers.Serializer[dict[str, Any]]):
    """One term of a subject as the caller may see it. A value that was not entered, or that
    the school has not released to families (for a parent or the student), is absent."""

    term = serializers.IntegerField()
    r1 = _score(_("Regular score 1."))
    r2 = _score()
    r3 = _score()
    r4 = _score()
    rr1 = serializers.CharField(
        required=False, help_text=_("Regular assessment 1 of a comment subject: dat or chua_dat.")
    )
    rr2 = serializers.CharField(required=False)
    rr3 = serializers.CharField(required=False)
    rr4 = serializers.CharField(required=False)
    midterm = _score()
    final = _score(_("End-of-term score."))
    mid_result = serializers.CharField(required=False)
    final_result = serializers.CharField(required=False)
    average = _score(_("Term average."))
    result = serializers.CharField(required=False, help_text=_("Term result (a code)."))
    comment = serializers.CharField(required=False)


class SubjectResultSerializer(serializers.Serializer[dict[str, Any]]):
    subject = serializers.CharField(help_text=_("Subject code, e.g. toan."))
    name = serializers.CharField()
    mode = serializers.CharField(help_text=_("score, comment or level."))
    terms = TermMarkSerializer(many=True)
    year = serializers.CharField(
        allow_null=True,
        help_text=_(
            "The year's average (scored subjects) or result code; null until both terms are "
            "complete, or while not released to the caller."
        ),
    )


class TermReportValuesSerializer(serializers.Serializer[dict[str, Any]]):
    """The homeroom teacher's record of a term: conduct, qualities, absences, remark."""

    term = serializers.IntegerField()
    conduct = serializers.CharField(required=False)
    traits = serializers.DictField(child=serializers.CharField(), required=False)
    absences_excused = serializers.IntegerField(default=0)
    absences_unexcused = serializers.IntegerField(default=0)
    remark = serializers.CharField(required=False)


class YearOutcomeSerializer(serializers.Serializer[Any]):
    learning = serializers.CharField()
    conduct = serializers.CharField()
    award = serializers.CharField()
    promotion = serializers.CharField()
    recorded_on = serializers.DateField()


class StudentYearSerializer(serializers.Serializer[dict[str, Any]]):
    """A student's results of a school year, as ``learning.selectors.student_year`` gives
    them to the caller."""

    student = serializers.CharField()
    school_year = serializers.CharField()
    school = serializers.CharField(allow_null=True)
    school_class = serializers.IntegerField(allow_null=True)
    class_name = serializers.CharField(allow_null=True)
    grade = serializers.IntegerField(allow_null=True)
    regime = serializers.CharField(allow_null=True)
    released_only = serializers.BooleanField(
        help_text=_("Only what the school has released to families is shown (parent, student).")
    )
    hidden = serializers.IntegerField(
        help_text=_("How many values are withheld until the school releases them.")
    )
    subjects = SubjectResultSerializer(many=True)
    terms = TermReportValuesSerializer(many=True)
    year_result = YearOutcomeSerializer(allow_null=True)


class YearResultSerializer(serializers.ModelSerializer[YearResult]):
    """A student's year result: the headline codes the regime decided."""

    student = serializers.CharField(source="student.code")
    school_year = serializers.CharField(source="school_year.code")
    school = serializers.CharField(source="school.code")
    school_class = serializers.IntegerField(source="school_class_id", allow_null=True)
    class_name = serializers.CharField(source="school_class.name", allow_null=True, default=None)

    class Meta:
        model = YearResult
        fields = ["id", "student", "school_year", "school", "school_class", "class_name"]
        fields += ["grade", "regime", "learning", "conduct", "award", "promotion", "recorded_on"]


class TranscriptSerializer(serializers.ModelSerializer[Transcript]):
    """A transcript's record, without its content or PDF: the signed file is given out on the
    transcript's page (``page``), which logs each copy."""

    student = serializers.CharField(source="student.code")
    school_year = serializers.CharField(source="school_year.code")
    school = serializers.CharField(source="school.code")
    page = serializers.SerializerMethodField(
        help_text=_(
            "The transcript's page, where the signed file is downloaded (each download is logged)."
        )
    )

    class Meta:
        model = Transcript
        fields = ["code", "student", "school_year", "school", "grade", "regime", "version"]
        fields += ["status", "issued_on", "pdf_sha256", "page"]

    @extend_schema_field(OpenApiTypes.STR)
    def get_page(self, transcript: Transcript) -> str:
        # The site's path, not an API address: the file is given out by the page only.
        return reverse("learning:transcript_detail", args=[transcript.pk])
