"""``vnemis learning evaluate --input FILE.json [--json]``: the results calculator.

Evaluates one student-year with the same regime functions as the gradebook, so officers and
parents can check a result by hand. The input and output formats are a contract:
``docs/modules/learning-calculator.md``. ``--input -`` reads standard input. An input the
regime cannot evaluate exits with code 2 and says why on standard error.
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from vnemis.learning.regimes import REGIMES, evaluate_json, json_ready
from vnemis.learning.regimes.base import RegimeInputError, decimal_text
from vnemis.learning.regimes.catalogue import subject_name

# The exit code of an input the calculator refuses (argparse also uses 2 for bad usage).
INPUT_ERROR = 2


def _refuse(message: str) -> NoReturn:
    raise CommandError(message, returncode=INPUT_ERROR)


def _no_constant(name: str) -> NoReturn:
    _refuse(_("The input is not valid JSON: {name} is not a number.").format(name=name))


def read_input(path: str) -> Any:
    """The JSON document at ``path`` (``-``: standard input), numbers read as ``Decimal``."""
    shown = _("standard input") if path == "-" else path
    try:
        if path == "-":
            raw = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
        else:
            with open(path, "rb") as handle:
                raw = handle.read()
    except OSError as exc:
        _refuse(_("Cannot read {path}: {error}.").format(path=path, error=exc.strerror or exc))
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        _refuse(_("{path} is not UTF-8 text; save it as UTF-8 JSON.").format(path=shown))
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        _refuse(
            _("{path} is not valid JSON (line {line}, column {column}): {error}.").format(
                path=shown, line=exc.lineno, column=exc.colno, error=exc.msg
            )
        )


def code_label(code: str) -> str:
    """A result code as the học bạ writes it; a code without a label is shown as it is."""
    labels = {
        "tot": _("Good"),
        "kha": _("Fair"),
        "dat": _("Pass"),
        "chua_dat": _("Not yet passed"),
        "gioi": _("Very good"),
        "trung_binh": _("Average"),
        "yeu": _("Weak"),
        "kem": _("Poor"),
        "xuat_sac": _("Excellent student"),
        "tien_tien": _("Advanced student"),
        "len_lop": _("moves up to the next grade"),
        "kiem_tra_lai": _("summer re-tests"),
        "ren_luyen_he": _("summer conduct training"),
        "o_lai_lop": _("repeats the grade"),
    }
    return labels.get(code, code)


def value_text(value: Any) -> str:
    if value is None:
        return _("not known yet")
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str):
        return code_label(value)
    if isinstance(value, list):
        return ", ".join(value_text(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key} {value_text(item)}" for key, item in value.items())
    return str(value)


def periods_text(value: dict[str, Any]) -> str:
    """``{"terms": [...], "year": ...}`` as "term I …; term II …; year …"."""
    parts = []
    terms = value.get("terms") or []
    for index, item in enumerate(terms):
        label = _("term I") if index == 0 else _("term II")
        parts.append(f"{label} {value_text(item)}")
    if "year" in value:
        parts.append(_("year {value}").format(value=value_text(value["year"])))
    extra = {k: v for k, v in value.items() if k not in ("terms", "year")}
    if extra:
        parts.append(value_text(extra))
    return "; ".join(parts)


def summary_lines(result: dict[str, Any]) -> list[str]:
    """A readable summary of an output JSON, in the UI language."""
    code = result.get("regime", "")
    module = REGIMES.get(code)
    lines = [
        _("Regime: {title} ({code})").format(
            title=module.TITLE if module is not None else code, code=code
        )
    ]
    headings = {
        "learning": _("Learning"),
        "conduct": _("Conduct"),
        "averages": _("All-subject average"),
        "award": _("Award"),
        "promotion": _("Next year"),
        "amended": _("As amended by TT26/2020"),
    }
    for key, value in result.items():
        if key in ("regime", "reasons"):
            continue
        if key == "subjects" and isinstance(value, dict):
            lines.append(_("Subjects:"))
            for subject, item in value.items():
                text = periods_text(item) if isinstance(item, dict) else value_text(item)
                lines.append(f"  {subject_name(subject)}: {text}")
            continue
        heading = headings.get(key, key)
        if isinstance(value, dict) and ("terms" in value or "year" in value):
            text = periods_text(value)
        elif key == "award" and value is None:
            text = _("none")
        else:
            text = value_text(value)
        lines.append(f"{heading}: {text}")
    reasons = result.get("reasons") or []
    if reasons:
        lines.append(_("Why:"))
        lines.extend(f"  - {reason}" for reason in reasons)
    return lines


class Command(BaseCommand):
    help = "Evaluate one student-year under its assessment regime (the results calculator)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        evaluate = sub.add_parser("evaluate", help="evaluate one student-year from a JSON file")
        evaluate.add_argument(
            "--input", required=True, help="the input JSON file (- reads standard input)"
        )
        evaluate.add_argument("--json", action="store_true", help="print the output JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        data = read_input(options["input"])
        try:
            result = evaluate_json(data)
        except RegimeInputError as exc:
            _refuse(str(exc))
        if options["json"]:
            self.stdout.write(json.dumps(json_ready(result), ensure_ascii=False, indent=2))
            return
        for line in summary_lines(result):
            self.stdout.write(line)
