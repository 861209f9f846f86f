"""Dev bench: what the second, cell-by-cell reading of scanned form pages costs (issue #3 item 7).

    .venv/bin/python bench/cell_reading.py [--corpus ../shared/corpus] [--ocr-cache DIR] [--limit N]

Every packet with scanned pages is ingested, its pages OCR'd through the pipeline (with
`--ocr-cache` the full-page reading comes from the cache, so only the cell reading is timed),
classified, and each cover/form/award-table page with a ruled grid is read again cell by cell
with the live rapidocr engine (no cache). Prints per format: form pages, text rows per page,
mean seconds per page for the whole cell reading, and the part of it the recogniser takes.
Accuracy per policy comes from `shenbao eval` runs with `--cell-reading off|fill|seals|replace`
(bench/README.md).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from shenbao.extractors.form import cellread  # noqa: E402
from shenbao.extractors.form.grid_image import grids_from_image, text_unit  # noqa: E402
from shenbao.extractors.form.ocrtext import split_ocr_lines  # noqa: E402
from shenbao.extractors.ocr import get_engine  # noqa: E402
from shenbao.pipeline.ingest import sniff_format  # noqa: E402
from shenbao.pipeline.reading import FORM_TYPES, pages_of  # noqa: E402
from shenbao.pipeline.review import ReviewOptions, review_packet  # noqa: E402
from shenbao.pipeline.types import PageKind  # noqa: E402


class CountingRows:
    """The live engine's read_lines, timed."""

    def __init__(self) -> None:
        self.engine = get_engine("rapidocr")
        self.rows = 0
        self.seconds = 0.0

    def read_lines(self, rows):
        started = time.perf_counter()
        out = self.engine.read_lines(rows)
        self.seconds += time.perf_counter() - started
        self.rows += len(rows)
        return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    ap.add_argument("--ocr-cache", type=Path, default=None)
    ap.add_argument("--limit", type=int, default=0, help="at most this many packets (0: all)")
    args = ap.parse_args()
    timer = CountingRows()
    per_format: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    done = 0
    for src in sorted((args.corpus / "packets").iterdir()):
        fmt = sniff_format(src)
        ctx = review_packet(src, ReviewOptions(ocr_cache=args.ocr_cache), until="classify")
        if ctx.unreadable or ctx.packet is None or not any(p.kind is PageKind.SCAN for p in ctx.packet.pages):
            continue
        kind = "scan_pdf" if fmt is not None and fmt.value == "pdf" else (fmt.value if fmt else "?")
        for page in pages_of(ctx, FORM_TYPES):
            if page.kind is not PageKind.SCAN or page.load_image is None:
                continue
            image = page.load_image()
            lines, _seals = split_ocr_lines(page.lines)
            grids, _ = grids_from_image(image, lines, page.number)
            if not grids:
                continue
            before_rows, before_s = timer.rows, timer.seconds
            started = time.perf_counter()
            cellread.reread_cells(grids, image, timer, text_unit(lines, image.shape[1]))  # type: ignore[arg-type]
            total = time.perf_counter() - started
            per_format[kind].append((total, timer.seconds - before_s, timer.rows - before_rows))
        done += 1
        if args.limit and done >= args.limit:
            break
    print(f"{'format':<14}{'form pages':>11}{'rows/page':>11}{'s/page':>9}{'recognise s/page':>18}")
    for kind, runs in sorted(per_format.items()):
        print(f"{kind:<14}{len(runs):>11}{statistics.mean(r for _, _, r in runs):>11.1f}"
              f"{statistics.mean(t for t, _, _ in runs):>9.2f}{statistics.mean(t for _, t, _ in runs):>18.2f}")


if __name__ == "__main__":
    main()
