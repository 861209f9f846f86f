"""Build data/places.tsv: China's administrative divisions down to the county, with their codes.

Source: cpca 0.5.5's `cpca/resources/adcodes.csv` (MIT licence; the divisions and codes of
GB/T 2260 as the National Bureau of Statistics publishes them). cpca is not a dependency of
shenbao; this script is run by hand from its wheel:

    pip download cpca==0.5.5 --no-deps -d /tmp/cpca && unzip -q -o /tmp/cpca/cpca-0.5.5-py3-none-any.whl -d /tmp/cpca
    .venv/bin/python tools/build_places.py /tmp/cpca/cpca/resources/adcodes.csv

Only provinces, prefectures and counties are kept (a 6-digit code each), and only entries that
are places: the statistical groupings 市辖区 and 省直辖县级行政区划 and the South China Sea
islands are left out. Some names have changed since (梁平县 is now 梁平区); `places` matches a
name's stem with any of the one-character suffixes, so a county that became a district still
reads as that place.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "data" / "places.tsv"
HEADER = """\
# China's administrative divisions (provinces, prefectures, counties): GB/T 2260 code, name.
# Built by tools/build_places.py from cpca 0.5.5's adcodes.csv (MIT licence).
# Read by shenbao/matchers/places.py, to mend place names a scan misread (学义市 -> 孝义市).
"""
SUFFIXES = "省市区县旗盟州"


def main(adcodes: Path) -> None:
    rows: dict[str, str] = {}
    with adcodes.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            code, name = row["adcode"][:6], row["name"].strip()
            if "辖" in name or name[-1] not in SUFFIXES or not code.isdigit():
                continue
            rows[code] = name
    lines = [f"{code}\t{rows[code]}" for code in sorted(rows)]
    OUT.write_text(HEADER + "code\tname\n" + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(lines)} places")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
