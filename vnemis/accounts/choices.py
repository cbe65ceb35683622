from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Roles a user holds on an org unit; each covers the unit's whole subtree."""

    DEPARTMENT_ADMIN = "department_admin", _("Department administrator")
    DEPARTMENT_OFFICER = "department_officer", _("Department officer")
    DISTRICT_OFFICER = "district_officer", _("District or commune officer")
    PRINCIPAL = "principal", _("Principal")
    TEACHER = "teacher", _("Teacher")
    PARENT = "parent", _("Parent")
    STUDENT = "student", _("Student")


# Roles that see every record in their unit's subtree.
OFFICER_ROLES = frozenset(
    {Role.DEPARTMENT_ADMIN, Role.DEPARTMENT_OFFICER, Role.DISTRICT_OFFICER, Role.PRINCIPAL}
)
# Roles whose work needs unmasked national ID numbers, phones and addresses of their subtree.
UNMASKED_ROLES = frozenset({Role.DEPARTMENT_ADMIN, Role.PRINCIPAL})
# Roles that may change records in their subtree.
WRITE_ROLES = frozenset({Role.DEPARTMENT_ADMIN, Role.PRINCIPAL})
