"""``PersonaTestCase``: one small province per test class and a permission-matrix assertion."""

from __future__ import annotations

from typing import Any, ClassVar

from django.test import TestCase

from vnemis.testing.world import World, build_world


class PersonaTestCase(TestCase):
    world: ClassVar[World]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = build_world()

    def get_as(self, persona: str | None, url: str) -> Any:
        self.client.logout()
        if persona is not None:
            self.client.force_login(self.world.users[persona])
        return self.client.get(url)

    def assert_matrix(self, url: str, matrix: dict[str | None, int]) -> None:
        """Every persona gets the status the matrix gives; None is the anonymous visitor."""
        seen = {persona: self.get_as(persona, url).status_code for persona in matrix}
        self.assertEqual(seen, matrix, f"permission matrix of {url}")
