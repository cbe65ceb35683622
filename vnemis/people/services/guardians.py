"""Guardians taken from another system's records: a rostering platform names a parent's
children, and vnemis links him to each of them it does not link him to yet."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from vnemis.accounts.models import User
from vnemis.core.audit import audit_record, snapshot
from vnemis.core.choices import AuditVerb
from vnemis.people.choices import GuardianRelation
from vnemis.people.models import Guardian, GuardianLink, Person, Student


@transaction.atomic
def guardian_ensure(*, person: Person, by: User | None) -> Guardian:
    """``person``'s guardian record, created (and audited) if he has none yet."""
    guardian = Guardian.objects.filter(person=person).first()
    if guardian is not None:
        return guardian
    guardian = Guardian(person=person)
    guardian.full_clean()
    guardian.save()
    audit_record(actor=by, verb=AuditVerb.CREATED, target=guardian, after=snapshot(guardian))
    return guardian


@transaction.atomic
def guardian_children_add(
    *,
    guardian: Guardian,
    students: Iterable[Student],
    by: User | None,
    relation: GuardianRelation = GuardianRelation.OTHER,
) -> list[GuardianLink]:
    """Link ``guardian`` to each of ``students`` he is not linked to yet, as ``relation`` and
    not as the main contact; the new links are returned, each audited.

    An existing link is kept as it is: the school may have set the relation (a roster says
    only "parent" or "guardian") or the main contact since, and a roster does not overrule it.
    """
    wanted = {student.pk: student for student in students}
    linked = set(
        GuardianLink.objects.filter(guardian=guardian, student_id__in=wanted).values_list(
            "student_id", flat=True
        )
    )
    created: list[GuardianLink] = []
    for pk, student in wanted.items():
        if pk in linked:
            continue
        link = GuardianLink(guardian=guardian, student=student, relation=relation, is_primary=False)
        link.full_clean()
        link.save()
        audit_record(actor=by, verb=AuditVerb.CREATED, target=link, after=snapshot(link))
        created.append(link)
    return created
