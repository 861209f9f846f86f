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
import csv
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from shenbao.extractors.form.reader import AWARDS_CLAIMED, read_form  # noqa: E402
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


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    ap.add_argument("--ocr", type=Path, default=Path("/work/ocrcache/pages"))
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--details", action="store_true")
    ap.add_argument("--text-only", action="store_true")
    ap.add_argument("--awards", action="store_true", help="also compare claimed award texts")
    args = ap.parse_args()

    manifest = {r["packet_id"]: r for r in csv.DictReader((args.corpus / "manifest.csv").open(encoding="utf-8"))}
    per_group: dict[tuple[str, str], Counter] = defaultdict(Counter)
    per_key: dict[str, Counter] = defaultdict(Counter)
    award_stats: Counter = Counter()
    for truth_file in sorted((args.corpus / "truth").glob("*.json")):
        truth = json.loads(truth_file.read_text(encoding="utf-8"))
        pid = truth["packet_id"]
        if args.only and pid not in args.only:
            continue
        if not truth["fields"]:
            continue  # unreadable packet
        jur = manifest[pid]["jurisdiction"]
        path = next(p for p in (args.corpus / "packets").glob(pid + "*") if p.stem == pid or p.name == pid)
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
                if lines is None:
                    missing_ocr = True
                    break
                p.lines = lines
        if missing_ocr:
            print(f"{pid}: OCR cache incomplete, skipped")
            continue
        fields = read_form(pages, jur)
        expected = scored_keys(truth)
        for key, want in expected.items():
            got = fields[key].value if key in fields else None
            ok = got == want
            per_group[(jur, fmt)]["ok" if ok else "bad"] += 1
            per_key[key]["ok" if ok else "bad"] += 1
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
    print(f"\n{'jurisdiction':16} {'format':12} {'fields':>6} {'acc':>7}")
    for (jur, fmt), c in sorted(per_group.items()):
        n = c["ok"] + c["bad"]
        total.update(c)
        print(f"{jur:16} {fmt:12} {n:6d} {c['ok'] / n:7.3f}")
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
    if args.awards and award_stats:
        print(f"award lists exact: {award_stats['ok']}/{award_stats['ok'] + award_stats['bad']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
