"""The acceptance figures of the issue, on the whole synthetic province (about 30 s)."""

from __future__ import annotations

import io
import json
import subprocess
import sys

from django.core.management import call_command
from django.test import TestCase

from vnemis.demo.loader import LoadResult, demo_load


class FullProvinceTests(TestCase):
    result: LoadResult

    @classmethod
    def setUpTestData(cls) -> None:
        cls.result = demo_load(seed=2022, scale=1.0)

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
