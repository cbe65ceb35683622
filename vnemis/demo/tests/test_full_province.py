"""The acceptance figures of the issue, on the whole synthetic province (about 3 minutes on two
cores: the learning records make most of it)."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import TestCase

from vnemis.demo.loader import LoadResult, demo_load


# The whole province once, on the SQLite pass (the database `make run` uses): about 3 minutes a
# pass. The PostgreSQL pass loads the small demo through the same COPY paths (test_demo.py).
@pytest.mark.one_pass
class FullProvinceTests(TestCase):
    result: LoadResult

    @classmethod
    def setUpTestData(cls) -> None:
        cls.result = demo_load(seed=2022, scale=1.0)
        if connection.vendor == "postgresql":
            # Statistics of the 578.000 new rows, as a server's autovacuum would gather them:
            # on fresh tables the planner guesses and may pick plans that take minutes.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        if connection.vendor == "postgresql":
            # The province was rolled back; its dead rows (and index entries) would slow every
            # later test of the pass until autovacuum came by.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")

    def test_summary_reproduces_the_report(self) -> None:
        out = io.StringIO()
        call_command("summary", "--json", stdout=out)
        summary = json.loads(out.getvalue())
        self.assertEqual(
            (summary["schools"], summary["school_sites"], summary["students"], summary["staff"]),
            (612, 1363, 228_322, 17_559),
        )
        self.assertEqual(summary["preschool_children"], 52_140)
        self.assertEqual(summary["org_units_by_kind"]["district_office"], 9)

    def test_indicators_reproduce_the_report(self) -> None:
        """The golden test: every figure of the 2022H1 report, counted from the records."""
        out = io.StringIO()
        call_command("indicators", "--org", "SGD10", "--period", "2022H1", "--json", stdout=out)
        got = {
            row["code"]: (row["numerator"], row["denominator"], row["value"])
            for row in json.loads(out.getvalue())
        }
        expected = {
            "procedures_online": (100, None, 100),
            "dossiers_online": (100, None, 100),
            "work_records_online": (97, None, 97),
            "cashless_schools": (199, 612, 32.5),
            "e_transcript_students": (168_652, 228_322, 73.9),
            "digital_records_students": (225_404, 228_322, 98.7),
            "contact_book_schools": (168, 612, 27.5),
            "internet_schools": (612, 612, 100),
            "internet_wired_schools": (602, 612, 98.4),
            "internet_mobile_schools": (10, 612, 1.6),
            "sites_wired": (322, 1363, 23.6),
            "sites_mobile": (628, 1363, 46.1),
            "sites_without_internet": (413, 1363, 30.3),
            "website_preschool": (103, 193, 53.4),
            "website_primary": (123, 185, 66.5),
            "website_lower_secondary": (142, 188, 75.5),
            "it_management_schools": (612, 612, 100),
            "basic_ict_schools": (612, 612, 100),
            "schools_in_database": (612, None, 612),
            "student_records_with_results": (225_404, None, 225_404),
            "staff_records": (17_559, None, 17_559),
        }
        self.assertEqual(got, expected)


def test_cli_rejects_bad_arguments() -> None:
    """The console script exits non-zero with a message on bad arguments."""
    run = subprocess.run(
        [sys.executable, "-m", "vnemis.cli", "orgs", "--kind", "bogus"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 2
    assert "invalid choice" in run.stderr
