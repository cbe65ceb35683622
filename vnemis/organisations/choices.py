from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgUnitKind(models.TextChoices):
    """Kinds of unit in the tree; these names are also used by the CLI and the API."""

    DEPARTMENT = "department", _("Department of Education and Training")
    DISTRICT_OFFICE = "district_office", _("District Office of Education and Training")
    COMMUNE = "commune", _("Commune")
    SCHOOL = "school", _("School")
    SITE = "site", _("School site")


class SchoolLevel(models.TextChoices):
    """Levels of the national education system (Luật Giáo dục 2019)."""

    PRESCHOOL = "mn", _("Preschool")
    PRIMARY = "th", _("Primary")
    LOWER_SECONDARY = "thcs", _("Lower secondary")
    UPPER_SECONDARY = "thpt", _("Upper secondary")
    CONTINUING = "gdtx", _("Continuing education")


# General education as counted in the sector's student totals: everything but preschool.
GENERAL_LEVELS = (
    SchoolLevel.PRIMARY,
    SchoolLevel.LOWER_SECONDARY,
    SchoolLevel.UPPER_SECONDARY,
    SchoolLevel.CONTINUING,
)

# Grades taught at each level; preschool age groups are stored as grade 0.
LEVEL_GRADES: dict[str, tuple[int, ...]] = {
    SchoolLevel.PRESCHOOL: (0,),
    SchoolLevel.PRIMARY: (1, 2, 3, 4, 5),
    SchoolLevel.LOWER_SECONDARY: (6, 7, 8, 9),
    SchoolLevel.UPPER_SECONDARY: (10, 11, 12),
    SchoolLevel.CONTINUING: (10, 11, 12),
}


class Ownership(models.TextChoices):
    """Ownership types of Luật Giáo dục 2019, Art. 47."""

    PUBLIC = "cong_lap", _("Public")
    COMMUNITY = "dan_lap", _("Community-founded (preschool only)")
    PRIVATE = "tu_thuc", _("Private")
    PRIVATE_NONPROFIT = "tu_thuc_khong_loi_nhuan", _("Private not-for-profit")


class GroupSetCode(models.TextChoices):
    """Dimensions along which units are grouped (DHIS2's organisation-unit group sets)."""

    LEVEL = "level", _("School level")
    SCHOOL_TYPE = "school_type", _("School type")
    AREA = "area", _("Disadvantaged area")


class LinkKind(models.TextChoices):
    """How a unit of one tree version relates to a unit of another."""

    SUCCEEDED_BY = "succeeded_by", _("succeeded by")
    MERGED_INTO = "merged_into", _("merged into")
    SPLIT_INTO = "split_into", _("split into")
