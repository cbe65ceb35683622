"""People of the sector and their enrolment: persons, students, staff, guardians, classes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vnemis.core.models import BaseModel
from vnemis.core.text import fold
from vnemis.organisations.choices import SchoolLevel
from vnemis.people.choices import (
    EnrollmentStatus,
    Ethnicity,
    ExitReason,
    GuardianRelation,
    Qualification,
    Sex,
    StaffPosition,
)
from vnemis.people.identity import national_id_problems

# The name parts the search name is made of.
_SEARCH_NAME_SOURCES = {"family_name", "middle_name", "given_name"}


class PersonQuerySet(models.QuerySet["Person"]):
    # The search name is derived from the name parts. Bulk writes bypass save(), so they fill
    # it here; an update() of a name part cannot recompute it in SQL and is refused. (The
    # imports' and the demo's raw inserts fill it themselves, with the same fold.)
    def bulk_create(self, objs: Iterable[Person], *args: Any, **kwargs: Any) -> list[Person]:
        objs = list(objs)
        for person in objs:
            person.search_name = fold(person.full_name)
        update_fields = kwargs.get("update_fields")
        if update_fields and _SEARCH_NAME_SOURCES & set(update_fields):
            kwargs["update_fields"] = [*update_fields, "search_name"]
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(
        self, objs: Iterable[Person], fields: Iterable[str], *args: Any, **kwargs: Any
    ) -> int:
        objs, fields = list(objs), list(fields)
        if _SEARCH_NAME_SOURCES & set(fields):
            for person in objs:
                person.search_name = fold(person.full_name)
            fields = [*fields, "search_name"]
        return super().bulk_update(objs, fields, *args, **kwargs)

    def update(self, **kwargs: Any) -> int:
        if _SEARCH_NAME_SOURCES & kwargs.keys() and "search_name" not in kwargs:
            raise TypeError(
                "update() of a person's name leaves the search name stale; save the persons "
                "(people.services.person_update) instead."
            )
        return super().update(**kwargs)


class Person(BaseModel):
    """One human being, whatever roles they have: a student, a teacher, a parent.

    The name is kept in its three Vietnamese parts (họ, tên đệm, tên) and shown in Vietnamese
    order. ``national_id`` is the 12-digit personal ID number, optional for young children.
    """

    family_name = models.CharField(_("family name"), max_length=60)
    middle_name = models.CharField(_("middle name"), max_length=60, blank=True)
    given_name = models.CharField(_("given name"), max_length=60)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    # Blank when unknown, as in rosters received from other systems without demographics.
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    ethnicity = models.CharField(
        _("ethnicity"), max_length=2, choices=Ethnicity.choices, default=Ethnicity.KINH
    )
    national_id = models.CharField(
        _("personal ID number"), max_length=12, null=True, blank=True, unique=True
    )
    phone = models.CharField(_("phone"), max_length=15, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    # Lower-case, without diacritics: "nguyen van an" finds "Nguyễn Văn An". Kept by save()
    # and the queryset's bulk writes. The b-tree index serves the imports' exact lookups; the
    # search's "contains" is served on PostgreSQL by a trigram index (migration 0003, not
    # declared here: SQLite cannot build it).
    search_name = models.CharField(
        _("search name"), max_length=200, editable=False, db_index=True, default=""
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["given_name", "family_name", "middle_name", "id"]
        indexes = [models.Index(fields=["given_name", "family_name"], name="person_name_idx")]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_name = fold(self.full_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.family_name, self.middle_name, self.given_name) if p)

    def clean(self) -> None:
        if self.national_id:
            problems = national_id_problems(
                self.national_id, birth_date=self.birth_date, sex=self.sex
            )
            if problems:
                raise ValidationError({"national_id": problems})
        if self.birth_date and self.birth_date > timezone.localdate():
            raise ValidationError({"birth_date": _("The date of birth is in the future.")})


class Student(BaseModel):
    """A learner, preschool child or pupil, with a student code that never changes once issued.

    ``code`` is the sector's student code (mã học sinh); ``moet_code`` the identifier issued by
    the national database, stored exactly as issued (its length is not assumed).
    """

    person = models.OneToOneField(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="student"
    )
    code = models.CharField(_("student code"), max_length=32, unique=True)
    moet_code = models.CharField(_("MOET student ID"), max_length=32, blank=True, db_index=True)

    class Meta:
        verbose_name = _("student")
        verbose_name_plural = _("students")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.person.full_name} ({self.code})"


class Staff(BaseModel):
    """A member of staff (CBQL, teacher, support staff) employed by a school or office."""

    person = models.OneToOneField(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="staff"
    )
    code = models.CharField(_("staff code"), max_length=32, unique=True)
    org_unit = models.ForeignKey(
        "organisations.OrgUnit",
        verbose_name=_("workplace"),
        on_delete=models.PROTECT,
        related_name="staff",
    )
    position = models.CharField(_("position"), max_length=16, choices=StaffPosition.choices)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    qualification = models.CharField(
        _("qualification"), max_length=16, choices=Qualification.choices, blank=True
    )
    subject = models.CharField(_("main subject"), max_length=80, blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    is_active = models.BooleanField(_("in service"), default=True)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.person.full_name} ({self.code})"


class Guardian(BaseModel):
    """A parent or other guardian of one or more students."""

    person = models.OneToOneField(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="guardian"
    )
    occupation = models.CharField(_("occupation"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.person.full_name


class GuardianLink(BaseModel):
    """That a guardian is responsible for a student, and how they are related."""

    guardian = models.ForeignKey(
        Guardian, verbose_name=_("guardian"), on_delete=models.CASCADE, related_name="links"
    )
    student = models.ForeignKey(
        Student, verbose_name=_("student"), on_delete=models.CASCADE, related_name="guardian_links"
    )
    relation = models.CharField(_("relation"), max_length=16, choices=GuardianRelation.choices)
    is_primary = models.BooleanField(_("main contact"), default=False)

    class Meta:
        verbose_name = _("guardian link")
        verbose_name_plural = _("guardian links")
        ordering = ["student", "-is_primary"]
        constraints = [
            models.UniqueConstraint(fields=["guardian", "student"], name="guardianlink_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.guardian} → {self.student}"


class SchoolClass(BaseModel):
    """A class (lớp) of one school in one school year, e.g. 6A1, with its homeroom teacher."""

    school = models.ForeignKey(
        "organisations.OrgUnit",
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="classes",
    )
    site = models.ForeignKey(
        "organisations.OrgUnit",
        verbose_name=_("school site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="site_classes",
    )
    school_year = models.ForeignKey(
        "organisations.SchoolYear",
        verbose_name=_("school year"),
        on_delete=models.PROTECT,
        related_name="classes",
    )
    level = models.CharField(_("level"), max_length=4, choices=SchoolLevel.choices)
    grade = models.PositiveSmallIntegerField(pgettext_lazy("grade level", "grade"))
    name = models.CharField(_("class name"), max_length=40)
    homeroom_teacher = models.ForeignKey(
        Staff,
        verbose_name=_("homeroom teacher"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="homeroom_classes",
    )

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ["school_year", "grade", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year", "name"], name="class_unique_name"
            ),
            models.CheckConstraint(condition=Q(grade__lte=12), name="class_grade_range"),
        ]

    def __str__(self) -> str:
        return self.name


class EnrollmentQuerySet(models.QuerySet["Enrollment"]):
    def active(self) -> EnrollmentQuerySet:
        return self.filter(status=EnrollmentStatus.ACTIVE)

    def general_education(self) -> EnrollmentQuerySet:
        return self.exclude(level=SchoolLevel.PRESCHOOL)

    def preschool(self) -> EnrollmentQuerySet:
        return self.filter(level=SchoolLevel.PRESCHOOL)

    def open_on(self, day: dt.date) -> EnrollmentQuerySet:
        """Enrolments that count on ``day``: started by then and not ended before it."""
        return self.filter(started_on__lte=day).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=day)
        )


class Enrollment(BaseModel):
    """A student's enrolment at a school for one school year, in a class and grade.

    A student has at most one active enrolment per year; a transfer closes it and opens one at
    the new school, and year-end promotion closes it and opens one in the next year.
    """

    student = models.ForeignKey(
        Student, verbose_name=_("student"), on_delete=models.PROTECT, related_name="enrollments"
    )
    school_year = models.ForeignKey(
        "organisations.SchoolYear",
        verbose_name=_("school year"),
        on_delete=models.PROTECT,
        related_name="enrollments",
    )
    school = models.ForeignKey(
        "organisations.OrgUnit",
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="enrollments",
    )
    school_class = models.ForeignKey(
        SchoolClass,
        verbose_name=_("class"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enrollments",
    )
    level = models.CharField(_("level"), max_length=4, choices=SchoolLevel.choices)
    grade = models.PositiveSmallIntegerField(pgettext_lazy("grade level", "grade"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=EnrollmentStatus.choices,
        default=EnrollmentStatus.ACTIVE,
    )
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    exit_reason = models.CharField(
        _("exit reason"), max_length=16, choices=ExitReason.choices, blank=True
    )

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        ordering = ["school_year", "student"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "school_year"],
                condition=Q(status="active"),
                name="enrollment_one_active_per_year",
                violation_error_message=_(
                    "The student already has an active enrollment in this school year."
                ),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="enrollment_dates",
            ),
            models.CheckConstraint(
                condition=Q(status="active") | Q(ended_on__isnull=False),
                name="enrollment_closed_has_end",
            ),
        ]
        indexes = [
            models.Index(fields=["school", "status", "level"], name="enrollment_school_idx"),
            models.Index(fields=["school_class", "status"], name="enrollment_class_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.student} – {self.school_year}"

    def clean(self) -> None:
        if self.school_class_id is not None and self.school_class is not None:
            if self.school_class.school_id != self.school_id:
                raise ValidationError({"school_class": _("The class belongs to another school.")})
            if self.school_class.school_year_id != self.school_year_id:
                raise ValidationError(
                    {"school_class": _("The class belongs to another school year.")}
                )
        if self.status != EnrollmentStatus.ACTIVE and not self.exit_reason:
            raise ValidationError({"exit_reason": _("A closed enrollment needs a reason.")})
