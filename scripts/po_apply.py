"""Apply translations from a small .po file to the catalogue: fills empty or fuzzy entries.

Usage: python scripts/po_apply.py NEW.po [locale/vi/LC_MESSAGES/django.po]
A developer helper for `make messages`; it never touches entries already translated and
confirmed unless NEW.po names them.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

_LINE = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$')


def _fields(block: str) -> dict[str, str]:
    out: dict[str, str] = {}
    current = ""
    for line in block.splitlines():
        if m := _LINE.match(line):
            current = m[1]
            out[current] = m[2]
        elif line.startswith('"') and current:
            out[current] += line[1:-1]
    return out


def main() -> None:
    new_path = Path(sys.argv[1])
    target = Path(sys.argv[2] if len(sys.argv) > 2 else "locale/vi/LC_MESSAGES/django.po")
    new: dict[tuple[str, str], str] = {}
    for block in new_path.read_text(encoding="utf-8").strip().split("\n\n")[1:]:
        f = _fields(block)
        new[(f.get("msgctxt", ""), f["msgid"])] = f.get("msgstr", f.get("msgstr[0]", ""))
    blocks = target.read_text(encoding="utf-8").strip().split("\n\n")
    applied = 0
    for i, block in enumerate(blocks):
        f = _fields(block)
        key = (f.get("msgctxt", ""), f.get("msgid", ""))
        if key not in new or not key[1]:
            continue
        lines = []
        for line in block.splitlines():
            if line.startswith("#|"):
                continue
            if line.startswith("#,"):
                flags = [x.strip() for x in line[2:].split(",") if x.strip() not in ("", "fuzzy")]
                if flags:
                    lines.append("#, " + ", ".join(flags))
                continue
            if line.startswith("msgstr"):
                break
            lines.append(line)
        stem = "msgstr[0]" if "msgid_plural" in f else "msgstr"
        lines.append(f'{stem} "{new[key]}"')
        blocks[i] = "\n".join(lines)
        applied += 1
    target.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    print(f"applied {applied} of {len(new)} translations")


if __name__ == "__main__":
    main()
