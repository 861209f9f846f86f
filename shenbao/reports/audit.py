"""audit.jsonl: what every field, award and finding of a packet was derived from.

One JSON object per line, each with a `record` type:

- `packet`  — input file and its SHA-256, format, jurisdiction (and why), versions of shenbao,
              the OCR engine/models and the rule pack (a digest of the rule code and data files),
              manifest entry, timestamps, stage timings and problems;
- `page`    — once per page: kind, size, unit scale, rotation/skew, OCR engine, the document type
              it was classified as (with its evidence and scores), and every text line (text, box,
              confidence) — so a finding can be re-derived without running OCR again;
- `field`   — value, page, box, confidence, and the page's text lines under that box;
- `document` — each evidence document's printed values (its `fields` in result.json), each with
              the page's text lines under its box;
- `evidence` — what the evidence readers found on ID cards, certificates, licences, proofs and
              summary tables (each value with its raw text, page, box and confidence);
- `award`   — the claim as read (text, year, section, page, box), the matcher's normalised
              text, score, best alternatives, level/issuer/acceptance, and evidence pages;
- `finding` — code, severity, message, fields/documents/pages, the rule id and notice citation
              when the rule gave them, and the values of the fields it names.

Boxes are in the result's units (`units` of the packet record), like result.json.
"""

from __future__ import annotations

import hashlib
import json
import platform
import re
from dataclasses import asdict, is_dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shenbao import __version__
from shenbao.pipeline.ingest import file_sha256 as ingest_file_sha256
from shenbao.pipeline.types import BBox, Page, PageKind, TextLine
from shenbao.reports.labels import award_index

if TYPE_CHECKING:
    from shenbao.pipeline.review import PacketContext

REPO = Path(__file__).resolve().parents[2]
AUDIT_FORMAT = 1
# Extra keys a rule may put on a finding (Finding allows extras) that the audit lifts out.
FINDING_PROVENANCE_KEYS = ("rule", "citation")


def audit_jsonl(ctx: PacketContext, generated_at: datetime | None = None) -> str:
    return "".join(
        json.dumps(record, ensure_ascii=False, default=_json_default) + "\n"
        for record in audit_records(ctx, generated_at)
    )


def audit_records(ctx: PacketContext, generated_at: datetime | None = None) -> list[dict[str, Any]]:
    generated_at = generated_at or datetime.now(UTC).astimezone()
    records = [_packet_record(ctx, generated_at)]
    pages = {p.number: p for p in ctx.packet.pages} if ctx.packet else {}
    classes = {c.page: c for c in ctx.page_classes}
    for page in pages.values():
        records.append(_page_record(page, classes.get(page.number)))
    for key, field in ctx.result.fields.items():
        page = pages.get(field.page) if field.page else None
        records.append(
            {
                "record": "field",
                "key": key,
                "value": field.value,
                "page": field.page,
                "bbox": field.bbox,
                "confidence": field.confidence,
                "source": "manifest" if key == "submission_date" and field.page is None else "page",
                "lines": _lines_under(page, field.bbox) if page and field.bbox else [],
            }
        )
    for index, award in enumerate(ctx.result.awards):
        records.append(_award_record(ctx, index, award, pages))
    for index, document in enumerate(ctx.result.documents):
        if document.fields is not None:
            records.append(_document_record(index, document, pages))
    if ctx.evidence is not None:
        records.append({"record": "evidence", "evidence": _in_result_units(_plain(ctx.evidence), pages)})
    for index, finding in enumerate(ctx.result.findings):
        extra = dict(finding.model_extra or {})
        named_values: dict[str, Any] = {}
        for ref in finding.fields:
            i = award_index(ref)
            if i is not None and i < len(ctx.result.awards):
                named_values[ref] = ctx.result.awards[i].model_dump(mode="json")
            elif ref in ctx.result.fields:
                named_values[ref] = ctx.result.fields[ref].value
            elif (m := _DOCUMENT_FIELD.fullmatch(ref)) and int(m[1]) < len(ctx.result.documents):
                doc_field = (ctx.result.documents[int(m[1])].fields or {}).get(m[2])
                named_values[ref] = doc_field.value if doc_field is not None else None
        records.append(
            {
                "record": "finding",
                "index": index,
                "code": finding.code,
                "severity": finding.severity,
                "message": finding.message,
                "fields": finding.fields,
                "documents": finding.documents,
                "pages": finding.pages,
                "rule": extra.pop("rule", None),
                "citation": extra.pop("citation", None),
                "values": named_values,
                "extra": extra,
            }
        )
    return records


# --- records --------------------------------------------------------------------------------

# A finding's reference to an evidence document's field: documents[3].fields.credit_code
_DOCUMENT_FIELD = re.compile(r"documents\[(\d+)\]\.fields\.(\w+)")


