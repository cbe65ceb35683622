"""The menu offers each role the pages it can use, and only those."""

from __future__ import annotations

from django.urls import reverse

from vnemis.accounts.models import User
from vnemis.portal.nav import menu_for
from vnemis.testing.personas import PersonaTestCase


class MenuTests(PersonaTestCase):
    def urls(self, persona: str) -> list[str]:
        return [link.url for link in menu_for(self.world.users[persona])]

    def test_imports_are_offered_to_writers_only(self) -> None:
        """The "Nhập dữ liệu" page answers 404 to officers who cannot import: they are not
        offered it; principals and the Department's administrator are."""
        imports = reverse("imports:import_list")
        for persona in ("department_admin", "principal_a"):
            self.assertIn(imports, self.urls(persona), persona)
        for persona in ("province_officer", "batxat_officer", "commune_officer", "teacher_a"):
            self.assertNotIn(imports, self.urls(persona), persona)

    def test_families_see_home_and_results_only(self) -> None:
        """Parents and students have their records on the home page and their results under
        "Kết quả học tập"; lists of schools, the tree and the staff would be empty for them."""
        for persona in ("parent_a", "student_a"):
            self.assertEqual(
                self.urls(persona), [reverse("portal:home"), reverse("learning:home")], persona
            )
        self.assertEqual(self.urls("nobody"), [reverse("portal:home")])

    def test_teachers_see_their_students(self) -> None:
        self.assertEqual(
            self.urls("teacher_a"),
            [
                reverse("portal:home"),
                reverse("people:student_list"),
                reverse("learning:home"),
                reverse("exports:export_list"),
            ],
        )

    def test_the_current_page_is_marked(self) -> None:
        links = menu_for(self.world.users["batxat_officer"], current_path="/students/123/")
        active = [link.url for link in links if link.active]
        self.assertEqual(active, [reverse("people:student_list")])

    def test_the_menu_is_rendered_from_the_roles(self) -> None:
        response = self.get_as("batxat_officer", reverse("portal:home"))
        self.assertContains(response, f'href="{reverse("indicators:dashboard")}"')
        self.assertNotContains(response, f'href="{reverse("imports:import_list")}"')


class NameOrderTests(PersonaTestCase):
    def test_the_top_bar_shows_names_in_vietnamese_order(self) -> None:
        """Family and middle names first, the given name last: "Tập Bảo Giáng"."""
        user = User(username="x", last_name="Tập Bảo", first_name="Giáng")
        self.assertEqual(str(user), "Tập Bảo Giáng")
        self.assertEqual(user.get_short_name(), "Giáng")
        self.assertEqual(str(User(username="only.login")), "only.login")
