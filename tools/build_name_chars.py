"""Build data/name_chars.tsv: how often each character stands in a Chinese person's name.

Source: jieba 0.42.1's part-of-speech HMM (`jieba/posseg/prob_emit.py`, MIT licence), whose
emission tables for the person-name tag `nr` were trained on the People's Daily corpus: the
log probability of a character as a name's first character (state B, the surname) and inside
or at the end of a name (states M and E, the given name). jieba is not a dependency of
shenbao; this script is run by hand from its source distribution:

    pip download jieba==0.42.1 --no-deps -d /tmp/jieba && tar xzf /tmp/jieba/jieba-0.42.1.tar.gz -C /tmp/jieba
    .venv/bin/python tools/build_name_chars.py /tmp/jieba/jieba-0.42.1/jieba/posseg/prob_emit.py

Traditional forms are left out (forms are printed in simplified characters, and a traditional
form must never be preferred); the file is small (one line a character) and committed.
"""

from __future__ import annotations

import ast
import math
import sys
from pathlib import Path

from shenbao.extractors.ocr.script import to_simplified

OUT = Path(__file__).resolve().parents[1] / "data" / "name_chars.tsv"
HEADER = """\
# How often each character stands in a Chinese person's name (natural log probabilities).
# surname: as a name's first character; given: inside or at the end of a name (the larger).
# Built by tools/build_name_chars.py from jieba 0.42.1's person-name (nr) emission tables
# (MIT licence, trained on the People's Daily corpus). Read by shenbao/extractors/ocr/namelm.py.
"""


def main(prob_emit: Path) -> None:
    tree = ast.parse(prob_emit.read_text(encoding="utf-8"))
    table = next(ast.literal_eval(node.value) for node in ast.walk(tree)
                 if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "P" for t in node.targets))
    surname = table[("B", "nr")]
    given: dict[str, float] = {}
    for state in ("M", "E"):
        for ch, lp in table[(state, "nr")].items():
            given[ch] = max(given.get(ch, -math.inf), lp)
    rows = []
    for ch in sorted(set(surname) | set(given)):
        if to_simplified(ch) != ch or not "\u4e00" <= ch <= "\u9fff":
            continue
        fmt = lambda v: "" if v is None else f"{v:.2f}"  # noqa: E731
        rows.append(f"{ch}\t{fmt(surname.get(ch))}\t{fmt(given.get(ch))}")
    OUT.write_text(HEADER + "char\tsurname\tgiven\n" + "\n".join(rows) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(rows)} characters")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
