"""What the API shows of each record. Codes, not database ids, name units, people and
elements, as on the pages; personal data is masked as on the pages (``masked_person``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from vnemis.core.masking import mask_address, mask_phone, mask_tail
from vnemis.digital.models import DigitalProfile
from vnemis.imports.choices import ImportKind
from vnemis.imports.models import ImportJob
from vnemis.indicators.models import ElementValue
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
