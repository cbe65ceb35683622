"""Benchmark: the streamed XLSX writer (vnemis.core.spreadsheet) against openpyxl.

Usage: python bench/xlsx.py [--rows 100000]

Writes the same rows (9 cells: codes, names, numbers, a decimal, a date, an empty cell) with
openpyxl's write-only mode, the baseline, and with vnemis's writer, in the same run; prints
the seconds, cells per second and the ratio. A province's figures are 13.000 rows of 9 cells;
its students 280.000 rows of 11.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import platform
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import Workbook  # noqa: E402
from openpyxl.cell import WriteOnlyCell  # noqa: E402

from vnemis.core.spreadsheet import XlsxWriter  # noqa: E402


def rows(n: int) -> list[list[object]]:
    day = dt.date(2013, 5, 2)
    return [
        [
            f"100{i:07d}",
            "Giàng",
            "A",
            "Páo",
            day,
            "Nam",
            "10082001",
            "Trường Tiểu học Bát Xát",
            3,
            Decimal("12.5"),
            None,
        ]
        for i in range(n)
    ]


def with_openpyxl(data: list[list[object]]) -> float:
    began = time.perf_counter()
    book = Workbook(write_only=True)
    sheet = book.create_sheet("x")
    for row in data:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, dt.date):
                cell.number_format = "dd/mm/yyyy"
            cells.append(cell)
        sheet.append(cells)
    book.save(io.BytesIO())
    return time.perf_counter() - began


def with_vnemis(data: list[list[object]]) -> float:
    began = time.perf_counter()
    with XlsxWriter(io.BytesIO(), sheet="x", headers=[str(i) for i in range(11)]) as writer:
        writer.write_rows(data)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    data = rows(args.rows)
    cells = args.rows * 11
    print(f"{platform.node()} · Python {platform.python_version()} · {args.rows:,} rows × 11")
    baseline = with_openpyxl(data)
    ours = with_vnemis(data)
    print(f"openpyxl write-only: {baseline:6.2f} s  {cells / baseline:12,.0f} cells/s")
    print(f"vnemis XlsxWriter:   {ours:6.2f} s  {cells / ours:12,.0f} cells/s")
    print(f"ratio (openpyxl / vnemis): {baseline / ours:.1f}×")


if __name__ == "__main__":
    main()
