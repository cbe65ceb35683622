"""What a Vietnamese page or file must not show: English left untranslated, raw codes.

``problems(text)`` lists, in the visible text of a page or the strings of a generated file:
English messages of the project's or Django's catalogues (the message was not translated),
snake_case codes (an enumeration value or an indicator code shown instead of its label),
periods in their storage form ("2022H1") and Python's ``None``/``True``/``False``.
"""

from __future__ import annotations

import functools
import html
import io
import re
import zipfile
from pathlib import Path

import django
from django.conf import settings

_MSGID = re.compile(r'^msgid "(.*)"$')
_CONTINUATION = re.compile(r'^"(.*)"$')
_SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
_PERIOD_CODE = re.compile(r"\b(?:19|20)\d\d(?:H[12]|Q[1-4])\b")
_PYTHON_VALUES = re.compile(r"(?<![\w-])(?:None|True|False)(?![\w-])")
_TAG = re.compile(r"<[^>]+>")
# Not read as prose: scripts and the like, and <code> (a literal the page shows on purpose, as
# the API documentation shows parameter names and enumeration values).
_INVISIBLE = re.compile(
    r"<(script|style|template|textarea|noscript|code)\b.*?</\1>|<!--.*?-->",
    re.DOTALL | re.IGNORECASE,
)
_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


def _msgids(path: Path) -> set[str]:
    """The message ids of a .po file (multi-line ids joined)."""
    found: set[str] = set()
    current: list[str] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _MSGID.match(line)
        if match:
            current = [match[1]]
            continue
        cont = _CONTINUATION.match(line)
        if current is not None and cont:
            current.append(cont[1])
            continue
        if current is not None:
            found.add("".join(current).replace('\\"', '"').replace("\\n", "\n"))
            current = None
    return found


def _fragments(msgid: str) -> list[str]:
    """The literal parts of a message between its placeholders that are long enough to tell
    English from Vietnamese: two words or more, eight letters or more."""
    parts = []
    for part in _PLACEHOLDER.split(msgid):
        part = part.strip(" .,:;()-—…")
        if len(part) >= 8 and " " in part and re.search(r"[A-Za-z]{3}", part):
            parts.append(part)
    return parts


@functools.cache
def english_messages() -> frozenset[str]:
    """English fragments of every message the UI can show: the project's catalogue and
    Django's (its English catalogue lists all of Django's message ids)."""
    ids = _msgids(Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES" / "django.po")
    django_dir = Path(django.__file__).parent
    for po in (
        django_dir / "conf" / "locale" / "en" / "LC_MESSAGES" / "django.po",
        django_dir / "contrib" / "auth" / "locale" / "en" / "LC_MESSAGES" / "django.po",
    ):
        if po.exists():
            ids |= _msgids(po)
    return frozenset(f for msgid in ids if msgid for f in _fragments(msgid))


def visible_text(page: str) -> str:
    """The text a reader sees: no tags, scripts, styles or comments; entities decoded."""
    return html.unescape(_TAG.sub(" ", _INVISIBLE.sub(" ", page)))


def problems(text: str) -> list[str]:
    """Untranslated English, snake_case codes and storage forms found in ``text``."""
    found = [f"English: {m!r}" for m in english_messages() if m in text]
    found += [f"code: {m!r}" for m in sorted(set(_SNAKE.findall(text)))]
    found += [f"period code: {m!r}" for m in sorted(set(_PERIOD_CODE.findall(text)))]
    found += [f"Python value: {m!r}" for m in sorted(set(_PYTHON_VALUES.findall(text)))]
    return found


def office_text(content: bytes) -> str:
    """The text of an XLSX or DOCX file: shared and inline strings, sheet names, paragraphs."""
    parts: list[str] = []
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if not name.endswith(".xml"):
                continue
            if not (
                name.startswith(("xl/worksheets/", "word/"))
                or name in ("xl/sharedStrings.xml", "xl/workbook.xml")
            ):
                continue
            xml = archive.read(name).decode("utf-8", errors="replace")
            parts += re.findall(r"<(?:t|w:t)(?:\s[^>]*)?>([^<]*)</(?:t|w:t)>", xml)
            parts += re.findall(r'<sheet [^>]*name="([^"]*)"', xml)
    return html.unescape("\n".join(parts))
