"""Which characters Chinese person names are written with, for reading a doubtful name again.

A name has no word to complete, so the bigram model (`charlm`) cannot mend one; but names are
not written with just any characters. The first is a surname (李, 侯, 欧阳), the rest come from
a few thousand characters parents choose (武, 文, 明), and a character such as 此 or 线 hardly ever
stands in a name. On a worn scan where the recogniser is torn between 此 and 武 in a 联系人 cell,
that settles it. The tables (data/name_chars.tsv) come from jieba's person-name statistics;
see tools/build_name_chars.py.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

DEFAULT_PATH = Path(__file__).resolve().parents[3] / "data" / "name_chars.tsv"


@dataclass(frozen=True)
class NameChars:
    surname: dict[str, float]  # log P(character | a name's first character)
    given: dict[str, float]  # log P(character | a later character of a name)

    def log_prob(self, ch: str, position: int) -> float | None:
        """How likely `ch` is as the name's `position`-th character (0: the surname), or None
        for a character no name in the tables was written with."""
        return (self.surname if position == 0 else self.given).get(ch)


class NameTableError(ValueError):
    """data/name_chars.tsv does not say what it must."""


@functools.cache
def load(path: Path = DEFAULT_PATH) -> NameChars:
    surname: dict[str, float] = {}
    given: dict[str, float] = {}
    try:
        lines = [ln for ln in Path(path).read_text(encoding="utf-8").splitlines()
                 if ln.strip() and not ln.startswith("#")]
    except OSError as exc:
        raise NameTableError(f"{path}: {exc}") from exc
    if not lines or lines[0].split("\t") != ["char", "surname", "given"]:
        raise NameTableError(f"{path}: the header must be char, surname, given")
    try:
        for ln in lines[1:]:
            ch, first, later = ln.split("\t")
            if first:
                surname[ch] = float(first)
            if later:
                given[ch] = float(later)
    except ValueError as exc:  # a line without three columns, or a number that is not one
        raise NameTableError(f"{path}: {exc}") from exc
    return NameChars(surname, given)
