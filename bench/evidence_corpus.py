"""Dev bench: read rates of the evidence readers on the dev corpus (or on fixture packets).

    .venv/bin/python bench/evidence_corpus.py [--corpus ../shared/corpus] [--only ID ...]
                                              [--classify] [--details] [--ocr-missing]
                                              [--fixtures N --fixture-format text_pdf|scan_pdf]

The corpus truth holds no evidence values, but it holds what they must agree with: the form's
fields (the ID card's name is the form's master_name unless the truth has a NAME_MISMATCH
naming id_card, and so on), the findings that only evidence can raise (NAME_MISMATCH /
ID_NUMBER_MISMATCH / SKILL_LEVEL_MISMATCH naming a document, AWARD_HOLDER_MISMATCH,
AWARD_YEAR_MISMATCH, SUMMARY_MISMATCH) and the training-fund fields. Each check below is one
such consequence; a read counts when the consequence holds.

Scanned pages: the shared OCR cache (/work/ocrcache/pages: rapidocr, no rotation correction) is
used where a page reads upright; a page it holds sideways or upside down is OCR'd once with the
pipeline's engine (orientation + deskew) and kept in /tmp/evidence-ocr-cache for later runs.
Documents come from the truth's list (so this measures the readers, not the classifier), or
with --classify from the pipeline's classifier.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from shenbao.models import Document  # noqa: E402
from shenbao.pipeline.ingest import ingest  # noqa: E402
from shenbao.pipeline.types import IngestError, Page, PageKind, TextLine  # noqa: E402

SHARED_OCR = Path("/work/ocrcache/pages")
OWN_OCR = Path("/tmp/evidence-ocr-cache")
EVIDENCE_TYPES = {
    "id_card", "qualification_certificate", "title_certificate", "honour_certificate", "business_license",
    "training_fund_proof", "summary_table", "award_table", "deeds_material",
}


# --- OCR lines for scanned pages -------------------------------------------------------------


def _lines_of(d: dict) -> list[TextLine]:
    return [
        TextLine(text=ln["text"], bbox=tuple(ln["box"]), confidence=float(ln["confidence"]),
                 polygon=[tuple(p) for p in ln["polygon"]] if ln.get("polygon") else None)
        for ln in d["lines"]
    ]


def _looks_turned(lines: list[TextLine]) -> bool:
    """The shared cache OCR'd pages as they lie: boxes standing up (text running down the page)
    or a low mean confidence (upside down) mean the page must be read with orientation."""
    if not lines:
        return True
    tall = sum(1 for ln in lines if len(ln.text) >= 3 and (ln.bbox[3] - ln.bbox[1]) > 1.5 * (ln.bbox[2] - ln.bbox[0]))
    mean_conf = sum(ln.confidence for ln in lines) / len(lines)
    return tall > 0.2 * len(lines) or mean_conf < 0.85


def ocr_lines(packet_id: str, page: Page, allow_ocr: bool) -> bool:
    """Fill `page.lines` (and fix `load_image` to the corrected image); False when not available."""
    from shenbao.extractors.ocr.orientation import correct_image

    own = OWN_OCR / f"{packet_id}_p{page.number:03d}.json"
    shared = SHARED_OCR / f"{packet_id}_p{page.number:03d}.json"
    if not own.exists() and shared.exists():
        lines = _lines_of(json.loads(shared.read_text(encoding="utf-8")))
        if not _looks_turned(lines):
            page.lines = lines
            return True
    if not own.exists():
        if not allow_ocr or page.load_image is None:
            return False
        from shenbao.extractors.ocr import get_engine

        res = get_engine().read_page(page.load_image())
        d = {"rotation": res.rotation, "skew": res.skew, "width": res.width, "height": res.height, "lines": [
            {"text": ln.text, "box": list(ln.bbox), "confidence": ln.confidence,
             "polygon": [list(p) for p in ln.polygon] if ln.polygon else None} for ln in res.lines]}
        OWN_OCR.mkdir(parents=True, exist_ok=True)
        own.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    d = json.loads(own.read_text(encoding="utf-8"))
    rotation, skew = int(d["rotation"]), float(d["skew"])
    raw_loader = page.load_image
    if raw_loader is not None and (rotation or skew):
        page.load_image = lambda: correct_image(raw_loader(), rotation, skew)
    page.rotation, page.skew = rotation, skew
    page.width, page.height = float(d["width"]), float(d["height"])
    page.lines = _lines_of(d)
    return True


# --- expectations from the truth ----------------------------------------------------------------


def _findings(truth: dict, code: str) -> list[dict]:
    return [f for f in truth["findings"] if f["code"] == code]


def _names_doc(truth: dict, code: str, doc: str) -> bool:
    return any(doc in (f.get("documents") or []) for f in _findings(truth, code))


def _field(truth: dict, key: str) -> Any:
    f = truth["fields"].get(key)
    return f.get("value") if f else None


def checks(truth: dict, evidence: Any) -> list[tuple[str, str, bool, str]]:
    """(document type, check name, passed, detail) for every consequence the truth fixes."""
    out: list[tuple[str, str, bool, str]] = []
    name = _field(truth, "master_name")
    idn = _field(truth, "master_id_number")
    level = _field(truth, "master_skill_level")

    def add(doc: str, what: str, got: Any, want: Any, differ: bool = False) -> None:
        ok = (got is not None and got != want) if differ else got == want
        out.append((doc, what, ok, f"got {got!r}, {'≠' if differ else '='} {want!r}"))

    def val(v: Any) -> Any:
        return v.value if v is not None else None

    # ID card: name / number agree with the form unless a finding says they do not; the birth
    # date and gender inside the card's own number agree with its printed ones.
    for card in evidence.id_cards:
        add("id_card", "name", val(card.name), name, _names_doc(truth, "NAME_MISMATCH", "id_card"))
        want_id = idn
        differ = _names_doc(truth, "ID_NUMBER_MISMATCH", "id_card")
        if any(f["code"] == "ID_CHECKSUM_INVALID" for f in truth["findings"]):
            differ = True
        add("id_card", "id_number", val(card.id_number), want_id, differ)
        number = val(card.id_number) or ""
        if len(number) == 18:
            birth = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
            add("id_card", "birth", val(card.birth), birth)
            add("id_card", "gender", val(card.gender), "男" if int(number[16]) % 2 else "女")
        else:
            out.append(("id_card", "birth", False, "no number"))
            out.append(("id_card", "gender", False, "no number"))
        add("id_card", "ethnicity", val(card.ethnicity), _field(truth, "master_ethnicity"))
        out.append(("id_card", "address", card.address is not None and len(str(card.address.value)) >= 8,
                    repr(val(card.address))))
        out.append(("id_card", "authority", card.authority is not None and "公安" in str(card.authority.value),
                    repr(val(card.authority))))
        out.append(("id_card", "valid_period", card.valid_period is not None, repr(val(card.valid_period))))
    for cert in evidence.certificates:
        if cert.doc_type == "qualification_certificate":
            add(cert.doc_type, "name", val(cert.name), name, _names_doc(truth, "NAME_MISMATCH", cert.doc_type))
            differ = _names_doc(truth, "ID_NUMBER_MISMATCH", cert.doc_type) or any(
                f["code"] == "ID_CHECKSUM_INVALID" for f in truth["findings"])
            add(cert.doc_type, "id_number", val(cert.id_number), idn, differ)
            add(cert.doc_type, "level", val(cert.level), level,
                _names_doc(truth, "SKILL_LEVEL_MISMATCH", cert.doc_type))
            add(cert.doc_type, "occupation", val(cert.occupation), _field(truth, "master_occupation"))
            out.append((cert.doc_type, "number", cert.number is not None, repr(val(cert.number))))
            out.append((cert.doc_type, "issue_date", cert.issue_date is not None, repr(val(cert.issue_date))))
            out.append((cert.doc_type, "issuer", cert.issuer is not None, repr(val(cert.issuer))))
        else:
            add(cert.doc_type, "name", val(cert.name), name)
            out.append((cert.doc_type, "title_grade", val(cert.title_grade) in ("正高级", "副高级", "中级", "初级"),
                        f"{val(cert.title_rank)!r} {val(cert.title_grade)!r}"))
    # Honour certificates: the one linked to awards[i] names the applicant unless
    # AWARD_HOLDER_MISMATCH names awards[i]; its year is the claimed year unless AWARD_YEAR_MISMATCH.
    awards = truth.get("awards") or []
    for hc in evidence.honour_certificates:
        idx = [i for i, a in enumerate(awards) if set(a.get("evidence_pages") or []) & set(hc.pages)]
        if not idx:
            continue
        i = idx[0]
        ref = f"awards[{i}]"
        holder_bad = any(ref in f["fields"] for f in _findings(truth, "AWARD_HOLDER_MISMATCH"))
        year_bad = any(ref in f["fields"] for f in _findings(truth, "AWARD_YEAR_MISMATCH"))
        add("honour_certificate", f"holder p{hc.pages[0]}", val(hc.holder), name, holder_bad)
        add("honour_certificate", f"title p{hc.pages[0]}", hc.title, awards[i].get("title"))
        add("honour_certificate", f"year p{hc.pages[0]}", val(hc.year), awards[i].get("year"), year_bad)
        out.append(("honour_certificate", f"issuer p{hc.pages[0]}", hc.issuer is not None, repr(val(hc.issuer))))
    for lic in evidence.business_licenses:
        code = _field(truth, "unit_credit_code")
        if code is not None:
            add("business_license", "credit_code", val(lic.credit_code), code)
        add("business_license", "name", val(lic.name), _field(truth, "unit_name"))
        out.append(("business_license", "legal_rep", lic.legal_rep is not None, repr(val(lic.legal_rep))))
    for tf in evidence.training_funds:
        add("training_fund_proof", "total", val(tf.total), _field(truth, "training_fund_total"))
        add("training_fund_proof", "high_skill", val(tf.high_skill), _field(truth, "training_fund_high_skill"))
    summary_bad = {k for f in _findings(truth, "SUMMARY_MISMATCH") for k in f["fields"]}
    rows = [r for r in evidence.table_rows if r.doc_type == "summary_table"]
    if any(d["type"] == "summary_table" for d in truth["documents"]):
        out.append(("summary_table", "row", bool(rows), f"{len(rows)} rows"))
    for row in rows[:1]:
        for key in ("master_name", "master_id_number", "master_skill_level", "unit_name", "unit_credit_code"):
            if key in row.cells:
                add("summary_table", key, val(row.cells[key]), _field(truth, key), key in summary_bad)
    award_rows = [r for r in evidence.table_rows if r.doc_type == "award_table"]
    if any(d["type"] == "award_table" for d in truth["documents"]):
        claimed = [a for a in awards]
        out.append(("award_table", "rows", len(award_rows) == len(claimed), f"{len(award_rows)} rows, {len(claimed)} awards"))
        for row, a in zip(award_rows, claimed, strict=False):
            add("award_table", "year", val(row.cells.get("year")), a.get("year"))
    return out


# --- packets ------------------------------------------------------------------------------------


def corpus_items(corpus: Path, only: list[str] | None) -> list[tuple[str, Path, dict]]:
    items = []
    for truth_file in sorted((corpus / "truth").glob("*.json")):
        truth = json.loads(truth_file.read_text(encoding="utf-8"))
        pid = truth["packet_id"]
        if not truth["documents"] or (only and pid not in only):
            continue
        path = next(p for p in (corpus / "packets").glob(pid + "*") if p.stem == pid or p.name == pid)
        items.append((pid, path, truth))
    return items


def fixture_items(n: int, fmt: str, out: Path) -> list[tuple[str, Path, dict]]:
    from shenbao.fixtures import JURISDICTIONS, PacketSpec, build_packet

    items = []
    for j in JURISDICTIONS:
        for seed in range(n):
            spec = PacketSpec(f"fx-{fmt}-{j}-{seed}", j, seed=2000 + seed, include_training_fund=j != "liangping-2023")
            b = build_packet(spec, out, fmt, degrade="scan")
            items.append((b.packet_id, b.path, b.truth))
    return items


def main() -> int:
    from shenbao.extractors.evidence import read_evidence

    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--classify", action="store_true", help="documents from the classifier, not the truth")
    ap.add_argument("--details", action="store_true", help="print every failed check")
    ap.add_argument("--ocr-missing", action="store_true", help="OCR pages the caches lack or hold turned (slow)")
    ap.add_argument("--fixtures", type=int, default=0, help="N fixture packets per jurisdiction instead of the corpus")
    ap.add_argument("--fixture-format", default="text_pdf")
    args = ap.parse_args()

    if args.fixtures:
        import tempfile

        items = fixture_items(args.fixtures, args.fixture_format, Path(tempfile.mkdtemp(prefix="ev_fx_")))
    else:
        items = corpus_items(args.corpus, args.only)
    per: dict[tuple[str, str], Counter] = defaultdict(Counter)
    per_check: dict[tuple[str, str], Counter] = defaultdict(Counter)
    missing_pages = 0
    for pid, path, truth in items:
        try:
            packet = ingest(path)
        except IngestError:
            continue
        fmt = "text" if all(p.kind is PageKind.TEXT for p in packet.pages) else "scan"
        wanted = {n for d in truth["documents"] if d["type"] in EVIDENCE_TYPES for n in d["pages"]}
        for page in packet.pages:
            if page.kind is PageKind.SCAN and (page.number in wanted or args.classify):
                if not ocr_lines(pid, page, args.ocr_missing):
                    missing_pages += 1
        if args.classify:
            from shenbao.extractors.classify import classify_pages, group_documents

            documents = group_documents(classify_pages(packet.pages))
        else:
            documents = [Document(**d) for d in truth["documents"]]
        evidence = read_evidence(packet.pages, documents)
        for doc, what, ok, detail in checks(truth, evidence):
            per[(doc, fmt)]["ok" if ok else "bad"] += 1
            per_check[(doc, what.split(" ")[0])]["ok" if ok else "bad"] += 1
            if not ok and args.details:
                print(f"  {pid} {doc}.{what}: {detail}")
        for d in truth["documents"]:
            if d["type"] in EVIDENCE_TYPES - {"deeds_material"}:
                got = _read_count(evidence, d["type"], d["pages"])
                per[(d["type"], fmt)]["docs"] += 1
                per[(d["type"], fmt)]["read"] += got
    print(f"\n{'document type':28} {'fmt':5} {'docs':>5} {'found':>6} {'checks ok':>10}")
    for (doc, fmt), c in sorted(per.items()):
        n = c["ok"] + c["bad"]
        rate = f"{c['ok']}/{n} {100 * c['ok'] / n:5.1f}%" if n else "-"
        print(f"{doc:28} {fmt:5} {c['docs']:5} {c['read']:6} {rate:>16}")
    print(f"\n{'check':44} {'ok':>12}")
    for (doc, what), c in sorted(per_check.items()):
        n = c["ok"] + c["bad"]
        print(f"{doc + '.' + what:44} {c['ok']:4}/{n:<4} {100 * c['ok'] / n:5.1f}%")
    tot = sum(c["ok"] for c in per.values()), sum(c["ok"] + c["bad"] for c in per.values())
    print(f"\nall checks: {tot[0]}/{tot[1]} = {100 * tot[0] / max(1, tot[1]):.1f}%")
    if missing_pages:
        print(f"{missing_pages} scanned pages had no usable OCR (run with --ocr-missing)")
    return 0


def _read_count(evidence: Any, doc_type: str, pages: list[int]) -> int:
    """1 when the evidence holds a read of this document (one that covers its pages)."""
    groups = {
        "id_card": evidence.id_cards,
        "qualification_certificate": [c for c in evidence.certificates if c.doc_type == doc_type],
        "title_certificate": [c for c in evidence.certificates if c.doc_type == doc_type],
        "honour_certificate": evidence.honour_certificates,
        "business_license": evidence.business_licenses,
        "training_fund_proof": evidence.training_funds,
        "summary_table": [r for r in evidence.table_rows if r.doc_type == doc_type],
        "award_table": [r for r in evidence.table_rows if r.doc_type == doc_type],
    }[doc_type]
    return int(any(set(r.pages) & set(pages) for r in groups))


if __name__ == "__main__":
    raise SystemExit(main())
