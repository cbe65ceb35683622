"""The organisation tree: units, tree versions, placements, groups and school years.

A unit (the Sở, a Phòng, a commune, a school, a school site) exists once. Where it sits in the
hierarchy is a *placement* in a *tree version*: the 2022 tree puts a school under its district
Phòng, the post-2025 tree under its commune. Figures for a period roll up through the version
valid in that period, so 2022 figures still add up by district after the districts are gone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vnemis.core.models import BaseModel
from vnemis.core.text import fold, search_words, words_match
from vnemis.organisations.choices import GroupSetCode, LinkKind, OrgUnitKind, Ownership

# Placement paths are codes joined by dots, prefixed by the tree version: "2022:SGD10.PGD082.".
PATH_SEPARATOR = "."


def paths_q(paths: Iterable[str], field: str = "path", *, strictly: bool = False) -> Q:
    """Placement paths ``field`` lying under one of ``paths`` (the unit itself included, unless
    ``strictly``). No paths match nothing, never everything. The one prefix test of the tree:
    ``Scope`` and ``OrgUnitQuerySet.under_paths`` are built on it."""
    match = Q(pk__in=[])
    for path in paths:
        under = Q(**{f"{field}__startswith": path})
        match |= (under & ~Q(**{field: path})) if strictly else under
    return match


class TreeVersion(BaseModel):
    """One version of the hierarchy, valid for a span of dates (e.g. 2022: Sở → Phòng → school)."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=200)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("tree version")
        verbose_name_plural = _("tree versions")
        ordering = ["valid_from"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def for_date(cls, day: dt.date) -> TreeVersion:
        """The version in force on ``day``."""
        version = (
            cls.objects.filter(valid_from__lte=day)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
            .order_by("-valid_from")
            .first()
        )
        if version is None:
            raise TreeVersion.DoesNotExist(f"No organisation tree is valid on {day.isoformat()}.")
        return version


# The fields an org unit's search key is made of.
_SEARCH_KEY_SOURCES = {"name", "code"}


class OrgUnitQuerySet(models.QuerySet["OrgUnit"]):
    def schools(self) -> OrgUnitQuerySet:
        return self.filter(kind=OrgUnitKind.SCHOOL)

    def sites(self) -> OrgUnitQuerySet:
        return self.filter(kind=OrgUnitKind.SITE)

    def valid_on(self, day: dt.date) -> OrgUnitQuerySet:
        """Units that exist on ``day``."""
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )

    def in_group(self, group_set: str, group: str) -> OrgUnitQuerySet:
        return self.filter(groups__group_set__code=group_set, groups__code=group)

    def under_paths(self, paths: Iterable[str]) -> OrgUnitQuerySet:
        """Units placed, in any tree version, under one of the materialised ``paths``."""
        paths = tuple(paths)
        if not paths:
            return self.none()
        return self.filter(pk__in=OrgPlacement.objects.filter(paths_q(paths)).values("unit_id"))

    def search(self, query: str) -> OrgUnitQuerySet:
        """Units whose name or code holds every word of ``query``, in any order, ignoring
        case and diacritics: "bat xat" and "xát BÁT" find "Trường Tiểu học Bát Xát"."""
        words = search_words(query)
        if not words:
            return self
        return self.filter(words_match("search_key", words))

    # The search key is derived from name and code. Bulk writes bypass save(), so they fill
    # it here; an update() of name or code alone cannot recompute it in SQL and is refused.
    def bulk_create(self, objs: Iterable[OrgUnit], *args: Any, **kwargs: Any) -> list[OrgUnit]:
        objs = list(objs)
        for unit in objs:
            unit.search_key = unit.search_key_compute()
        update_fields = kwargs.get("update_fields")
        if update_fields and _SEARCH_KEY_SOURCES & set(update_fields):
            kwargs["update_fields"] = [*update_fields, "search_key"]
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(
        self, objs: Iterable[OrgUnit], fields: Iterable[str], *args: Any, **kwargs: Any
    ) -> int:
        objs, fields = list(objs), list(fields)
        if _SEARCH_KEY_SOURCES & set(fields):
            for unit in objs:
                unit.search_key = unit.search_key_compute()
            fields = [*fields, "search_key"]
        return super().bulk_update(objs, fields, *args, **kwargs)

    def update(self, **kwargs: Any) -> int:
        if _SEARCH_KEY_SOURCES & kwargs.keys() and "search_key" not in kwargs:
            raise TypeError(
                "update() of an org unit's name or code leaves its search key stale; "
                "save the units (organisations.services.orgunit_update) instead."
            )
        return super().update(**kwargs)


