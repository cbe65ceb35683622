"""``vnemis learning evaluate``: the calculator's contract on the command line (no database)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from vnemis.learning.tests.test_regime_tt22 import CONTRACT_INPUT

# Pure rules: engine-independent, run once (the SQLite pass).
pytestmark = pytest.mark.one_pass


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("learning", "evaluate", *args, stdout=out)
    return out.getvalue()


def write(tmp_path: Path, data: Any) -> str:
    path = tmp_path / "input.json"
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_json_output_is_the_contract(tmp_path: Path) -> None:
    """--json prints the contract's output; averages are JSON numbers with one decimal."""
    text = run("--input", write(tmp_path, CONTRACT_INPUT), "--json")
    assert '"terms": [\n        7.8,\n        8.4\n      ]' in text
    assert '"year": 8.2' in text
    result = json.loads(text)
    reasons = result.pop("reasons")
    assert result == {
        "regime": "tt22",
        "subjects": {
            "toan": {"terms": [7.8, 8.4], "year": 8.2},
            "gdtc": {"terms": ["dat", "chua_dat"], "year": "chua_dat"},
        },
        "learning": {"terms": ["chua_dat", "chua_dat"], "year": "chua_dat"},
        "conduct": {"year": "kha"},
        "award": None,
        "promotion": "kiem_tra_lai",
    }
    assert "Toán" in reasons[0]  # UTF-8 kept, not \\u escapes
    assert "\\u" not in text


def test_whole_numbers_keep_one_decimal(tmp_path: Path) -> None:
    """An average of exactly 9 prints as 9.0."""
    data = json.loads(json.dumps(CONTRACT_INPUT))
    for term in data["subjects"][0]["terms"]:
        term.update({"regular": [9, 9, 9, 9], "midterm": 9, "final": 9})
    assert '"year": 9.0' in run("--input", write(tmp_path, data), "--json")


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    """--input - reads the JSON from standard input."""
    raw = json.dumps(CONTRACT_INPUT, ensure_ascii=False).encode("utf-8")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8"))
    assert json.loads(run("--input", "-", "--json"))["promotion"] == "kiem_tra_lai"


def test_readable_summary(tmp_path: Path) -> None:
    """Without --json: subject names, Vietnamese decimal commas and the reasons."""
    text = run("--input", write(tmp_path, CONTRACT_INPUT))
    assert "Thông tư 22/2021/TT-BGDĐT (tt22)" in text
    assert "Toán: " in text and "7,8" in text and "8,2" in text
    assert "Giáo dục thể chất: " in text
    assert "ĐTBmcn 8,2" in text


def test_summary_of_tt58(tmp_path: Path) -> None:
    """The summary also prints a TT58 result (averages and hạnh kiểm)."""
    data = {
        "regime": "tt58",
        "grade": 9,
        "subjects": [
            {
                "code": "toan",
                "mode": "score",
                "terms": [{"regular": [7, 8], "midterm": 8, "final": 9}],
            }
        ],
        "conduct": ["tot"],
    }
    text = run("--input", write(tmp_path, data))
    assert "(tt58)" in text and "Toán: " in text and "8,3" in text


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        # The command speaks Vietnamese, the site's language: "dòng 1" is "line 1".
        ('{"regime": "tt22", ', "dòng 1"),
        ("[1, 2]", "đối tượng JSON"),
        (
            '{"regime": "tt22", "grade": 7, "subjects": [{"code": "toan", "mode": "score", '
            '"terms": [{"midterm": NaN}]}]}',
            "NaN",
        ),
        ('{"regime": "tt99"}', "tt99"),
    ],
)
def test_bad_input_exits_2(tmp_path: Path, content: str, fragment: str) -> None:
    """Malformed JSON, a non-object, NaN or an unknown regime: CommandError with code 2."""
    with pytest.raises(CommandError) as error:
        run("--input", write(tmp_path, content))
    assert error.value.returncode == 2
    assert fragment in str(error.value)


def test_not_utf8(tmp_path: Path) -> None:
    """A Latin-1 file is refused as not UTF-8."""
    path = tmp_path / "latin.json"
    path.write_bytes('{"regime": "tt22", "x": "Toán"}'.encode("latin-1"))
    with pytest.raises(CommandError) as error:
        run("--input", str(path))
    assert error.value.returncode == 2 and "UTF-8" in str(error.value)


def test_missing_file(tmp_path: Path) -> None:
    """A file that does not exist: code 2, naming the path."""
    with pytest.raises(CommandError) as error:
        run("--input", str(tmp_path / "none.json"))
    assert error.value.returncode == 2 and "none.json" in str(error.value)


def test_exit_code_and_stderr(tmp_path: Path) -> None:
    """The real process: a regular-score count mismatch exits 2, names Toán on stderr, and
    prints nothing on stdout; a valid input exits 0."""
    data = json.loads(json.dumps(CONTRACT_INPUT))
    data["subjects"][0]["terms"][0]["regular"] = [8, 7.5, 9]
    manage = Path(settings.BASE_DIR) / "manage.py"
    command = [sys.executable, str(manage), "learning", "evaluate", "--json", "--input"]
    done = subprocess.run(
        [*command, write(tmp_path, data)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert "Toán" in done.stderr and "140" in done.stderr
    assert done.stdout == ""
    done = subprocess.run(
        [*command, write(tmp_path, CONTRACT_INPUT)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["subjects"]["toan"]["year"] == 8.2
