"""API tokens: how vendors' software calls the API without a person's session."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vnemis.api.choices import WRITE_SCOPES, TokenScope
from vnemis.core.models import BaseModel


class ApiToken(BaseModel):
    """A secret that lets a program call the API for one org unit's subtree.

    An administrator issues it for a unit and a set of scopes (``TokenScope``). The token
    reads like an officer of that unit (personal data masked) and writes only with a write
    scope. The secret is shown once, when it is made; only its SHA-256 is stored, found by the
    public ``prefix`` that starts the secret. Writes made with it are recorded in the audit log
    under the administrator who issued it, with the token named in the entry's note.
    """

    name = models.CharField(_("name"), max_length=120)
    unit = models.ForeignKey(
        "organisations.OrgUnit",
        verbose_name=_("organisation unit"),
        on_delete=models.PROTECT,
        related_name="api_tokens",
    )
    scopes = models.JSONField(_("scopes"), default=list)
    # The public part of the secret ("vnm_<prefix>_…"), unique, so a lookup finds one row.
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    secret_hash = models.CharField(_("SHA-256 of the secret"), max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issuer"),
        on_delete=models.PROTECT,
        related_name="api_tokens_issued",
    )
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rate_per_minute = models.PositiveIntegerField(_("requests per minute"), default=120)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rate_per_minute__gte=1), name="apitoken_rate_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    def clean(self) -> None:
        scopes: Any = self.scopes
        if not isinstance(scopes, list) or not scopes:
            raise ValidationError({"scopes": _("Choose at least one scope.")})
        unknown = sorted(set(map(str, scopes)) - set(TokenScope.values))
        if unknown:
            raise ValidationError(
                {"scopes": _("Unknown scopes: {scopes}.").format(scopes=", ".join(unknown))}
            )

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def can_write(self) -> bool:
        return bool(WRITE_SCOPES & set(self.scopes))
