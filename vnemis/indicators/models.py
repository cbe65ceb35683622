"""Data elements, indicators, targets and the analytics table of element values.

An indicator is declared, not coded: numerator and denominator name data elements (with an
optional category), a factor and a unit. Element values are precomputed per org unit and
period; an indicator's value is read from them, numerator and denominator summed separately
over the subtree and divided last.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from vnemis.core.models import BaseModel
from vnemis.indicators.choices import Aggregation, Direction, ElementKind


class DataElement(BaseModel):
    """Something counted (schools with a website) or reported (share of dossiers online).

    A derived element's ``code`` names its counting function in ``indicators.elements``;
    its values may be split by ``category`` (for schools: the single level they teach).
    """

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=10, choices=ElementKind.choices)
    aggregation = models.CharField(
        _("aggregation"), max_length=8, choices=Aggregation.choices, default=Aggregation.SUM
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("data element")
        verbose_name_plural = _("data elements")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class IndicatorQuerySet(models.QuerySet["Indicator"]):
    def valid_on(self, day: dt.date) -> IndicatorQuerySet:
        """Indicators in force on ``day`` (a circular's indicator applies from its date)."""
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )


class Indicator(BaseModel):
    """A figure officers follow: numerator / denominator × factor, with its legal source."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    # The official Vietnamese wording, as the texts and reports print it, and an English name.
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    numerator = models.ForeignKey(
        DataElement, verbose_name=_("numerator"), on_delete=models.PROTECT, related_name="+"
    )
    numerator_category = models.CharField(_("numerator category"), max_length=32, blank=True)
    denominator = models.ForeignKey(
        DataElement,
        verbose_name=_("denominator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    denominator_category = models.CharField(_("denominator category"), max_length=32, blank=True)
    factor = models.PositiveIntegerField(_("factor"), default=100)
    unit = models.CharField(_("unit"), max_length=16, default="%")
    decimals = models.PositiveSmallIntegerField(_("decimals"), default=1)
    direction = models.CharField(
        _("direction"), max_length=4, choices=Direction.choices, default=Direction.HIGHER_IS_BETTER
    )
    legal_source = models.CharField(_("legal source"), max_length=255, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    def display_name(self) -> str:
        """The name in the active UI language."""
        return self.name_en if get_language() == "en" and self.name_en else self.name


class ElementValue(models.Model):
    """The analytics table: an element's value for an org unit, period and category.

    Rebuilt for a period by ``services.element_values_refresh`` and kept up to date for the
    schools whose records change; dashboards and reports read only this table.
    """

    element = models.ForeignKey(DataElement, on_delete=models.CASCADE, related_name="values")
    period = models.CharField(max_length=12)
    unit = models.ForeignKey(
        "organisations.OrgUnit", on_delete=models.CASCADE, related_name="element_values"
    )
    category = models.CharField(max_length=32, blank=True)
    value = models.DecimalField(max_digits=20, decimal_places=4)
    # The unit's own records, before its subtree is added (a Phòng's own staff, say).
    own = models.DecimalField(max_digits=20, decimal_places=4, default=0)

    class Meta:
        verbose_name = _("element value")
        verbose_name_plural = _("element values")
        constraints = [
            models.UniqueConstraint(
                fields=["element", "period", "unit", "category"], name="elementvalue_unique"
            ),
        ]
        indexes = [models.Index(fields=["period", "unit"], name="elementvalue_period_idx")]

    def __str__(self) -> str:
        return f"{self.element.code} {self.period} {self.unit_id} {self.category}: {self.value}"


class ReportedValue(BaseModel):
    """A value entered for a reported element, org unit and period (form or import)."""

    element = models.ForeignKey(
        DataElement,
        verbose_name=_("data element"),
        on_delete=models.PROTECT,
        related_name="reported_values",
        limit_choices_to={"kind": ElementKind.REPORTED},
    )
    period = models.CharField(_("period"), max_length=12)
    unit = models.ForeignKey(
        "organisations.OrgUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("reported value")
        verbose_name_plural = _("reported values")
        ordering = ["period", "element"]
        constraints = [
            models.UniqueConstraint(
                fields=["element", "period", "unit"], name="reportedvalue_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.element.code} {self.period}: {self.value}"


class Target(BaseModel):
    """The value an indicator should reach for an org unit by the end of a period."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="targets"
    )
    period = models.CharField(_("period"), max_length=12)
    unit = models.ForeignKey(
        "organisations.OrgUnit",
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    value = models.DecimalField(_("target"), max_digits=12, decimal_places=2)
    is_minimum = models.BooleanField(
        _("at least"), default=True, help_text=_("The target is a floor (at least this value).")
    )

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["period", "indicator"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period", "unit"], name="target_unique"),
            models.CheckConstraint(condition=Q(value__gte=0), name="target_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period}: {self.value}"
