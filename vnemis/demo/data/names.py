"""Name data for synthetic people, read from ``names.json`` beside this module.

Kinh surnames and their weights are the northern-region figures of the MIT-licensed
``hungnguyen18/vietnamese-name-generator`` (commit a37d5b1), surnames with weight >= 0.05
(relative frequencies, not normalised to 100). One-syllable given names are the lists of the
MIT-licensed ``duyet/vietnamese-namedb`` (commit 2129070), with U+00D0 normalised to "Đ".
Ethnic-minority name parts (by GSO ethnicity code) are written by hand for the groups of
Lào Cai, since neither source covers them.
"""

from __future__ import annotations

import json
from pathlib import Path

_DATA = json.loads((Path(__file__).with_name("names.json")).read_text(encoding="utf-8"))

KINH_SURNAMES: tuple[tuple[str, float], ...] = tuple(
    (name, float(weight)) for name, weight in _DATA["kinh_surnames"]
)
KINH_MIDDLE_MALE: tuple[str, ...] = tuple(_DATA["kinh_middle_male"])
KINH_MIDDLE_FEMALE: tuple[str, ...] = tuple(_DATA["kinh_middle_female"])
GIVEN_MALE: tuple[str, ...] = tuple(_DATA["given_male"])
GIVEN_FEMALE: tuple[str, ...] = tuple(_DATA["given_female"])
MINORITY_NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    code: {part: tuple(values) for part, values in parts.items()}
    for code, parts in _DATA["minority_names"].items()
}
