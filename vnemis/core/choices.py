from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditVerb(models.TextChoices):
    CREATED = "created", _("created")
    UPDATED = "updated", _("updated")
    DELETED = "deleted", _("deleted")
    VIEWED = "viewed", _("viewed full record")
    EXPORTED = "exported", _("exported")
    # A file that may hold personal data was downloaded (an import's error report, evidence).
    DOWNLOADED = "downloaded", _("downloaded")
    # A list of personal records was shown (one entry per page of the Django admin's lists).
    LISTED = "listed", _("viewed a list")
    LOGGED_IN = "logged_in", _("logged in")
    LOGIN_FAILED = "login_failed", _("login failed")
    LOCKED_OUT = "locked_out", _("locked out")
    ENROLLMENT_TRANSFERRED = "enrollment_transferred", _("enrollment transferred")
    ENROLLMENT_PROMOTED = "enrollment_promoted", _("enrollment promoted")
    ENROLLMENT_ENDED = "enrollment_ended", _("enrollment ended")
