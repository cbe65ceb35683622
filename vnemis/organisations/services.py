"""Writes to the organisation tree: units, their placements in tree versions, school years."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from vnemis.accounts.models import User
from vnemis.core.audit import audit_record, snapshot
from vnemis.core.choices import AuditVerb
from vnemis.organisations.models import (
    OrgPlacement,
    OrgUnit,
    OrgUnitGroup,
    SchoolYear,
    TreeVersion,
)


@transaction.atomic
def orgunit_create(
    *,
    kind: str,
    code: str,
    name: str,
    by: User | None,
    groups: list[tuple[str, str]] | None = None,
    short_name: str = "",
    moet_code: str = "",
    admin_code: str = "",
    ownership: str = "",
    address: str = "",
    phone: str = "",
    email: str = "",
    website: str = "",
    principal_name: str = "",
    school: OrgUnit | None = None,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
) -> OrgUnit:
    """Create a unit; ``groups`` are (group set code, group code) pairs such as ("level", "th")."""
    unit = OrgUnit(
        kind=kind,
        code=code,
        name=name,
        short_name=short_name,
        moet_code=moet_code,
        admin_code=admin_code,
        ownership=ownership,
        address=address,
        phone=phone,
        email=email,
        website=website,
        principal_name=principal_name,
        school=school,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    unit.full_clean()
    unit.save()
    for set_code, group_code in groups or []:
        unit.groups.add(OrgUnitGroup.objects.get(group_set__code=set_code, code=group_code))
    audit_record(actor=by, verb=AuditVerb.CREATED, target=unit, after=snapshot(unit))
    return unit


@transaction.atomic
def orgunit_place(
    *, unit: OrgUnit, version: TreeVersion, parent: OrgUnit | None, by: User | None
) -> OrgPlacement:
    """Put ``unit`` under ``parent`` in ``version``, computing its materialised path."""
    if OrgPlacement.objects.filter(version=version, unit=unit).exists():
        raise ValidationError(_("This unit is already placed in this tree version."))
    if parent is None:
        path, depth = f"{version.code}:{unit.code}.", 0
    else:
        above = OrgPlacement.objects.filter(version=version, unit=parent).first()
        if above is None:
            raise ValidationError(_("The parent unit is not placed in this tree version."))
        path, depth = f"{above.path}{unit.code}.", above.depth + 1
    placement = OrgPlacement(version=version, unit=unit, parent=parent, path=path, depth=depth)
    placement.full_clean()
    placement.save()
    audit_record(actor=by, verb=AuditVerb.CREATED, target=placement, after=snapshot(placement))
    return placement


@transaction.atomic
def school_year_create(*, starts_on: dt.date, ends_on: dt.date, by: User | None) -> SchoolYear:
    year = SchoolYear(
        code=f"{starts_on.year}-{starts_on.year + 1}", starts_on=starts_on, ends_on=ends_on
    )
    year.full_clean()
    year.save()
    audit_record(actor=by, verb=AuditVerb.CREATED, target=year, after=snapshot(year))
    return year


@transaction.atomic
def orgunit_update(
    *,
    unit: OrgUnit,
    by: User | None,
    name: str | None = None,
    short_name: str | None = None,
    moet_code: str | None = None,
    admin_code: str | None = None,
    ownership: str | None = None,
    address: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    website: str | None = None,
    principal_name: str | None = None,
) -> OrgUnit:
    """Change the given descriptive fields of a unit (None: kept as it is).

    Its kind, code and place in the tree are not changed here: a code is the unit's identity,
    and a move is a new tree version.
    """
    before = snapshot(unit)
    changes = {
        "name": name,
        "short_name": short_name,
        "moet_code": moet_code,
        "admin_code": admin_code,
        "ownership": ownership,
        "address": address,
        "phone": phone,
        "email": email,
        "website": website,
        "principal_name": principal_name,
    }
    for field, value in changes.items():
        if value is not None:
            setattr(unit, field, value)
    unit.full_clean()
    unit.save()
    audit_record(actor=by, verb=AuditVerb.UPDATED, target=unit, before=before, after=snapshot(unit))
    return unit


@transaction.atomic
def orgunit_group_add(*, unit: OrgUnit, group_set: str, group: str, by: User | None) -> None:
    unit.groups.add(OrgUnitGroup.objects.get(group_set__code=group_set, code=group))
    audit_record(
        actor=by, verb=AuditVerb.UPDATED, target=unit, after={"group": f"{group_set}:{group}"}
    )


@transaction.atomic
def orgunit_groups_set(
    *, unit: OrgUnit, group_set: str, groups: list[str], by: User | None
) -> OrgUnit:
    """Make ``groups`` (codes) the unit's only groups of ``group_set``; other sets are kept."""
    wanted = list(OrgUnitGroup.objects.filter(group_set__code=group_set, code__in=groups))
    unknown = sorted(set(groups) - {g.code for g in wanted})
    if unknown:
        raise ValidationError(
            _("Unknown groups of {group_set}: {codes}.").format(
                group_set=group_set, codes=", ".join(unknown)
            )
        )
    current = list(unit.groups.filter(group_set__code=group_set))
    before = sorted(g.code for g in current)
    unit.groups.remove(*[g for g in current if g.code not in groups])
    unit.groups.add(*wanted)
    audit_record(
        actor=by,
        verb=AuditVerb.UPDATED,
        target=unit,
        before={group_set: before},
        after={group_set: sorted(groups)},
    )
    return unit
