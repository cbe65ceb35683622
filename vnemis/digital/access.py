"""Who may read and record digital-transformation facts: the scoped org-unit fetches."""

from __future__ import annotations

from django.db.models import Q
from django.shortcuts import get_object_or_404

from vnemis.accounts.models import Viewer
from vnemis.digital.models import DigitalProfile, DigitalProfileQuerySet, SelfAssessment
from vnemis.organisations.choices import OrgUnitKind
from vnemis.organisations.models import OrgUnit, OrgUnitQuerySet, SchoolYear
from vnemis.organisations.scope import user_scope


def profile_units_for_user(*, user: Viewer, write: bool = False) -> OrgUnitQuerySet:
    scope = user_scope(user)
    units = scope.units("write_paths" if write else "paths")
    return units.filter(kind__in=[OrgUnitKind.SCHOOL, OrgUnitKind.SITE])


def profile_unit_get_for_user(*, user: Viewer, code: str, write: bool = False) -> OrgUnit:
    return get_object_or_404(profile_units_for_user(user=user, write=write), code=code)


def profiles_for_user(*, user: Viewer) -> DigitalProfileQuerySet:
    units = profile_units_for_user(user=user)
    return DigitalProfile.objects.filter(Q(unit__in=units.values("id")))


def assessment_schools_for_user(*, user: Viewer, write: bool = False) -> OrgUnitQuerySet:
    """Schools whose self-assessment the user may read (officers and principals of their
    subtree), or fill in and submit (``write``: the principal, the Sở's administrator)."""
    return profile_units_for_user(user=user, write=write).filter(kind=OrgUnitKind.SCHOOL)


def review_schools_for_user(*, user: Viewer) -> OrgUnitQuerySet:
    """Schools whose self-assessment the user may review as the office above them: an officer
    whose unit lies above the school (the Phòng or commune, the Sở). A role on the school
    itself does not count, so a principal never approves their own school."""
    return user_scope(user).units_below("paths").filter(kind=OrgUnitKind.SCHOOL)


def self_assessment_get_for_user(
    *, user: Viewer, code: str, year: SchoolYear, write: bool = False, review: bool = False
) -> SelfAssessment:
    """The school's assessment of ``year``, if the user may read it (or write or review it)."""
    if review:
        schools = review_schools_for_user(user=user)
    else:
        schools = assessment_schools_for_user(user=user, write=write)
    school = get_object_or_404(schools, code=code)
    return get_object_or_404(
        SelfAssessment.objects.select_related("school", "school_year"),
        school=school,
        school_year=year,
    )
