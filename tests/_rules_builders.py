"""Inputs for the rule engine built without reading any packet.

- `case_from_plan(plan)`: the Result the pipeline should produce for a fixture plan, and the
  Evidence its pages show (ID card, certificates, honour certificates, proof, summary row,
  事迹材料), so that every rule — evidence-based ones too — can be checked against the plan's
  exact findings.
- `result_from_truth(truth)`: a truth JSON's documents/fields/awards as a Result (findings left
  out except UNREADABLE_INPUT, which the engine must respect).
- `evidence_agreeing_with(result)`: Evidence that repeats the form, so that no evidence-based
  finding can fire and only form/document/manifest rules speak.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shenbao.extractors.evidence.model import (
    BusinessLicenseRead,
    CertificateRead,
    Evidence,
    HonourCertificateRead,
    IdCardRead,
    ProseRead,
    TableRow,
    TrainingFundRead,
    Value,
)
from shenbao.extractors.normalize.text import count_text_length
from shenbao.fixtures.layouts import LAYOUTS, SUMMARY_KEYS
from shenbao.fixtures.plan import Plan
from shenbao.models.result import FIELD_KEYS, Result

# Codes other stages own: the engine must not produce them, so comparisons leave them out.
NOT_RULES = {"UNREADABLE_INPUT", "LOW_CONFIDENCE", "DUPLICATE_APPLICANT", "AWARD_UNRECOGNISED"}
# Findings that need the evidence readers (with an empty Evidence they cannot be seen).
EVIDENCE_CODES = {
    "NAME_MISMATCH", "ID_NUMBER_MISMATCH", "AWARD_HOLDER_MISMATCH", "AWARD_YEAR_MISMATCH",
    "SKILL_LEVEL_MISMATCH", "SUMMARY_MISMATCH",
}


def finding_key(f: dict) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """What scoring matches a finding by: code and the fields/documents it names."""
    return (str(f["code"]), tuple(sorted(f.get("fields") or [])), tuple(sorted(f.get("documents") or [])))


def keys_of(findings) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    out = []
    for f in findings:
        d = f if isinstance(f, dict) else f.model_dump(mode="json")
        out.append(finding_key(d))
    return sorted(out)


def evidence_based(f: dict) -> bool:
    return f["code"] in EVIDENCE_CODES or (f["code"] == "TEXT_LENGTH" and bool(f.get("documents")))


def V(value, page: int) -> Value:  # noqa: N802 - short constructor for test data
    return Value(value=value, raw=str(value), page=page)


@dataclass
class Case:
    result: Result
    evidence: Evidence
    received_at: datetime
    expected: list[dict]  # the plan's findings the rules own


def case_from_plan(plan: Plan) -> Case:
    j = plan.jurisdiction
    # One page per document (the form two), in packet order.
    documents: list[dict] = []
    page_of: dict[str, list[int]] = {}
    n = 0
    for item in plan.documents:
        kind, _, arg = item.partition(":")
        size = 2 if kind == "application_form" else 1
        pages = list(range(n + 1, n + size + 1))
        n += size
        doc: dict = {"type": "honour_certificate" if kind == "honour" else kind, "pages": pages}
        if kind == "honour":
            doc["award_index"] = int(arg)
        documents.append(doc)
        page_of.setdefault(item if kind == "honour" else kind, pages)
    present = {d["type"] for d in documents}

    # Fields as the truth file has them (shenbao.fixtures.build.truth_for).
    keys = set(LAYOUTS[j].keys()) | {"submission_date"}
    if "business_license" in present:
        keys.add("unit_credit_code")
    if plan.training_fund and "training_fund_proof" in present:
        keys |= {"training_fund_total", "training_fund_high_skill"}
    if plan.studio_name and "application_report" in present:
        keys.add("studio_name")
    form_page = page_of["application_form"][0]
    fields = {
        key: {"value": plan.truth.get(key), "page": form_page if plan.truth.get(key) is not None else None}
        for key in FIELD_KEYS
        if key in keys
    }
    awards = []
    for i, a in enumerate(plan.awards):
        award = {
            "claimed_text": a.claimed_text, "title": a.title, "year": a.year, "issuer": a.issuer, "level": a.level,
            "evidence_pages": page_of.get(f"honour:{i}", []),
        }
        if a.section:
            award["section"] = a.section
        awards.append(award)
    result = Result.model_validate(
        {"packet_id": plan.spec.packet_id, "jurisdiction": j, "documents": documents, "fields": fields, "awards": awards}
    )

    ev = Evidence()
    if "id_card" in page_of:
        p = page_of["id_card"][0]
        card = plan.id_card
        ev.id_cards.append(
            IdCardRead(pages=[p], name=V(card["name"], p), gender=V(card["gender"], p),
                       birth=V(card["birth"], p), id_number=V(card["number"], p))
        )
    if "qualification_certificate" in page_of:
        p = page_of["qualification_certificate"][0]
        q = plan.qual
        ev.certificates.append(
            CertificateRead(doc_type="qualification_certificate", pages=[p], name=V(q.name, p),
                            id_number=V(q.id_number, p), level=V(q.level, p), occupation=V(q.occupation, p))
        )
    if "title_certificate" in page_of:
        p = page_of["title_certificate"][0]
        ev.certificates.append(
            CertificateRead(doc_type="title_certificate", pages=[p], name=V(plan.person.name, p),
                            title_rank=V("高级工程师", p), title_grade=V("副高级", p))
        )
    for i, a in enumerate(plan.awards):
        if f"honour:{i}" in page_of:
            p = page_of[f"honour:{i}"][0]
            ev.honour_certificates.append(
                HonourCertificateRead(pages=[p], holder=V(a.cert_holder, p), title_text=V(a.cert_title, p),
                                      title=a.title, year=V(a.cert_year, p))
            )
    if "business_license" in page_of:
        p = page_of["business_license"][0]
        ev.business_licenses.append(
            BusinessLicenseRead(pages=[p], name=V(plan.unit.name, p), credit_code=V(plan.truth["unit_credit_code"], p))
        )
    if plan.training_fund and "training_fund_proof" in page_of:
        p = page_of["training_fund_proof"][0]
        total, high, _ = plan.training_fund
        ev.training_funds.append(TrainingFundRead(pages=[p], total=V(total, p), high_skill=V(high, p)))
    if "summary_table" in page_of:
        p = page_of["summary_table"][0]
        cells = {
            key: V(plan.summary["_level"] if key == "master_skill_level" else plan.summary[key], p)
            for key in SUMMARY_KEYS[j]
        }
        ev.table_rows.append(TableRow(doc_type="summary_table", pages=[p], cells=cells))
    if "deeds_material" in page_of and plan.deeds:
        text = "\n".join(plan.deeds)
        ev.prose.append(ProseRead(doc_type="deeds_material", pages=page_of["deeds_material"], text=text,
                                  length=count_text_length(text)))
    expected = [f for f in plan.findings if f["code"] not in NOT_RULES]
    return Case(result, ev, plan.received_at, expected)


def result_from_truth(truth: dict) -> Result:
    keep = [f for f in truth.get("findings", []) if f["code"] == "UNREADABLE_INPUT"]
    return Result.model_validate({**truth, "findings": keep})


def evidence_agreeing_with(result: Result) -> Evidence:
    """Evidence that says what the form says: no evidence-based rule can object to it."""
    def val(key: str):
        f = result.fields.get(key)
        return f.value if f else None

    def first_page(doc_type: str) -> int | None:
        pages = [p for d in result.documents if d.type == doc_type for p in d.pages]
        return min(pages) if pages else None

    ev = Evidence()
    name, number, level = val("master_name"), val("master_id_number"), val("master_skill_level")
    if (p := first_page("id_card")) is not None:
        ev.id_cards.append(IdCardRead(pages=[p], name=V(name, p), id_number=V(number, p)))
    if (p := first_page("qualification_certificate")) is not None:
        ev.certificates.append(
            CertificateRead(doc_type="qualification_certificate", pages=[p], name=V(name, p),
                            id_number=V(number, p), level=V(level, p))
        )
    for award in result.awards:
        if award.evidence_pages:
            p = award.evidence_pages[0]
            ev.honour_certificates.append(
                HonourCertificateRead(pages=list(award.evidence_pages), holder=V(name, p),
                                      title_text=V(award.title or award.claimed_text, p), title=award.title,
                                      year=V(award.year, p))
            )
    if (p := first_page("summary_table")) is not None:
        cells = {k: V(val(k), p) for k in ("master_name", "master_id_number", "master_skill_level", "unit_name",
                                           "unit_credit_code") if val(k) is not None}
        ev.table_rows.append(TableRow(doc_type="summary_table", pages=[p], cells=cells))
    return ev
