"""Importing a checked OneRoster bundle into vnemis, through the apps' services.

Mapping: orgs → org units (school-like types → schools; district/local → district offices;
state/national → departments) placed under the importing unit; academicSessions → school
years (by their ``schoolYear``); classes → classes of that year, at the grade of their
OneRoster grade codes; users → persons with a student, staff or guardian record by role;
enrollments → a student's enrolment of the class's year (the first class becomes its class)
and a teacher's homeroom class. Every record is remembered by its sourcedId
(``ExternalRef``), so importing again changes nothing.

What an import may touch. A bundle is imported under one unit, the scope: it reaches that
unit's subtrees (in every tree version) and the people with a current tie to them
(``people.selectors.persons_in_reach``), nothing else.

- A sourcedId names a vnemis record only when it is this installation's name for it
  (``ids``) and the record is in scope. Any other sourcedId (another program's ``cls-12``,
  another installation's name) is found only through what an earlier import from the same
  source remembered, again only in scope, or its record is created.
- A user whose personal ID number, student, staff or MOET code or vnemis name belongs to a
  person out of reach is refused, with a reason that names nothing about that person; the
  officers whose area holds the person resolve such cases.
- Classes take their school year from the bundle's academicSessions and their grade and
  level from its grade codes; a class of another school or year is never reused.
- New units are placed under the scope in every tree version where the scope is placed, so
  a unit of the 2022 tree imports as well as one of the 2025 tree.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vnemis.accounts.models import User
from vnemis.imports.oneroster.bundle import Problem, read_bundle
from vnemis.imports.oneroster.run import RosterResult, RosterRun
from vnemis.imports.oneroster.structure import classes_import, orgs_import, years_import
from vnemis.imports.oneroster.users import enrollments_import, users_import
from vnemis.organisations.models import OrgUnit
from vnemis.people.selectors import unit_paths

__all__ = ["RosterResult", "oneroster_import", "roster_run"]


def roster_run(run: RosterRun) -> None:
    """Import the bundle's tables in the order they refer to each other."""
    units = orgs_import(run)
    years = years_import(run)
    classes = classes_import(run, units, years)
    persons = users_import(run, units)
    enrollments_import(run, persons, classes)
    # Read for the users' roles and demographics, or not mapped (courses, profiles).
    for name in ("courses", "roles", "userProfiles", "demographics"):
        if run.b.tables.get(name):
            run.result.counts.setdefault(name, Counter())["read"] += len(run.b.tables[name])


def oneroster_import(
    *,
    path: Path,
    scope: OrgUnit,
    by: User | None,
    dry_run: bool = False,
    day: dt.date | None = None,
    partial: bool = False,
) -> RosterResult:
    """Check the bundle, then import it under ``scope`` in one transaction.

    A refused row (a user who is somebody out of reach, a row the services refuse) refuses
    the bundle: nothing is written, unless ``partial``, when the other rows are. A dry run
    writes nothing.
    """
    bundle = read_bundle(path)
    if bundle.errors:
        return RosterResult(problems=bundle.problems)
    if not unit_paths(scope):
        message = _(
            "The unit {name} has no place in the organisation tree; place it in the tree "
            "before importing under it."
        ).format(name=scope.name)
        return RosterResult(problems=[*bundle.problems, Problem(path.name, 0, "", message)])
    run = RosterRun(bundle, scope, by, day or timezone.localdate())
    with transaction.atomic():
        roster_run(run)
        if dry_run or (run.result.refused and not partial):
            transaction.set_rollback(True)
        else:
            run.result.written = True
    return run.result
