"""One OneRoster import run: what it counted and found (``RosterResult``), the sourcedIds it
remembers (``ExternalRef``), and the scope that bounds it: the importing unit's subtrees and
the people with a current tie to them. The tables are imported by ``structure`` (orgs,
sessions, classes) and ``users`` (users, their roles and enrollments)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from vnemis.accounts.models import User
from vnemis.core.installation import installation_code
from vnemis.imports.models import ExternalRef
from vnemis.imports.oneroster import ids as names
from vnemis.imports.oneroster.bundle import Bundle, Problem
from vnemis.organisations import services as org_services
from vnemis.organisations.models import OrgPlacement, OrgUnit, TreeVersion
from vnemis.people.selectors import persons_in_reach, unit_paths


@dataclass
class RosterResult:
    counts: dict[str, Counter[str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    written: bool = False

    @property
    def refused(self) -> bool:
        return any(p.error for p in self.problems)

    def summary(self) -> str:
        return "; ".join(
            f"{name}: " + ", ".join(f"{k} {v}" for k, v in sorted(c.items()))
            for name, c in self.counts.items()
        )


class Refused(Exception):
    """A row that this import may not apply; the message is shown to the importer."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column, self.message = column, message


class RosterRun:
    """One import of a bundle under a unit: what it has counted and found, the sourcedIds it
    remembers, and the scope that bounds what it may find or change."""

    def __init__(self, bundle: Bundle, scope: OrgUnit, by: User | None, day: dt.date) -> None:
        self.b, self.scope, self.by, self.day = bundle, scope, by, day
        self.result = RosterResult(problems=list(bundle.problems))
        self.installation = installation_code()
        self.system = bundle.system[:64]
        # An export of this installation, or of vnemis before installation codes, hands other
        # systems' ids back unchanged: those are looked up whatever system sent them first.
        self.echo = self.system in {names.system_code(self.installation), names.LEGACY_SYSTEM}
        # Where a foreign id is remembered when its plain entry already names a record of
        # another unit (two schools fed by one program whose ids overlap).
        self.local_system = f"{self.system[: 63 - len(scope.code)]}@{scope.code}"
        self.paths = unit_paths(scope)
        self.units_in_scope = set(
            OrgUnit.objects.under_paths(self.paths).values_list("pk", flat=True)
        )
        self.reach = persons_in_reach(paths=self.paths)
        roots = tuple(
            OrgPlacement.objects.filter(parent__isnull=True).values_list("path", flat=True)
        )
        self.tied = persons_in_reach(paths=roots)
        self.reachable_cache: dict[int, bool] = {}
        self.accepted: set[int] = set()  # persons this import created or identified
        self.refused_users: set[str] = set()
        self.students_grades: dict[str, set[str]] | None = None  # grade codes by class

    # Bookkeeping --------------------------------------------------------------------------
    def count(self, table: str, outcome: str) -> None:
        self.result.counts.setdefault(table, Counter())[outcome] += 1

    def warn(self, file: str, line: int, column: str, message: str) -> None:
        self.result.problems.append(Problem(file, line, column, message, error=False))

    def refuse(self, file: str, line: int, column: str, message: str) -> None:
        self.result.problems.append(Problem(file, line, column, message))
        self.count(file.removesuffix(".csv"), "refused")

    @contextmanager
    def row(self, file: str, line: int) -> Iterator[None]:
        """One row's writes, all or none: a row the services refuse is reported and undone."""
        try:
            with transaction.atomic():
                yield
        except ValidationError as exc:
            reasons = "; ".join(exc.messages)
            self.refuse(
                file, line, "", _("The row could not be saved: {reasons}").format(reasons=reasons)
            )

    def active(self, name: str) -> list[tuple[int, dict[str, str]]]:
        rows = []
        for line, row in self.b.rows(name):
            if row["status"] == "tobedeleted":
                self.count(name, "skipped (tobedeleted)")
                continue
            rows.append((line, row))
        return rows

    # Remembered ids -----------------------------------------------------------------------
    def refs(self, record_type: str, external_id: str, model: type[models.Model]) -> list[int]:
        """The records remembered for ``external_id``, this unit's own entries first."""
        found = ExternalRef.objects.filter(
            record_type=record_type, external_id=external_id, target_type=model._meta.label
        )
        if not self.echo:
            found = found.filter(system__in=[self.local_system, self.system])
        ordered = sorted(
            found, key=lambda r: (r.system != self.local_system, r.system != self.system, r.pk)
        )
        return [r.target_id for r in ordered]

    def remember(self, record_type: str, external_id: str, target: models.Model) -> None:
        if names.is_own(external_id, installation=self.installation):
            return  # found again by its name, as long as it stays in scope
        if len(external_id) > 255:
            return
        label, pk = target._meta.label, target.pk
        plain = ExternalRef.objects.filter(
            system=self.system, record_type=record_type, external_id=external_id
        ).first()
        if plain is None:
            ExternalRef.objects.create(
                system=self.system,
                record_type=record_type,
                external_id=external_id,
                target_type=label,
                target_id=pk,
            )
        elif (plain.target_type, plain.target_id) != (label, pk):
            ExternalRef.objects.update_or_create(
                system=self.local_system,
                record_type=record_type,
                external_id=external_id,
                defaults={"target_type": label, "target_id": pk},
            )

    # Scope --------------------------------------------------------------------------------
    def reachable(self, pk: int) -> bool:
        if pk in self.accepted:
            return True
        if pk not in self.reachable_cache:
            self.reachable_cache[pk] = self.reach.filter(pk=pk).exists()
        return self.reachable_cache[pk]

    def untied(self, pk: int) -> bool:
        """Whether the person has no current tie anywhere: a record that exists only because
        a roster sent it, which the same roster's remembered id may find again."""
        return not self.tied.filter(pk=pk).exists()

    def find_unit(self, sourced_id: str, identifier: str = "") -> tuple[OrgUnit | None, str]:
        """The unit in scope a bundle's org stands for, and how it was found."""
        if not sourced_id:
            return None, ""
        pk = names.own_pk(sourced_id, installation=self.installation, kind=names.ORG)
        if pk is not None and pk in self.units_in_scope:
            return OrgUnit.objects.get(pk=pk), "own"
        for pk in self.refs("org", sourced_id, OrgUnit):
            if pk in self.units_in_scope:
                return OrgUnit.objects.get(pk=pk), "ref"
        # The sector's codes: the unit code (as old vnemis exports named units) or MOET code.
        scoped = OrgUnit.objects.under_paths(self.paths)
        for code in dict.fromkeys(c for c in (identifier, sourced_id) if c):
            unit = scoped.filter(code=code).first() or scoped.filter(moet_code=code).first()
            if unit is not None:
                return unit, "code"
        return None, ""

    def free_code(self, base: str) -> str:
        code, n = base, 1
        while OrgUnit.objects.filter(code=code).exists():
            n += 1
            code = f"{base[: 31 - len(str(n))]}-{n}"
        return code

    def place_under(self, unit: OrgUnit, parent: OrgUnit) -> None:
        """Place ``unit`` under ``parent`` in every tree version where the parent is placed."""
        for version in TreeVersion.objects.filter(placements__unit=parent).distinct():
            if not OrgPlacement.objects.filter(version=version, unit=unit).exists():
                org_services.orgunit_place(unit=unit, version=version, parent=parent, by=self.by)
        self.units_in_scope.add(unit.pk)
