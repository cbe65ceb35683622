from __future__ import annotations

from django.contrib import admin

from vnemis.core.admin import AuditedAdminMixin, PersonalDataAdminMixin
from vnemis.people.models import (
    Enrollment,
    Guardian,
    GuardianLink,
    Person,
    SchoolClass,
    Staff,
    Student,
)


@admin.register(Person)
class PersonAdmin(PersonalDataAdminMixin):
    list_display = ["family_name", "middle_name", "given_name", "birth_date", "sex", "ethnicity"]
    search_fields = ["given_name", "family_name", "national_id"]
    raw_id_fields = ["user"]


@admin.register(Student)
class StudentAdmin(PersonalDataAdminMixin):
    list_display = ["code", "person", "moet_code"]
    search_fields = ["code", "person__given_name", "person__family_name"]
    raw_id_fields = ["person"]
    readonly_fields = ["code"]


@admin.register(Staff)
class StaffAdmin(PersonalDataAdminMixin):
    list_display = ["code", "person", "org_unit", "position", "is_active"]
    list_filter = ["position", "is_active"]
    search_fields = ["code", "person__given_name", "person__family_name"]
    raw_id_fields = ["person", "org_unit"]


@admin.register(Enrollment)
class EnrollmentAdmin(PersonalDataAdminMixin):
    list_display = ["student", "school_year", "school", "school_class", "grade", "status"]
    list_filter = ["status", "level", "school_year"]
    raw_id_fields = ["student", "school", "school_class"]


@admin.register(SchoolClass)
class SchoolClassAdmin(AuditedAdminMixin):
    list_display = ["name", "school", "school_year", "grade", "homeroom_teacher"]
    list_filter = ["school_year", "level", "grade"]
    raw_id_fields = ["school", "site", "homeroom_teacher"]


@admin.register(Guardian)
class GuardianAdmin(PersonalDataAdminMixin):
    raw_id_fields = ["person"]


@admin.register(GuardianLink)
class GuardianLinkAdmin(PersonalDataAdminMixin):
    raw_id_fields = ["guardian", "student"]
