"""The real-world set (bench/realworld/): evidence fields, document types and grids on public
documents nobody here made, scored against truth a person transcribed from each image.

    .venv/bin/python bench/realworld.py [--images var/realworld/images] [--only ID ...]
                                        [--record tests/data/realworld] [--details] [--json FILE]
    .venv/bin/python bench/realworld.py --sources        # rewrite bench/realworld/SOURCES.md

Each item is one image, reviewed as a one-page packet with the default engine (OCR kept in
`--ocr-cache`, so a second run costs no recognition). Three figures per item:
- document type: the classifier's type of the page against the truth's;
- evidence fields: the reader of the truth's type run on the page (so a page the classifier
  typed wrongly still measures its reader), each truth key compared with the value after
  normalisation (whitespace removed); with the confidence each value was given, for the
  calibration table (confidence bucket -> share right) and the silent-error rate (wrong and
  under no LOW_CONFIDENCE finding);
- grid (tables): rows, columns, merged cells and cell text of the largest ruled table found.
`--record DIR` writes each page's OCR lines (our own output, not the image) so the test suite
replays the readers on them without the images (tests/test_realworld.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from shenbao.evaluation.evidence import (  # noqa: E402
    CALIBRATION_BUCKETS,
    ItemScore,
    load_items,
    read_item_fields,
    score_fields,
    score_grid,
    write_sources,
)

TRUTH = REPO / "bench" / "realworld" / "truth"
IMAGES = REPO / "var" / "realworld" / "images"


@dataclass
class Totals:
    fields: Counter = field(default_factory=Counter)  # right / total
    by_type: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    doc: Counter = field(default_factory=Counter)
    grid: Counter = field(default_factory=Counter)
    buckets: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    silent: Counter = field(default_factory=Counter)


def _review(image: Path, cache: Path) -> Any:
    from shenbao.pipeline.review import ReviewOptions, review_packet

    return review_packet(image, ReviewOptions(ocr_cache=cache, cell_reading="off"), until="evidence")


def _record(ctx: Any, item: dict, where: Path) -> None:
    page = ctx.packet.pages[0]
    where.mkdir(parents=True, exist_ok=True)
    data = {
        "id": item["id"], "type": item["type"], "width": page.width, "height": page.height,
        "engine": page.ocr_engine, "rotation": page.rotation,
        "lines": [{"text": ln.text, "box": [round(v, 1) for v in ln.bbox], "confidence": round(ln.confidence, 4),
                   "polygon": [[round(x, 1), round(y, 1)] for x, y in ln.polygon] if ln.polygon else None}
                  for ln in page.lines],
    }
    (where / f"{item['id']}.json").write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _grid(ctx: Any, item: dict) -> dict | None:
    from shenbao.extractors.form.grid_image import grids_from_image

    page = ctx.packet.pages[0]
    grids, _ = grids_from_image(page.load_image(), page.lines, page.number)
    return score_grid(grids, item["grid"])


def run(items: list[dict], images: Path, cache: Path, record: Path | None, details: bool) -> tuple[Totals, list[ItemScore]]:
    totals = Totals()
    scores: list[ItemScore] = []
    for item in items:
        image = next(iter(sorted(images.glob(f"{item['id']}.*"))), None)
        if image is None:
            print(f"{item['id']}: no image in {images} (fetch it again: bench/realworld/SOURCES.md)")
            continue
        ctx = _review(image, cache)
        if ctx.packet is None or not ctx.packet.pages:
            print(f"{item['id']}: unreadable: {[f.message for f in ctx.result.findings]}")
            continue
        if record is not None:
            _record(ctx, item, record)
        predicted = ctx.page_classes[0].type if ctx.page_classes else None
        score = ItemScore(item["id"], item["type"], str(getattr(predicted, "value", predicted)))
        totals.doc["right"] += score.doc_right
        totals.doc["total"] += 1
        if item.get("fields"):
            values, flagged = read_item_fields(ctx.packet.pages, item["type"])
            score.fields = score_fields(item["fields"], values, flagged)
            for right, confidence, was_flagged, got in score.fields.values():
                totals.fields["right"] += right
                totals.fields["total"] += 1
                totals.by_type[item["type"]]["right"] += right
                totals.by_type[item["type"]]["total"] += 1
                bucket = next(b for b in CALIBRATION_BUCKETS if confidence >= b[0])[1]
                totals.buckets[bucket]["right"] += right
                totals.buckets[bucket]["total"] += 1
                if got is not None:
                    totals.silent["wrong_unflagged"] += (not right) and not was_flagged
                    totals.silent["right_flagged"] += right and was_flagged
                    totals.silent["right"] += right
                totals.silent["values"] += 1
        if item.get("grid"):
            score.grid = _grid(ctx, item)
            if score.grid is not None:
                for k, v in score.grid.items():
                    totals.grid[k] += v
        scores.append(score)
        if details:
            print(score.describe())
    return totals, scores


def _share(c: Counter, right: str = "right", total: str = "total") -> str:
    return f"{c[right] / c[total]:.3f} ({c[right]}/{c[total]})" if c[total] else "-"


def report(t: Totals) -> dict:
    print(f"document type: {_share(t.doc)}")
    print(f"evidence fields: {_share(t.fields)}")
    for kind, c in sorted(t.by_type.items()):
        print(f"  {kind}: {_share(c)}")
    print("calibration (confidence >= bucket: share right):")
    for _, name in CALIBRATION_BUCKETS:
        if t.buckets[name]["total"]:
            print(f"  {name}: {_share(t.buckets[name])}")
    print(f"wrong and unflagged: {_share(t.silent, 'wrong_unflagged', 'values')} of all truth values; "
          f"right but flagged: {_share(t.silent, 'right_flagged', 'right')} of right values")
    if t.grid["items"]:
        print(f"grid: shape right {_share(t.grid, 'shape_right', 'items')}, merges right "
              f"{_share(t.grid, 'merges_right', 'merges')}, cells right {_share(t.grid, 'cells_right', 'cells')}")
    return {"doc": dict(t.doc), "fields": dict(t.fields), "by_type": {k: dict(v) for k, v in t.by_type.items()},
            "buckets": {k: dict(v) for k, v in t.buckets.items()}, "silent": dict(t.silent), "grid": dict(t.grid)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--truth", type=Path, default=TRUTH)
    ap.add_argument("--images", type=Path, default=IMAGES)
    ap.add_argument("--ocr-cache", type=Path, default=REPO / "var" / "ocr-cache-realworld")
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--record", type=Path)
    ap.add_argument("--details", action="store_true")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--sources", action="store_true", help="rewrite SOURCES.md from the truth files and stop")
    args = ap.parse_args(argv)
    items = load_items(args.truth, args.only)
    if args.sources:
        print(write_sources(items, args.truth.parent / "SOURCES.md"))
        return 0
    totals, _ = run(items, args.images, args.ocr_cache, args.record, args.details)
    figures = report(totals)
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
