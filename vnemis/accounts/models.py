"""Users and their roles on org units."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from vnemis.accounts.choices import Role
from vnemis.core.models import BaseModel


class User(AbstractUser):
    """A person who logs in. What they see comes from their role assignments.

    ``failed_logins`` counts consecutive failures; at the threshold the account is locked
    until ``locked_until``.
    """

    failed_logins = models.PositiveSmallIntegerField(_("failed logins in a row"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")  # type: ignore[assignment]  # stubs type it as str
        verbose_name_plural = _("users")  # type: ignore[assignment]
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        """The name in Vietnamese order: family and middle names (``last_name``), then the
        given name (``first_name``): "Tập Bảo Giáng", not Django's "Giáng Tập Bảo"."""
        return " ".join(p for p in (self.last_name.strip(), self.first_name.strip()) if p)

    def get_short_name(self) -> str:
        return self.first_name.strip() or self.username


class RoleAssignment(BaseModel):
    """A role held by a user on an org unit, covering the unit's subtree.

    Teachers, parents and students hold theirs on the school; what they see inside it is
    narrowed further by their classes or children (see ``people.access``).
    """

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    org_unit = models.ForeignKey(
        "organisations.OrgUnit",
        verbose_name=_("organisation unit"),
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ["user", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "org_unit"], name="roleassignment_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.org_unit}"


# Whoever sends a request: a signed-in user or the anonymous visitor (``request.user``). The
# permission-checked reads (``access.py``) take it and see nothing for the anonymous one.
Viewer = User | AnonymousUser


def signed_in(user: Viewer | None) -> User | None:
    """``user`` when a signed-in user, else None (the anonymous visitor, no user at all)."""
    if isinstance(user, User) and user.is_authenticated:
        return user
    return None
