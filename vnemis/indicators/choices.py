from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ElementKind(models.TextChoices):
    DERIVED = "derived", _("Derived from records")
    REPORTED = "reported", _("Reported")


class Aggregation(models.TextChoices):
    SUM = "sum", _("Sum over the subtree")
    NONE = "none", _("Only where reported")


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "up", _("Higher is better")
    LOWER_IS_BETTER = "down", _("Lower is better")
