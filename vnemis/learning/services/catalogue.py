"""The subject catalogue and the teaching assignments."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from vnemis.accounts.models import User
from vnemis.core.audit import audit_record, snapshot
from vnemis.core.choices import AuditVerb
from vnemis.learning.models import Subject, TeachingAssignment
from vnemis.learning.regimes.catalogue import REGIME_GRADES, subjects_for
from vnemis.learning.regimes.phase_in import regime_for
from vnemis.people.models import SchoolClass, Staff


@transaction.atomic
def catalogue_sync(*, by: User | None) -> int:
    """Create the subjects of the national catalogue that the database lacks; return how many.

    Existing rows keep their values: a province's change of a subject's periods per year (or
    its name) survives a later sync.
    """
    existing = set(Subject.objects.values_list("regime", "grade", "code"))
    new: list[Subject] = []
    for regime, grades in REGIME_GRADES.items():
        for grade in grades:
            for position, spec in enumerate(subjects_for(regime, grade), start=1):
                if (regime, grade, spec.code) in existing:
                    continue
                new.append(
                    Subject(
                        regime=regime,
                        grade=grade,
                        code=spec.code,
                        name=spec.name,
                        mode=spec.mode,
                        periods_per_year=spec.periods_per_year,
                        core=spec.core,
                        elective=spec.elective,
                        tested=spec.tested,
                        mid_tested=spec.mid_tested,
                        position=position,
                    )
                )
    Subject.objects.bulk_create(new)
    if new:
        audit_record(
            actor=by,
            verb=AuditVerb.CREATED,
            target=new[0],
            after={"count": len(new)},
            note=_("Subjects added from the national catalogue"),
        )
    return len(new)


def class_regime(school_class: SchoolClass) -> str:
    """The regime of a class's results, from its grade and school year (domain-vn §3.1)."""
    return regime_for(grade=school_class.grade, school_year=school_class.school_year.code)


def class_subjects(school_class: SchoolClass) -> list[Subject]:
    """The subjects a class studies: the catalogue's compulsory subjects of its regime and
    grade, and the electives it has a teaching assignment for."""
    chosen = TeachingAssignment.objects.filter(school_class=school_class).values("subject_id")
    subjects = Subject.objects.filter(regime=class_regime(school_class), grade=school_class.grade)
    return list(subjects.filter(Q(elective=False) | Q(pk__in=chosen)).order_by("position"))


@transaction.atomic
def assignment_set(
    *, school_class: SchoolClass, subject: Subject, teacher: Staff | None, by: User | None
) -> TeachingAssignment:
    """Assign ``teacher`` (or nobody) to teach ``subject`` to ``school_class``.

    The subject must belong to the class's regime and grade, and the teacher must work at the
    class's school.
    """
    if subject.regime != class_regime(school_class) or subject.grade != school_class.grade:
        raise ValidationError(
            _("{subject} is not a subject of class {klass} in {year}.").format(
                subject=subject.name, klass=school_class.name, year=school_class.school_year
            )
        )
    if teacher is not None and teacher.org_unit_id != school_class.school_id:
        raise ValidationError(
            _("{teacher} does not work at the school of class {klass}.").format(
                teacher=teacher.person.full_name, klass=school_class.name
            )
        )
    assignment = TeachingAssignment.objects.filter(
        school_class=school_class, subject=subject
    ).first()
    if assignment is None:
        assignment = TeachingAssignment(school_class=school_class, subject=subject)
        before = None
    else:
        before = snapshot(assignment)
    assignment.teacher = teacher
    assignment.full_clean()
    assignment.save()
    audit_record(
        actor=by,
        verb=AuditVerb.CREATED if before is None else AuditVerb.UPDATED,
        target=assignment,
        before=before,
        after=snapshot(assignment),
    )
    return assignment
