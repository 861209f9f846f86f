"""Read every supporting document of a packet into `Evidence` (one reader per document type).

    evidence = read_evidence(packet.pages, result.documents)       # pages with `lines` filled
    fields = fill_fields_from_evidence(evidence)                   # training_fund_total / _high_skill

`documents` is the classifier's grouped list (shenbao.models.Document); pages are looked up by
number, so a page list holding only some of the packet's pages reads only those documents.
A reader that fails on one document is logged and skipped: one odd page never costs the
rest of the evidence.
"""

from __future__ import annotations

import logging

from shenbao.extractors.evidence.certificate import read_qualification, read_title
from shenbao.extractors.evidence.honour import read_honour_certificate
from shenbao.extractors.evidence.id_card import read_id_card
from shenbao.extractors.evidence.layout import PageText
from shenbao.extractors.evidence.license import read_business_license
from shenbao.extractors.evidence.model import Evidence, Value
from shenbao.extractors.evidence.prose import read_prose
from shenbao.extractors.evidence.tables import read_award_table, read_summary_table
from shenbao.extractors.evidence.training_fund import read_training_fund
from shenbao.matchers.honours import HonourList, load_honours
from shenbao.models import Document
from shenbao.pipeline.types import Page

log = logging.getLogger(__name__)

PROSE_TYPES = frozenset({
    "deeds_material", "application_report", "recommendation_report", "commitment_letter", "police_opinion",
    "integrity_statement",
})


def _type_of(document: Document) -> str:
    return str(getattr(document.type, "value", document.type))


def read_evidence(pages: list[Page], documents: list[Document], honours: HonourList | None = None,
                  jurisdiction: str | None = None) -> Evidence:
    """Everything the evidence readers find in `documents` (values with page, box, confidence).

    `jurisdiction` only helps the honour matcher settle a claim's own-region words.
    """
    by_number = {p.number: p for p in pages}
    texts: dict[int, PageText] = {}
    evidence = Evidence()

    def text_of(doc_pages: list[Page]) -> list[PageText]:
        out = []
        for p in doc_pages:
            if p.number not in texts:
                texts[p.number] = PageText.of(p)
            out.append(texts[p.number])
        return out

    for document in documents:
        kind = _type_of(document)
        doc_pages = [by_number[n] for n in sorted(document.pages) if n in by_number]
        if not doc_pages:
            continue
        try:
            if kind == "id_card":
                evidence.id_cards.append(read_id_card(text_of(doc_pages)))
            elif kind == "qualification_certificate":
                evidence.certificates.append(read_qualification(text_of(doc_pages)))
            elif kind == "title_certificate":
                evidence.certificates.append(read_title(text_of(doc_pages)))
            elif kind == "honour_certificate":
                if honours is None:
                    honours = load_honours()
                evidence.honour_certificates.append(
                    read_honour_certificate(text_of(doc_pages), honours, jurisdiction)
                )
            elif kind == "business_license":
                evidence.business_licenses.append(read_business_license(text_of(doc_pages)))
            elif kind == "training_fund_proof":
                evidence.training_funds.append(read_training_fund(text_of(doc_pages)))
            elif kind == "summary_table":
                text_of(doc_pages)
                evidence.table_rows.extend(read_summary_table(doc_pages, texts))
            elif kind == "award_table":
                text_of(doc_pages)
                evidence.table_rows.extend(read_award_table(doc_pages, texts))
            elif kind in PROSE_TYPES:
                evidence.prose.append(read_prose(kind, text_of(doc_pages)))
        except Exception:  # one document's reader failing must not cost the others
            log.exception("evidence reader for %s failed on pages %s", kind, document.pages)
    return evidence


def fill_fields_from_evidence(evidence: Evidence) -> dict[str, Value]:
    """Result fields that come from evidence rather than from the form: the training-fund
    proof's two amounts (from the first proof that gives them)."""
    out: dict[str, Value] = {}
    for proof in evidence.training_funds:
        if "training_fund_total" not in out and proof.total is not None:
            out["training_fund_total"] = proof.total
        if "training_fund_high_skill" not in out and proof.high_skill is not None:
            out["training_fund_high_skill"] = proof.high_skill
    return out
