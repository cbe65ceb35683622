"""Who may issue and see API tokens, and the scope a token acts with.

Tokens are issued by the Department's administrators (and superusers) for units of their write
scope; a principal may change records of his school but not hand that right to a program.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from vnemis.accounts.choices import Role
from vnemis.accounts.models import User, Viewer
from vnemis.api.models import ApiToken
from vnemis.organisations.models import OrgPlacement, OrgUnit, OrgUnitQuerySet
from vnemis.organisations.scope import Scope, scope_assume, user_scope


def token_units_for_user(*, user: Viewer) -> OrgUnitQuerySet:
    """Units a user may issue tokens for: the write scope of an administrator of the Sở."""
    scope = user_scope(user)
    if not (scope.is_superuser or scope.has_role(Role.DEPARTMENT_ADMIN)):
        return OrgUnit.objects.none()
    return OrgUnit.objects.under_paths(scope.write_paths)


def tokens_for_user(*, user: Viewer) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(unit__in=token_units_for_user(user=user).values("pk"))


def token_get_for_user(*, user: Viewer, pk: int) -> ApiToken:
    # 404, not 403: an administrator must not learn which tokens exist outside his scope.
    return get_object_or_404(tokens_for_user(user=user).select_related("unit"), pk=pk)


def token_scope(*, token: ApiToken) -> Scope:
    """What a token reaches: its unit's subtree in every tree version, like an officer of the
    unit (personal data masked); writes there only if it holds a write scope."""
    paths = tuple(
        sorted(OrgPlacement.objects.filter(unit_id=token.unit_id).values_list("path", flat=True))
    )
    return Scope(
        paths=paths,
        write_paths=paths if token.can_write else (),
        roles=frozenset({Role.DISTRICT_OFFICER}),
    )


def token_principal(*, token: ApiToken) -> User | None:
    """The user a token's requests act as: its issuer, with the token's scope in place of his
    own, so that every access function answers for the token. None when the issuer may no
    longer issue it (account disabled, role or unit gone): the token stops with his right."""
    issuer = User.objects.filter(pk=token.created_by_id, is_active=True).first()
    if issuer is None or not token_units_for_user(user=issuer).filter(pk=token.unit_id).exists():
        return None
    # A fresh object per request: user_scope() returns the scope cached on it.
    scope_assume(user=issuer, scope=token_scope(token=token))
    return issuer