def _document_record(index: int, document: Any, pages: dict[int, Page]) -> dict[str, Any]:
    """An evidence document's printed values, each with the page's text lines under its box."""
    fields = {}
    for key, field in (document.fields or {}).items():
        if field is None:
            fields[key] = None
            continue
        page = pages.get(field.page) if field.page else None
        fields[key] = {**field.model_dump(mode="json"),
                       "lines": _lines_under(page, field.bbox) if page and field.bbox else []}
    return {"record": "document", "index": index, "type": str(document.type), "pages": list(document.pages),
            "fields": fields}



def _packet_record(ctx: PacketContext, generated_at: datetime) -> dict[str, Any]:
    packet = ctx.packet
    manifest = ctx.manifest
    scans_read = bool(packet) and any(p.kind is PageKind.SCAN and p.ocr_engine for p in packet.pages)
    return {
        "record": "packet",
        "audit_format": AUDIT_FORMAT,
        "packet_id": ctx.result.packet_id,
        "source": str(ctx.source),
        "sha256": packet.sha256 if packet else file_sha256(ctx.source),
        "format": str(packet.format) if packet else None,
        "pages": len(packet.pages) if packet else 0,
        "units": ctx.result.units,
        "jurisdiction": ctx.result.jurisdiction,
        "jurisdiction_evidence": ctx.jurisdiction_evidence,
        "unreadable": ctx.unreadable,
        "manifest": (
            {
                "jurisdiction": manifest.jurisdiction,
                "received_at": manifest.received_at.isoformat() if manifest.received_at else None,
                "recommender": manifest.recommender,
            }
            if manifest
            else None
        ),
        "versions": {
            "shenbao": __version__,
            "python": platform.python_version(),
            "ocr_engine": (ctx.engine.version if ctx.engine is not None else None) if scans_read else None,
            "ocr_engines_by_page": sorted({p.ocr_engine for p in packet.pages if p.ocr_engine})
            if packet
            else [],
            "rule_pack": {**rule_pack_digest(), "pack": _pack_identity(ctx.rule_pack)},
        },
        "options": {
            "engine": ctx.options.engine,
            "jurisdiction": ctx.options.jurisdiction,
            "low_confidence": ctx.options.low_confidence,
        },
        "generated_at": generated_at.isoformat(timespec="seconds"),
        "timings_s": ctx.timings,
        "problems": ctx.problems,
        "ingest_warnings": packet.warnings if packet else [],
    }


def _page_record(page: Page, page_class: Any) -> dict[str, Any]:
    scale = page.unit_scale or 1.0
    return {
        "record": "page",
        "page": page.number,
        "source": page.source,
        "kind": str(page.kind),
        "width": round(page.width * scale, 1),
        "height": round(page.height * scale, 1),
        "unit_scale": page.unit_scale,
        "rotation": page.rotation,
        "skew": page.skew,
        "ocr_engine": page.ocr_engine,
        "class": (
            {
                "type": str(page_class.type),
                "confidence": round(float(page_class.confidence), 3),
                "decided_by": page_class.decided_by,
                "evidence": list(page_class.evidence),
                "scores": {k: round(float(v), 2) for k, v in page_class.scores.items() if v},
            }
            if page_class is not None
            else None
        ),
        "lines": [_line(line, scale) for line in page.lines],
    }


def _award_record(ctx: PacketContext, index: int, award: Any, pages: dict[int, Page]) -> dict[str, Any]:
    claim = ctx.claimed_awards[index] if index < len(ctx.claimed_awards) else None
    match = ctx.award_matches[index] if index < len(ctx.award_matches) else None
    claim_page = pages.get(getattr(claim, "page", 0)) if claim else None
    claim_bbox = getattr(claim, "bbox", None)
    return {
        "record": "award",
        "index": index,
        "ref": f"awards[{index}]",
        "result": award.model_dump(mode="json"),
        "claim": (
            {
                "text": claim.claimed_text,
                "year": claim.year,
                "section": claim.section,
                "issuer": claim.issuer,
                "grade": getattr(claim, "grade", None),
                "page": claim.page or None,
                "bbox": _scaled(claim_bbox, claim_page) if claim_bbox and claim_page else None,
                "confidence": getattr(claim, "confidence", None),
            }
            if claim is not None
            else None
        ),
        "match": (
            {
                "normalised": getattr(match, "normalised", None),
                "title": match.title,
                "score": round(float(match.score), 2),
                "level": getattr(match, "level", None),
                "issuer": getattr(match, "issuer", None),
                "region": getattr(match, "region", None),
                "accepted": getattr(match, "accepted", None),
                "alternatives": [_alternative(a) for a in getattr(match, "alternatives", ())],
            }
            if match is not None
            else None
        ),
        # A claim tied between titles that the packet's certificate named (`matchers.ties`).
        "settled_by_certificate": (
            {"title": settled.title, "pages": list(settled.pages)}
            if (settled := ctx.award_settled.get(index)) is not None
            else None
        ),
        "evidence_pages": list(award.evidence_pages),
    }


