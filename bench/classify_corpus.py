"""Dev bench: page classification, grouping and jurisdiction detection on the dev corpus.

    .venv/bin/python bench/classify_corpus.py [--corpus ../shared/corpus] [--ocr-cache /work/ocrcache/pages]
                                              [--packet ID ...] [--show-errors]

Packets are read with the real ingest (text-layer words and rulings). Scanned pages take their OCR
lines from the raw OCR cache (rapidocr, no orientation correction) where those read upright; with
--fix-turned, pages the cache holds on their side or upside down are read again with the project's
OCR engine (orientation-corrected, as the pipeline does) and kept under --rotcache.
Prints per-page accuracy per packet format, a confusion list, document grouping agreement and
jurisdiction accuracy.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shenbao.extractors.classify import (  # noqa: E402
    classify_pages,
    detect_jurisdiction,
    group_documents,
)
from shenbao.pipeline.ingest import ingest  # noqa: E402
from shenbao.pipeline.types import PacketFormat, Page, PageKind, TextLine  # noqa: E402

OCR_CACHE_NOTE = "raw rapidocr lines per page image, no orientation correction"


def _lines_from_json(data: dict) -> list[TextLine]:
    return [
        TextLine(
            text=ln["text"],
            bbox=tuple(ln["box"]),
            confidence=float(ln.get("confidence", 1.0)),
            polygon=[tuple(p) for p in ln.get("polygon") or []] or None,
        )
        for ln in data["lines"]
    ]


def _looks_upright(page: Page) -> bool:
    """Whether raw (uncorrected) OCR lines read like an upright page."""
    from shenbao.extractors.classify.features import extract_features

    f = extract_features(page)
    return f.readable and f.mean_confidence >= 0.85


class _Reader:
    """Upright OCR for scanned pages: the raw cache where it reads upright, else a fresh
    orientation-corrected read (cached under --rotcache) with the project's OCR engine."""

    def __init__(self, caches: list[Path], rotcache: Path | None, fix_turned: bool) -> None:
        self.caches = caches
        self.rotcache = rotcache
        self.fix_turned = fix_turned
        self._engine = None
        self.fixed = 0

    def engine(self):
        if self._engine is None:
            from shenbao.extractors.ocr.rapid import RapidOcrEngine

            self._engine = RapidOcrEngine(threads=2)
        return self._engine

    def fill(self, pid: str, page: Page) -> bool:
        key = f"{pid}_p{page.number:03d}.json"
        if self.rotcache is not None and (self.rotcache / key).exists():
            data = json.loads((self.rotcache / key).read_text(encoding="utf-8"))
            self._apply(page, data)
            return True
        raw = next((c / key for c in self.caches if (c / key).exists()), None)
        if raw is None:
            return False  # not OCR'd yet: the cache is filled by its own job
        self._apply(page, json.loads(raw.read_text(encoding="utf-8")))
        if _looks_upright(page) or not self.fix_turned or page.load_image is None:
            return True
        res = self.engine().read_page(page.load_image())
        data = {
            "width": res.width,
            "height": res.height,
            "rotation": res.rotation,
            "skew": res.skew,
            "lines": [
                {"text": ln.text, "box": list(ln.bbox), "confidence": ln.confidence} for ln in res.lines
            ],
        }
        self.fixed += 1
        if self.rotcache is not None:
            self.rotcache.mkdir(parents=True, exist_ok=True)
            (self.rotcache / key).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        self._apply(page, data)
        return True

    @staticmethod
    def _apply(page: Page, data: dict) -> None:
        page.lines = _lines_from_json(data)
        page.width = float(data["width"])
        page.height = float(data["height"])
        page.rotation = int(data.get("rotation", 0))


def load_packet(path: Path, reader: _Reader) -> tuple[list[Page], str, int]:
    """Pages of one corpus packet (through the real ingest), its format, and pages left unread."""
    packet = ingest(path)
    missing = 0
    for page in packet.pages:
        if page.kind == PageKind.SCAN and not reader.fill(packet.packet_id, page):
            missing += 1
            page.lines = []
    fmt = {
        PacketFormat.TEXT_PDF: "text_pdf",
        PacketFormat.SCAN_PDF: "scan_pdf",
        PacketFormat.MIXED_PDF: "mixed_pdf",
        PacketFormat.IMAGE_FOLDER: "folder",
        PacketFormat.ZIP: "zip",
    }.get(packet.format, str(packet.format))
    return packet.pages, fmt, missing


def _shuffle_documents(truth: dict, pages: list[Page], rng: random.Random) -> tuple[dict, list[Page]]:
    """The same packet with its documents in another order; pages renumbered, truth to match.
    Documents that interleave (a form around its award sheet) move as one block."""
    blocks: list[list[dict]] = []
    for d in sorted(truth["documents"], key=lambda d: d["pages"][0]):
        if blocks and d["pages"][0] < max(p for b in blocks[-1] for p in b["pages"]):
            blocks[-1].append(d)
        else:
            blocks.append([d])
    rng.shuffle(blocks)
    by_number = {p.number: p for p in pages}
    new_pages: list[Page] = []
    docs: list[dict] = []
    renumber: dict[int, int] = {}
    for block in blocks:
        for old in sorted(p for d in block for p in d["pages"]):
            renumber[old] = len(new_pages) + 1
            page = by_number[old]
            page.number = renumber[old]
            new_pages.append(page)
        for d in block:
            docs.append({**d, "pages": sorted(renumber[p] for p in d["pages"])})
    docs.sort(key=lambda d: d["pages"][0])
    return {**truth, "documents": docs}, new_pages


