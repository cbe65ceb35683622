from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TokenScope(models.TextChoices):
    """What an API token may do. A read scope opens the reads of one area; a write scope one
    kind of write. The unit the token was issued for bounds every one of them."""

    READ_ORGS = "read:orgs", _("Read org units, schools, sites and classes")
    READ_PEOPLE = "read:people", _("Read students, staff and enrolments (masked)")
    READ_INDICATORS = "read:indicators", _("Read indicator values and DHIS2 exports")
    READ_PLANS = "read:plans", _("Read plan tasks")
    READ_IMPORTS = "read:imports", _("Read import jobs")
    READ_LEARNING = "read:learning", _("Read learning results and transcript records")
    WRITE_DIGITAL = "write:digital", _("Record digital-transformation profiles")
    WRITE_INDICATORS = "write:indicators", _("Enter reported values")
    WRITE_IMPORTS = "write:imports", _("Upload import files")


WRITE_SCOPES = frozenset(
    {TokenScope.WRITE_DIGITAL, TokenScope.WRITE_INDICATORS, TokenScope.WRITE_IMPORTS}
)