# --- helpers --------------------------------------------------------------------------------


def _pack_identity(pack: Any) -> dict[str, Any] | None:
    """Which rule pack file (and notice) the findings came from, with the file's SHA-256."""
    if pack is None:
        return None
    source = getattr(pack, "source", None)
    digest = None
    if source:
        try:
            digest = hashlib.sha256(Path(source).read_bytes()).hexdigest()
        except OSError:
            digest = None
    notice = getattr(pack, "notice", None)
    return {
        "jurisdiction": getattr(pack, "jurisdiction", None),
        "name": getattr(pack, "name", None),
        "notice": notice.model_dump(mode="json") if hasattr(notice, "model_dump") else notice,
        "source": source,
        "sha256": digest,
    }


def _plain(obj: Any) -> Any:
    if is_dataclass(obj) and not isinstance(obj, type):
        return {k: _plain(v) for k, v in asdict(obj).items()}
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    return obj


def _in_result_units(obj: Any, pages: dict[int, Page]) -> Any:
    """Evidence values carry boxes in page units; the audit speaks result units throughout."""
    if isinstance(obj, list):
        return [_in_result_units(v, pages) for v in obj]
    if not isinstance(obj, dict):
        return obj
    out = {k: _in_result_units(v, pages) for k, v in obj.items()}
    page = pages.get(out.get("page")) if isinstance(out.get("page"), int) else None
    if page is not None and isinstance(out.get("bbox"), list | tuple) and len(out["bbox"]) == 4:
        out["bbox"] = _scaled(tuple(out["bbox"]), page)
    return out


def _line(line: TextLine, scale: float) -> dict[str, Any]:
    return {
        "text": line.text,
        "box": [round(v * scale, 1) for v in line.bbox],
        "confidence": round(float(line.confidence), 4),
    }


def _scaled(bbox: BBox, page: Page) -> list[float]:
    scale = page.unit_scale or 1.0
    return [round(v * scale, 1) for v in bbox]


def _lines_under(page: Page, bbox: list[float]) -> list[dict[str, Any]]:
    """The page's text lines lying mostly inside a result-units box: what the value was read from."""
    scale = page.unit_scale or 1.0
    x0, y0, x1, y1 = (v / scale for v in bbox)
    out = []
    for line in page.lines:
        lx0, ly0, lx1, ly1 = line.bbox
        iw = min(x1, lx1) - max(x0, lx0)
        ih = min(y1, ly1) - max(y0, ly0)
        area = max(1e-6, (lx1 - lx0) * (ly1 - ly0))
        if iw > 0 and ih > 0 and iw * ih / area >= 0.5:
            out.append(_line(line, scale))
    return out


def _alternative(alt: Any) -> dict[str, Any]:
    """The matcher gives (title, score) pairs; accept objects with those attributes as well."""
    if isinstance(alt, tuple | list) and len(alt) >= 2:
        return {"title": alt[0], "score": round(float(alt[1]), 2)}
    return {"title": getattr(alt, "title", str(alt)), "score": round(float(getattr(alt, "score", 0.0)), 2)}


@lru_cache(maxsize=1)
def rule_pack_digest() -> dict[str, Any]:
    """Identity of the rules in force: SHA-256 over the rule code and the data files (honour
    list, label and document-type cues, jurisdictions, rule tables). Two runs with the same
    digest applied the same rules."""
    roots = [REPO / "shenbao" / "rules", REPO / "data"]
    files: dict[str, str] = {}
    for root in roots:
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(REPO).as_posix()
            if not path.is_file() or "/samples/" in f"/{rel}" or "__pycache__" in rel:
                continue
            if path.suffix not in {".py", ".yaml", ".yml", ".csv", ".json", ".toml"}:
                continue
            files[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    total = hashlib.sha256("".join(f"{k}:{v}\n" for k, v in sorted(files.items())).encode()).hexdigest()
    return {"digest": total, "files": {k: v[:16] for k, v in files.items()}}


def file_sha256(path: Path) -> str | None:
    """An unreadable packet has no Packet, but the auditor still wants to know which bytes."""
    try:
        return ingest_file_sha256(path) if path.is_file() else None
    except OSError:
        return None


def _json_default(obj: Any) -> Any:
    if is_dataclass(obj) and not isinstance(obj, type):
        return asdict(obj)
    if isinstance(obj, datetime):
        return obj.isoformat()
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, set | frozenset | tuple):
        return list(obj)
    return str(obj)
