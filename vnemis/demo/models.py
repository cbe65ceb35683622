"""A record of each synthetic data set loaded, so that loading again is a no-op."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from vnemis.core.models import BaseModel


class DemoDataset(BaseModel):
    """A synthetic data set loaded into this database: which one, with which seed and scale.

    A second load with the same parameters finds this row and changes nothing; a load with
    other parameters is refused, since the two would mix.
    """

    name = models.CharField(_("name"), max_length=40, unique=True)
    seed = models.IntegerField(_("seed"))
    scale = models.FloatField(_("scale"))
    counts = models.JSONField(_("counts"), default=dict)
    seconds = models.FloatField(_("load time in seconds"), default=0)

    class Meta:
        verbose_name = _("demo data set")
        verbose_name_plural = _("demo data sets")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} (seed {self.seed}, scale {self.scale:g})"
