"""Concurrent creations on PostgreSQL each get their own code, with no error."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import TransactionTestCase

from vnemis.core.models import CodeSequence
from vnemis.organisations import services as org_services
from vnemis.organisations.models import OrgUnit
from vnemis.people import services
from vnemis.people.models import Person

pytestmark = pytest.mark.postgres

WRITERS = 8


def _person(given: str) -> Person:
    return services.person_create(by=None, family_name="Vừ", given_name=given, sex="F")


def _run_together(work: Callable[[int], str]) -> tuple[list[str], list[BaseException]]:
    """Run ``work(i)`` in WRITERS threads released at the same moment, each on its own
    connection and in its own transaction (the services are atomic)."""
    start = threading.Barrier(WRITERS)
    codes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def writer(i: int) -> None:
        try:
            start.wait()
            code = work(i)
            with lock:
                codes.append(code)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return codes, errors


class ConcurrentCodeTests(TransactionTestCase):
    def test_students_created_at_the_same_moment_get_distinct_codes(self) -> None:
        """Reading the largest code and adding one gave two writers the same code and the
        second an IntegrityError. Here even the sequence's first use is concurrent."""
        people = [_person(f"Con{i}") for i in range(WRITERS)]

        def work(i: int) -> str:
            return services.student_create(person=people[i], by=None, province_code="10").code

        codes, errors = _run_together(work)
        self.assertEqual(errors, [])
        self.assertEqual(sorted(codes), [f"10{n:08d}" for n in range(1, WRITERS + 1)])
        self.assertEqual(CodeSequence.objects.get(family="student", scope="10").last_value, 8)

    def test_staff_created_at_the_same_moment_get_distinct_codes(self) -> None:
        school: OrgUnit = org_services.orgunit_create(
            kind="school", code="10082001", name="Trường Tiểu học Bát Xát", by=None
        )
        people = [_person(f"Cô{i}") for i in range(WRITERS)]
        # One code issued before: the writers all start from an existing row.
        services.staff_create(person=_person("Đầu"), org_unit=school, position="giao_vien", by=None)

        def work(i: int) -> str:
            return services.staff_create(
                person=people[i], org_unit=school, position="giao_vien", by=None
            ).code

        codes, errors = _run_together(work)
        self.assertEqual(errors, [])
        self.assertEqual(sorted(codes), [f"CB{n:07d}" for n in range(2, WRITERS + 2)])