class OrgUnit(BaseModel):
    """A unit of the education sector: the Sở, a Phòng, a commune, a school or a school site.

    ``code`` is vnemis's key and appears in URLs (``/schools/<code>/``); for schools it is the
    MOET school code. ``admin_code`` is the administrative-unit code of the territory the unit
    stands for (province, district or commune), where there is one.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=OrgUnitKind.choices, db_index=True)
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=120, blank=True)
    moet_code = models.CharField(_("MOET code"), max_length=32, blank=True, db_index=True)
    admin_code = models.CharField(_("administrative-unit code"), max_length=10, blank=True)
    ownership = models.CharField(
        _("ownership"), max_length=32, choices=Ownership.choices, blank=True
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    principal_name = models.CharField(_("principal"), max_length=120, blank=True)
    # A school site belongs to a school; the link is part of the unit, not of a tree version.
    school = models.ForeignKey(
        "self",
        verbose_name=_("school"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sites",
        limit_choices_to={"kind": OrgUnitKind.SCHOOL},
    )
    groups: models.ManyToManyField[OrgUnitGroup, Any] = models.ManyToManyField(
        "OrgUnitGroup", verbose_name=_("groups"), blank=True, related_name="units"
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    # Name and code folded (lower-case, no diacritics): "bat xat" finds "Bát Xát". Kept by
    # save() and the queryset's bulk writes; PostgreSQL serves the search from a trigram
    # index made by migration 0005 (not declared here: SQLite cannot build it).
    search_key = models.CharField(_("search key"), max_length=300, editable=False, default="")

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        ordering = ["kind", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="orgunit_valid_range",
            ),
            models.CheckConstraint(
                condition=Q(kind=OrgUnitKind.SITE, school__isnull=False)
                | (~Q(kind=OrgUnitKind.SITE) & Q(school__isnull=True)),
                name="orgunit_site_has_school",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_key = self.search_key_compute()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_key"}
        super().save(*args, **kwargs)

    def search_key_compute(self) -> str:
        """Name and code as the search matches them: "Trường TH Bát Xát 10082001" →
        "truong th bat xat 10082001"."""
        return fold(f"{self.name} {self.code}")

    def clean(self) -> None:
        if self.code and not all(c.isalnum() or c in "-_" for c in self.code):
            raise ValidationError(
                {"code": _("A unit code may contain only letters, digits, '-' and '_'.")}
            )
        if self.kind == OrgUnitKind.SITE and self.school_id is None:
            raise ValidationError({"school": _("A school site must belong to a school.")})

    def level_codes(self) -> list[str]:
        """The school levels this unit teaches (codes such as ``th``), from its level groups."""
        return sorted(
            g.code for g in self.groups.all() if g.group_set.code == GroupSetCode.LEVEL.value
        )


class OrgPlacement(BaseModel):
    """Where a unit sits in one tree version: its parent and its materialised path.

    The path is the version code, a colon, then the codes from the root to the unit, each
    followed by a dot ("2022:SGD10.PGD082.10082001."); the trailing dot keeps a prefix search
    for PGD08 from matching PGD082.
    """

    version = models.ForeignKey(
        TreeVersion,
        verbose_name=_("tree version"),
        on_delete=models.CASCADE,
        related_name="placements",
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="placements"
    )
    parent = models.ForeignKey(
        OrgUnit,
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="child_placements",
    )
    path = models.CharField(_("path"), max_length=400, db_index=True)
    depth = models.PositiveSmallIntegerField(_("depth"))

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["version", "path"]
        constraints = [
            models.UniqueConstraint(fields=["version", "unit"], name="placement_unique_unit"),
            models.UniqueConstraint(fields=["path"], name="placement_unique_path"),
        ]

    def __str__(self) -> str:
        return self.path


class OrgUnitLink(BaseModel):
    """A crosswalk edge between tree versions: this unit was succeeded by / merged into that one."""

    source = models.ForeignKey(
        OrgUnit, verbose_name=_("from"), on_delete=models.CASCADE, related_name="links_out"
    )
    target = models.ForeignKey(
        OrgUnit, verbose_name=_("to"), on_delete=models.CASCADE, related_name="links_in"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=LinkKind.choices)
    on = models.DateField(_("on"))
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("crosswalk link")
        verbose_name_plural = _("crosswalk links")
        ordering = ["on", "source"]
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="link_unique_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.source} → {self.target}"


class OrgUnitGroupSet(BaseModel):
    """A dimension of units, such as school level or ownership (DHIS2's group set)."""

    code = models.CharField(_("code"), max_length=32, unique=True, choices=GroupSetCode.choices)
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        verbose_name = _("group set")
        verbose_name_plural = _("group sets")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class OrgUnitGroup(BaseModel):
    """One value of a dimension (the "tiểu học" level, the PTDTBT type, a KV III area)."""

    group_set = models.ForeignKey(
        OrgUnitGroupSet,
        verbose_name=_("group set"),
        on_delete=models.CASCADE,
        related_name="groups",
    )
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        verbose_name = _("unit group")
        verbose_name_plural = _("unit groups")
        ordering = ["group_set", "code"]
        constraints = [
            models.UniqueConstraint(fields=["group_set", "code"], name="group_unique_code"),
        ]

    def __str__(self) -> str:
        return self.name


class SchoolYear(BaseModel):
    """A school year such as 2021–2022.

    Official counts are taken on fixed dates inside the year, so code that counts students takes
    a date from the year, never today's date.
    """

    code = models.CharField(_("code"), max_length=9, unique=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("school year")
        verbose_name_plural = _("school years")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="schoolyear_dates"
            ),
        ]

    def __str__(self) -> str:
        return self.code.replace("-", "–")

    def clean(self) -> None:
        expected = f"{self.starts_on.year}-{self.starts_on.year + 1}" if self.starts_on else ""
        if self.code and expected and self.code != expected:
            raise ValidationError(
                {
                    "code": _("The code of a year starting in {year} must be {code}.").format(
                        year=self.starts_on.year, code=expected
                    )
                }
            )

    @classmethod
    def for_date(cls, day: dt.date) -> SchoolYear | None:
        return cls.objects.filter(starts_on__lte=day, ends_on__gte=day).first()

    @classmethod
    def current(cls, today: dt.date | None = None) -> SchoolYear | None:
        """The latest year that has started by ``today`` (the local date when not given)."""
        day = today or timezone.localdate()
        started = cls.objects.filter(starts_on__lte=day).order_by("-starts_on").first()
        return started or cls.objects.order_by("starts_on").first()


class StaleUnit(models.Model):
    """The records of ``unit`` changed on or after ``changed_from``: what was derived from them
    (the indicator figures) must be recounted.

    Written by the services that change records, in their own transaction, so a change and
    its mark commit or roll back together. The indicator engine deletes the marks it has
    recounted, in the transaction that stores the new figures; a failed recount leaves them
    for the next attempt (``organisations.stale``).
    """

    unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("unit")
    )
    changed_from = models.DateField(_("changed from"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("unit awaiting a recount")
        verbose_name_plural = _("units awaiting a recount")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.unit_id} ≥ {self.changed_from.isoformat()}"
