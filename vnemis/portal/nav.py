"""The main menu: the pages a user's roles can use, and only those.

Each entry names the capability it needs, read from the user's scope. The pages check access
themselves; the menu's job is not to offer a page that would answer 404 or show an empty list.
The link walk (``vnemis/testing/tests/test_link_walk.py``) follows every link of every
persona's pages and fails on any 4xx or 5xx.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from vnemis.accounts.choices import Role
from vnemis.accounts.models import Viewer
from vnemis.organisations.scope import Scope, user_scope


def _officer(scope: Scope) -> bool:
    return scope.is_officer


def _above_school(scope: Scope) -> bool:
    """Officers of an office (Sở, Phòng, commune): the province-wide tools."""
    return scope.has_role(Role.DEPARTMENT_ADMIN, Role.DEPARTMENT_OFFICER, Role.DISTRICT_OFFICER)


def _writer(scope: Scope) -> bool:
    return bool(scope.write_paths)


def _staff_pages(scope: Scope) -> bool:
    """Officers, principals and teachers: the school, class and staff pages."""
    return scope.is_officer or bool(scope.teacher_paths)


def _learning(scope: Scope) -> bool:
    """Staff open gradebooks; a family opens its children's results."""
    return _staff_pages(scope) or scope.has_role(Role.PARENT, Role.STUDENT)


def _token_issuer(scope: Scope) -> bool:
    """The Department's administrators issue API tokens for vendors' software."""
    return scope.has_role(Role.DEPARTMENT_ADMIN)


@dataclass(frozen=True)
class MenuEntry:
    url_name: str
    label: Promise | str
    shown: Callable[[Scope], bool]


@dataclass(frozen=True)
class MenuLink:
    url: str
    label: Promise | str
    active: bool


# In the order of the bar. Entries whose URL is not installed are skipped, so an app can be
# left out of a deployment without editing this list.
MENU: tuple[MenuEntry, ...] = (
    MenuEntry("portal:home", _("Home"), lambda scope: True),
    MenuEntry("indicators:dashboard", _("Operations centre"), _officer),
    MenuEntry("reports:report_list", _("Reports"), _officer),
    MenuEntry("plans:programme_list", _("Plan tasks"), _officer),
    MenuEntry("digital:self_assessment_status", _("DX self-assessment (QĐ 4725)"), _officer),
    MenuEntry("imports:import_list", _("Imports"), _writer),
    MenuEntry("people:data_quality", _("Data quality"), _officer),
    MenuEntry("organisations:orgunit_tree", _("Organisation tree"), _above_school),
    MenuEntry("organisations:school_list", _("Schools"), _officer),
    MenuEntry("people:student_list", _("Students"), _staff_pages),
    MenuEntry("learning:home", _("Learning results"), _learning),
    MenuEntry("people:staff_list", _("Staff"), _officer),
    MenuEntry("exports:export_list", _("My exports"), _staff_pages),
    MenuEntry("api:token_list", _("API tokens"), _token_issuer),
    MenuEntry("api:documentation", _("API documentation"), _above_school),
)


def menu_for(user: Viewer, *, current_path: str = "") -> list[MenuLink]:
    """The menu links of ``user``, the one for ``current_path`` marked active."""
    scope = user_scope(user)
    links: list[MenuLink] = []
    for entry in MENU:
        if not entry.shown(scope):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        home = url == "/"
        active = current_path == url if home else current_path.startswith(url)
        links.append(MenuLink(url, entry.label, active))
    if getattr(user, "is_staff", False):
        url = reverse("admin:index")
        links.append(MenuLink(url, _("Administration"), current_path.startswith(url)))
    return links