def _degrade(pages: list[Page], share: float, rng: random.Random) -> None:
    """Simulate a worse scan: misread glyphs (random CJK) and lost lines."""
    for page in pages:
        kept = []
        for ln in page.lines:
            if rng.random() < share / 2:
                continue
            chars = [
                chr(rng.randint(0x4E00, 0x9FA5)) if "\u4e00" <= ch <= "\u9fff" and rng.random() < share else ch
                for ch in ln.text
            ]
            ln.text = "".join(chars)
            kept.append(ln)
        page.lines = kept


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--ocr-cache", type=Path, default=Path("/work/ocrcache/pages"))
    ap.add_argument(
        "--rotcache", type=Path, default=Path("/tmp/classify-rotcache"), help="upright re-reads of turned pages"
    )
    ap.add_argument(
        "--fix-turned", action="store_true", help="OCR pages the raw cache has on their side (slow, CPU)"
    )
    ap.add_argument("--packet", nargs="*", default=None)
    ap.add_argument(
        "--noise",
        type=float,
        default=0.0,
        help="stress test: replace this share of CJK glyphs with random ones and drop half that share of lines",
    )
    ap.add_argument(
        "--shuffle-docs",
        action="store_true",
        help="stress test: put the truth's documents in a random order (pages of one document stay together)",
    )
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--show-errors", action="store_true")
    args = ap.parse_args()

    reader = _Reader([args.ocr_cache], args.rotcache, args.fix_turned)
    manifest = {r["packet_id"]: r for r in csv.DictReader((args.corpus / "manifest.csv").open(encoding="utf-8"))}
    per_fmt: dict[str, Counter] = defaultdict(Counter)
    confusion: Counter = Counter()
    errors: list[str] = []
    group_ok = group_total = 0
    jur_ok = jur_total = 0
    jur_errors: list[str] = []
    t0 = time.time()

    for path in sorted((args.corpus / "packets").iterdir()):
        pid = path.name.split(".")[0]
        if args.packet and pid not in args.packet:
            continue
        truth = json.loads((args.corpus / "truth" / f"{pid}.json").read_text(encoding="utf-8"))
        if not truth["documents"]:
            continue  # unreadable packets: nothing to classify
        try:
            pages, fmt, missing = load_packet(path, reader)
        except Exception as exc:  # the bench reports and moves on
            print(f"{pid}: cannot load: {exc}")
            continue
        if missing:
            print(f"{pid}: {missing} page(s) not OCR'd yet, skipped in the counts")
        if args.noise:
            _degrade(pages, args.noise, random.Random(f"{args.seed}-{pid}"))
        if args.shuffle_docs:
            truth, pages = _shuffle_documents(truth, pages, random.Random(f"{args.seed}-{pid}"))
        want = {p: d["type"] for d in truth["documents"] for p in d["pages"]}
        classes = classify_pages(pages)
        for pc, page in zip(classes, pages, strict=True):
            if not page.lines and page.kind == PageKind.SCAN:
                continue  # not OCR'd yet
            t = want.get(pc.page)
            per_fmt[fmt]["pages"] += 1
            if t == str(pc.type):
                per_fmt[fmt]["ok"] += 1
            else:
                confusion[(t, str(pc.type))] += 1
                errors.append(
                    f"{pid} p{pc.page} [{fmt}] truth={t} got={pc.type} conf={pc.confidence} "
                    f"by={pc.decided_by} ev={pc.evidence[:4]} scores={dict(list(pc.scores.items())[:4])}"
                )
        if not missing:
            docs = group_documents(classes)
            got = sorted((str(d.type), tuple(d.pages)) for d in docs)
            exp = sorted((d["type"], tuple(d["pages"])) for d in truth["documents"])
            group_total += len(exp)
            group_ok += len(set(got) & set(exp))
            if got != exp and args.show_errors:
                errors.append(f"{pid} grouping: extra={sorted(set(got) - set(exp))} lost={sorted(set(exp) - set(got))}")
        jur, conf, ev = detect_jurisdiction(pages)
        jur_total += 1
        expected = manifest.get(pid, {}).get("jurisdiction") or truth.get("jurisdiction")
        if str(jur) == expected:
            jur_ok += 1
        else:
            jur_errors.append(f"{pid}: want {expected} got {jur} ({conf:.2f}) {ev}")

    print(f"\nclassified in {time.time() - t0:.1f}s ({reader.fixed} turned pages re-read)")
    tot = Counter()
    for fmt, c in sorted(per_fmt.items()):
        tot.update(c)
        print(f"  {fmt:9s} pages={c['pages']:4d} accuracy={c['ok'] / max(c['pages'], 1):.3f}")
    print(f"  {'all':9s} pages={tot['pages']:4d} accuracy={tot['ok'] / max(tot['pages'], 1):.3f}")
    print(f"documents grouped exactly: {group_ok}/{group_total}")
    print(f"jurisdiction: {jur_ok}/{jur_total}")
    for e in jur_errors:
        print("  ", e)
    if confusion:
        print("confusions (truth -> got):")
        for (t, g), n in confusion.most_common():
            print(f"  {t} -> {g}: {n}")
    if args.show_errors:
        for e in errors:
            print(" ", e)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
