"""What each evidence document prints, written into its `documents[i].fields` (RESULT.md
"Evidence fields"), and the findings those values raise on their own.

The evidence readers (shenbao.extractors.evidence) keep their reads in `Evidence`, one read per
document, each naming its pages. Here every document of an evidence type gets every key of its
type: the read value with page, box (in result units) and confidence, or null where the
document does not show it. A value is as printed: a malformed one (`Value.malformed`) is kept
and raises its finding here when no form value stands for it; a value read in part
(`Value.partial`, a date half under a seal) keeps what was read and is flagged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shenbao.extractors.evidence.common import ORG_END
from shenbao.extractors.evidence.model import (
    BusinessLicenseRead,
    CertificateRead,
    Evidence,
    HonourCertificateRead,
    IdCardRead,
    TrainingFundRead,
    Value,
)
from shenbao.models import EVIDENCE_FIELD_KEYS, Document, FieldResult, Finding, FindingCode, Result
from shenbao.models.labels import DOCUMENT_LABELS, EVIDENCE_LABELS
from shenbao.pipeline.confidence import value_confidence
from shenbao.pipeline.types import Page, PageKind
from shenbao.rules.validators import CHECK_FAILED

# Evidence values read below this confidence, or by OCR with all their characters right with a
# chance below LOW_VALUE_CONFIDENCE (confidence.py), are named in one LOW_CONFIDENCE finding per
# document: the defaults of the form's thresholds (ReviewOptions).
LOW_CONFIDENCE = 0.80
LOW_VALUE_CONFIDENCE = 0.5


_MALFORMED_MESSAGE = "{doc}（第{page}页）上的{label}为“{value}”，{why}；请人工核对原件"
_PARTIAL_MESSAGE = "{doc}（第{page}页）上的{label}识别不全：{why}；请人工核对原件"
_UNSURE_MESSAGE = "{doc}（第{pages}页）以下内容识别把握不大，请人工核对：{items}"


def _id_card(read: IdCardRead) -> dict[str, Value | None]:
    return {"name": read.name, "gender": read.gender, "ethnicity": read.ethnicity, "birth": read.birth,
            "address": read.address, "id_number": read.id_number, "issuer": read.authority,
            "valid_until": read.valid_until}


def _certificate(read: CertificateRead) -> dict[str, Value | None]:
    if read.doc_type == "title_certificate":
        return {"holder": read.name, "title": read.title_rank, "rank": read.title_grade, "issuer": read.issuer,
                "issue_date": read.issue_date}
    return {"holder": read.name, "id_number": read.id_number, "occupation": read.occupation, "level": read.level,
            "certificate_no": read.number, "issuer": read.issuer, "issue_date": read.issue_date}


def _honour(read: HonourCertificateRead) -> dict[str, Value | None]:
    title = None
    if read.title is not None and read.title_text is not None:
        t = read.title_text
        # How sure the canonical title is: the reading's confidence and the list match's score.
        sure = min(t.confidence, (read.match_score or 100.0) / 100.0)
        title = Value(value=read.title, raw=t.raw, page=t.page, bbox=t.bbox, confidence=round(sure, 3))
    return {"holder": read.holder, "title_text": read.title_text, "title": title, "year": read.year,
            "issuer": read.issuer, "certificate_no": read.number}


def _licence(read: BusinessLicenseRead) -> dict[str, Value | None]:
    return {"unit_name": read.name, "credit_code": read.credit_code, "unit_type": read.kind,
            "legal_rep": read.legal_rep, "founded": read.founded, "registered_capital": read.capital,
            "address": read.address}


def _fund(read: TrainingFundRead) -> dict[str, Value | None]:
    return {"year": read.year, "training_fund_total": read.total, "training_fund_high_skill": read.high_skill}


Reads = dict[tuple[str, tuple[int, ...]], dict[str, Value | None]]


def _reads(evidence: Evidence) -> Reads:
    """(document type, its sorted pages) -> key -> value, for every evidence read."""
    out: list[tuple[str, list[int], dict[str, Value | None]]] = []
    out += [("id_card", r.pages, _id_card(r)) for r in evidence.id_cards]
    out += [(r.doc_type, r.pages, _certificate(r)) for r in evidence.certificates]
    out += [("honour_certificate", r.pages, _honour(r)) for r in evidence.honour_certificates]
    out += [("business_license", r.pages, _licence(r)) for r in evidence.business_licenses]
    out += [("training_fund_proof", r.pages, _fund(r)) for r in evidence.training_funds]
    return {(kind, tuple(sorted(pages))): values for kind, pages, values in out}


def _of(reads: Reads, document: Document) -> dict[str, Value | None]:
    return reads.get((str(getattr(document.type, "value", document.type)), tuple(sorted(document.pages))), {})


def field_result(value: Value | None, page: Page | None) -> FieldResult | None:
    if value is None:
        return None
    bbox = [round(v * page.unit_scale, 1) for v in value.bbox] if value.bbox is not None and page else None
    return FieldResult(value=value.value, page=value.page, bbox=bbox, confidence=round(float(value.confidence), 3))


def fill_document_fields(documents: list[Document], evidence: Evidence, pages: list[Page]) -> list[Finding]:
    """Put every evidence document's printed values into `document.fields`; return the
    LOW_CONFIDENCE findings for values read in part or unsurely. Documents of an evidence type
    whose reader failed still get every key, all null."""
    by_number = {p.number: p for p in pages}
    reads = _reads(evidence)
    findings: list[Finding] = []
    for index, document in enumerate(documents):
        kind = str(getattr(document.type, "value", document.type))
        keys = EVIDENCE_FIELD_KEYS.get(kind)
        if keys is None:
            continue
        values = _of(reads, document)
        document.fields = {
            key: field_result(values.get(key), by_number.get(values[key].page) if values.get(key) else None)
            for key in keys
        }
        scanned = {n for n in document.pages if n in by_number and by_number[n].kind is PageKind.SCAN}
        findings += _doc_findings(index, kind, document, values, scanned)
    return findings


def _doc_findings(index: int, kind: str, document: Document, values: dict[str, Value | None],
                  scanned: set[int]) -> list[Finding]:
    doc_label = DOCUMENT_LABELS.get(kind, kind)
    out: list[Finding] = []
    unsure: list[str] = []
    for key, value in values.items():
        if value is None:
            continue
        where = f"documents[{index}].fields.{key}"
        label = EVIDENCE_LABELS.get(key, key)
        if value.partial:
            out.append(Finding.make(FindingCode.LOW_CONFIDENCE, _PARTIAL_MESSAGE.format(
                doc=doc_label, page=value.page, label=label, why=value.partial),
                fields=[where], pages=[value.page]))
        elif value.confidence < LOW_CONFIDENCE or (
                value.page in scanned and value_confidence(value.value, value.confidence) < LOW_VALUE_CONFIDENCE):
            unsure.append(f"{label}“{value.value}”（{value.confidence:.2f}）")
        elif key == "issuer" and isinstance(value.value, str) and not ORG_END.search(value.value):
            # a body's name that does not end as one does was cut short (a seal, a line break)
            unsure.append(f"{label}“{value.value}”（不像完整的机构名称）")
    if unsure:
        out.append(Finding.make(FindingCode.LOW_CONFIDENCE, _UNSURE_MESSAGE.format(
            doc=doc_label, pages="、".join(map(str, document.pages)), items="；".join(unsure)),
            fields=[f"documents[{index}]"], pages=list(document.pages)))
    return out


def malformed_code_findings(documents: list[Document], evidence: Evidence, form_values: dict[str, Any],
                            ocr_pages: set[int], describe: Callable[[str], str] = str) -> list[Finding]:
    """CREDIT_CODE_INVALID / ID_CHECKSUM_INVALID for a code printed on an evidence document that
    fails its check and stands for no form value: where the form holds a value of its own, the
    form's checks and the comparison of the two (ID_NUMBER_MISMATCH, SUMMARY_MISMATCH) speak for
    it. A code whose very shape is wrong on a scanned page (a character lost or added) may be
    the recogniser's slip as much as the print's: it is shown as LOW_CONFIDENCE instead."""
    checks = {
        "credit_code": ("unit_credit_code", FindingCode.CREDIT_CODE_INVALID),
        "id_number": ("master_id_number", FindingCode.ID_CHECKSUM_INVALID),
    }
    reads = _reads(evidence)
    out: list[Finding] = []
    for index, document in enumerate(documents):
        for key, (form_key, code) in checks.items():
            field = (document.fields or {}).get(key)
            if field is None or field.value is None or form_values.get(form_key) is not None:
                continue
            value = _of(reads, document).get(key)
            if value is None or value.malformed is None:
                continue
            where = f"documents[{index}].fields.{key}"
            doc_label = DOCUMENT_LABELS.get(str(document.type), str(document.type))
            label = EVIDENCE_LABELS[key]
            shape_fault = value.malformed != CHECK_FAILED
            found = FindingCode.LOW_CONFIDENCE if shape_fault and value.page in ocr_pages else code
            out.append(Finding.make(found, _MALFORMED_MESSAGE.format(
                doc=doc_label, page=value.page, label=label, value=value.value,
                why=f"{value.malformed}（{describe(str(code))}）"),
                fields=[where], pages=[value.page]))
    return out


# An issuer read this much like (partial ratio) the one the packet states for the honour, but
# neither holding the other, is the same body misread: a person looks. Below it, another body.
ISSUER_NEAR = 75.0
_ISSUER_MESSAGE = ("{doc}（第{page}页）上的发证机关识别为“{read}”，与{where}所写“{stated}”相近而不同，"
                   "可能是签章处字迹或印章遮挡造成的识别错误；请人工核对原件")


def issuer_crosscheck(result: Result) -> list[Finding]:
    """Each honour certificate's issuer against the issuer the packet states for the honour it
    proves (the form's award table, else the recognised honour list's issuer of the title)."""
    from rapidfuzz import fuzz

    out: list[Finding] = []
    for index, document in enumerate(result.documents):
        field = (document.fields or {}).get("issuer")
        if field is None or field.value is None or document.award_index is None:
            continue
        if document.award_index >= len(result.awards):
            continue
        stated = result.awards[document.award_index].issuer
        if not stated:
            continue
        read, stated = str(field.value), str(stated)
        if stated in read or read in stated or fuzz.partial_ratio(read, stated) < ISSUER_NEAR:
            continue
        out.append(Finding.make(FindingCode.LOW_CONFIDENCE, _ISSUER_MESSAGE.format(
            doc=DOCUMENT_LABELS.get("honour_certificate", "荣誉证书"), page=field.page, read=read,
            where="申报材料中该荣誉", stated=stated),
            fields=[f"documents[{index}].fields.issuer"], pages=[p for p in (field.page,) if p]))
    return out
