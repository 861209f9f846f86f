"""Dev bench: form field accuracy of `read_form` on the dev corpus, per jurisdiction and format.

    .venv/bin/python bench/form_corpus.py [--corpus ../shared/corpus] [--ocr /work/ocrcache/pages]
                                          [--only ID ...] [--details] [--text-only]

Pages are ingested with the pipeline's ingest; text-layer pages carry their words and rules,
scanned pages get the cached OCR lines of /work/ocrcache/pages (rapidocr, 200 dpi renders /
native image pixels, no rotation correction) and their rendered image for rule detection.
The cover/form/award-table pages are taken from the truth's document list (page
classification is another stage's job), so this measures the form reader alone.

Scored: every truth field the form reader is responsible for (not training_fund_*,
submission_date, and not fields the truth takes from other documents: a credit code read off
a business licence, a studio name from the 申报书).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from shenbao.extractors.form.labels import compact  # noqa: E402
from shenbao.extractors.form.reader import AWARDS_CLAIMED, read_form, read_label_fields  # noqa: E402
from shenbao.pipeline.ingest import ingest  # noqa: E402
from shenbao.pipeline.types import IngestError, Page, PageKind, TextLine  # noqa: E402

FORM_DOCS = {"cover", "application_form", "award_table"}
NOT_FORM_KEYS = {"training_fund_total", "training_fund_high_skill", "submission_date"}


def cached_lines(ocr_dir: Path, packet_id: str, page: Page) -> list[TextLine] | None:
    f = ocr_dir / f"{packet_id}_p{page.number:03d}.json"
    if not f.exists():
        return None
    d = json.loads(f.read_text(encoding="utf-8"))
    return [
        TextLine(text=ln["text"], bbox=tuple(ln["box"]), confidence=float(ln["confidence"]),
                 polygon=[tuple(p) for p in ln.get("polygon") or []] or None)
        for ln in d["lines"]
    ]


def cache_is_turned(lines: list[TextLine], page: Page) -> bool:
    """The cache OCR'd pages as they are; a page lying on its side (landscape form page, text
    boxes standing up) or upside down (low confidence throughout) must be read again."""
    if not lines:
        return True
    tall = sum(1 for ln in lines if len(ln.text) >= 3 and (ln.bbox[3] - ln.bbox[1]) > 1.5 * (ln.bbox[2] - ln.bbox[0]))
    mean_conf = sum(ln.confidence for ln in lines) / len(lines)
    return page.width > page.height or tall > 0.2 * len(lines) or mean_conf < 0.85


def ocr_turned_page(extra_dir: Path, packet_id: str, page: Page) -> list[TextLine]:
    """OCR a page with the pipeline's engine (orientation + deskew) and give the page the
    corrected image; results are kept in `extra_dir` between runs."""
    from shenbao.extractors.ocr import get_engine
    from shenbao.extractors.ocr.orientation import correct_image

    assert page.load_image is not None
    raw_loader = page.load_image
    f = extra_dir / f"{packet_id}_p{page.number:03d}.json"
    if f.exists():
        d = json.loads(f.read_text(encoding="utf-8"))
    else:
        res = get_engine().read_page(raw_loader())
        d = {"rotation": res.rotation, "skew": res.skew, "lines": [
            {"text": ln.text, "box": list(ln.bbox), "confidence": ln.confidence,
             "polygon": [list(p) for p in ln.polygon] if ln.polygon else None} for ln in res.lines]}
        extra_dir.mkdir(parents=True, exist_ok=True)
        f.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    rotation, skew = int(d["rotation"]), float(d["skew"])
    page.load_image = lambda: correct_image(raw_loader(), rotation, skew)
    page.rotation, page.skew = rotation, skew
    return [TextLine(text=ln["text"], bbox=tuple(ln["box"]), confidence=float(ln["confidence"]),
                     polygon=[tuple(p) for p in ln["polygon"]] if ln.get("polygon") else None)
            for ln in d["lines"]]


def scored_keys(truth: dict) -> dict[str, object]:
    """Truth fields the form reader answers for: written on a form/cover page, or null."""
    page_type = {p: d["type"] for d in truth["documents"] for p in d["pages"]}
    out = {}
    for key, f in truth["fields"].items():
        if key in NOT_FORM_KEYS:
            continue
        page = f.get("page")
        if page is not None and page_type.get(page) not in FORM_DOCS:
            continue
        out[key] = f.get("value")
    return out


def fixture_packets(n: int, fmt: str, out: Path, degrade: str = "scan") -> list[tuple[str, Path, dict]]:
    """Packets from the project's own synthetic builder (other names, wordings and layout
    code than the corpus): n per jurisdiction, every other one with a 工作业绩 that runs on
    to the next page."""
    from shenbao.fixtures import JURISDICTIONS, PacketSpec, build_packet

    built = []
    for j in JURISDICTIONS:
        for seed in range(n):
            long = seed % 2 == 1 and j != "liangping-2023"  # 梁平 caps 业绩 at 300字
            spec = PacketSpec(f"fx-{fmt}-{degrade}-{j}-{seed}", j, seed=1000 + seed, long_achievements=long)
            b = build_packet(spec, out, fmt, degrade=degrade)
            built.append((b.packet_id, b.path, b.truth))
    return built


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    ap.add_argument("--ocr", type=Path, default=Path("/work/ocrcache/pages"))
    ap.add_argument("--extra-ocr", type=Path, default=REPO / "var" / "form_bench_ocr",
                    help="where pages the cache holds turned are OCR'd again (kept between runs)")
    ap.add_argument("--ocr-missing", action="store_true", help="OCR pages the cache lacks (slow)")
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--details", action="store_true")
    ap.add_argument("--text-only", action="store_true")
    ap.add_argument("--awards", action="store_true", help="also compare claimed award texts")
    ap.add_argument("--fixtures", type=int, default=0,
                    help="instead of the corpus: N synthetic packets per jurisdiction (shenbao.fixtures)")
    ap.add_argument("--fixture-format", default="text_pdf")
    ap.add_argument("--degrade", default="scan", help="fixture scan profile: light, scan, heavy, photo")
    args = ap.parse_args()

    per_group: dict[tuple[str, str], Counter] = defaultdict(Counter)
    per_key: dict[str, Counter] = defaultdict(Counter)
    award_stats: Counter = Counter()
    reader_errors: list[tuple[str, str]] = []
    turned = 0
    if args.fixtures:
        import tempfile

        tmp = Path(tempfile.mkdtemp(prefix="form_fx_"))
        items = fixture_packets(args.fixtures, args.fixture_format, tmp, args.degrade)
    else:
        items = []
        for truth_file in sorted((args.corpus / "truth").glob("*.json")):
            truth = json.loads(truth_file.read_text(encoding="utf-8"))
            pid = truth["packet_id"]
            if not truth["fields"]:
                continue  # unreadable packet
            path = next(p for p in (args.corpus / "packets").glob(pid + "*") if p.stem == pid or p.name == pid)
            items.append((pid, path, truth))
    for pid, path, truth in items:
        if args.only and pid not in args.only:
            continue
        jur = truth["jurisdiction"]
        try:
            packet = ingest(path)
        except IngestError as exc:
            print(f"{pid}: ingest failed: {exc}")
            continue
        fmt = packet.format.value
        if args.text_only and fmt != "text_pdf":
            continue
        wanted = sorted({p for d in truth["documents"] if d["type"] in FORM_DOCS for p in d["pages"]})
        pages = [p for p in packet.pages if p.number in wanted]
        missing_ocr = False
        for p in pages:
            if p.kind == PageKind.SCAN:
                lines = cached_lines(args.ocr, pid, p)
                if lines is None and (args.fixtures or args.ocr_missing):
                    lines = ocr_turned_page(args.extra_ocr, pid, p)
                    turned += 1
                elif lines is None:
                    missing_ocr = True
                    break
                elif cache_is_turned(lines, p):
                    lines = ocr_turned_page(args.extra_ocr, pid, p)
                    turned += 1
                p.lines = lines
        if missing_ocr:
            print(f"{pid}: OCR cache incomplete, skipped")
            continue
        fields = read_form(pages, jur)
        expected = scored_keys(truth)
        # The 申报书's 申办工作室名称 line (studio_name), read by read_label_fields.
        studio = truth["fields"].get("studio_name")
        report_pages = [p for d in truth["documents"] if d["type"] == "application_report" for p in d["pages"]]
        if studio and studio.get("page") in report_pages:
            prose = [p for p in packet.pages if p.number in report_pages]
            if all(p.kind != PageKind.SCAN or cached_lines(args.ocr, pid, p) is not None for p in prose):
                for p in prose:
                    if p.kind == PageKind.SCAN:
                        p.lines = cached_lines(args.ocr, pid, p) or []
                fields.update(read_label_fields(prose, {"studio_name"}, jur))
                expected["studio_name"] = studio["value"]
        page_text = compact("".join(ln.text for p in pages for ln in p.lines))
        for key, want in expected.items():
            got = fields[key].value if key in fields else None
            ok = got == want
            per_group[(jur, fmt)]["ok" if ok else "bad"] += 1
            per_key[key]["ok" if ok else "bad"] += 1
            if not ok:
                # Is the value on the page as read at all? If not, OCR lost it, not the reader.
                readable = isinstance(want, int | float) or want is None or compact(str(want)) in page_text
                per_group[(jur, fmt)]["ocr_lost" if not readable else "reader"] += 0 if readable else 1
                if readable:
                    reader_errors.append((pid, key))
            if not ok and args.details:
                raw = fields[key].raw if key in fields else "<absent>"
                print(f"  {pid} {key}: got {got!r} want {want!r}  raw={raw!r}")
        if args.awards:
            claimed = [a.claimed_text for a in fields[AWARDS_CLAIMED].value] if AWARDS_CLAIMED in fields else []
            want = [a["claimed_text"] for a in truth["awards"]]
            award_stats["ok" if claimed == want else "bad"] += 1
            if claimed != want and args.details:
                print(f"  {pid} awards: got {claimed} want {want}")
    total = Counter()
    print(f"\n{'jurisdiction':16} {'format':12} {'fields':>6} {'acc':>7} {'ocr_lost':>8}")
    for (jur, fmt), c in sorted(per_group.items()):
        n = c["ok"] + c["bad"]
        total.update(c)
        print(f"{jur:16} {fmt:12} {n:6d} {c['ok'] / n:7.3f} {c['ocr_lost']:8d}")
    by_fmt: dict[str, Counter] = defaultdict(Counter)
    for (_, fmt), c in per_group.items():
        by_fmt["text" if fmt == "text_pdf" else "scan"].update(c)
    for kind, c in sorted(by_fmt.items()):
        n = c["ok"] + c["bad"]
        print(f"{'ALL':16} {kind:12} {n:6d} {c['ok'] / n:7.3f}")
    n = total["ok"] + total["bad"]
    if n:
        print(f"{'ALL':16} {'all':12} {n:6d} {total['ok'] / n:7.3f}")
    worst = sorted(per_key.items(), key=lambda kv: kv[1]["ok"] / (kv[1]["ok"] + kv[1]["bad"]))[:10]
    print("worst fields:", ", ".join(f"{k} {c['ok']}/{c['ok'] + c['bad']}" for k, c in worst if c["bad"]))
    print(f"wrong although the value is in the page text ({len(reader_errors)}):",
          ", ".join(f"{p}:{k}" for p, k in reader_errors))
    print(f"pages OCR'd here (cache lacks them or holds them turned): {turned}")
    if args.awards and award_stats:
        print(f"award lists exact: {award_stats['ok']}/{award_stats['ok'] + award_stats['bad']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
