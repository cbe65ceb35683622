from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditVerb(models.TextChoices):
    CREATED = "created", _("created")
    UPDATED = "updated", _("updated")
    DELETED = "deleted", _("deleted")
    VIEWED = "viewed", _("viewed full record")
    EXPORTED = "exported", _("exported")
    LOGGED_IN = "logged_in", _("logged in")
    LOGIN_FAILED = "login_failed", _("login failed")
    LOCKED_OUT = "locked_out", _("locked out")
    ENROLLMENT_TRANSFERRED = "enrollment_transferred", _("enrollment transferred")
    ENROLLMENT_PROMOTED = "enrollment_promoted", _("enrollment promoted")
    ENROLLMENT_ENDED = "enrollment_ended", _("enrollment ended")
