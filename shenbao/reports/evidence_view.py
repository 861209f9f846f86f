"""What each evidence document says, beside what the form says, for the report's document list.

A reviewer compares the ID card's name with the form's, the licence's credit code with the
form's, without opening the page: each evidence field of `documents[i].fields` is one row with
the form's value for the same thing (where the form has one) and whether the two agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from shenbao.models import Document, Result
from shenbao.models.labels import EVIDENCE_LABELS

# Evidence key -> the form field stating the same thing, per document type.
FORM_KEY: dict[str, dict[str, str]] = {
    "id_card": {"name": "master_name", "gender": "master_gender", "ethnicity": "master_ethnicity",
                "birth": "master_birth", "id_number": "master_id_number"},
    "qualification_certificate": {"holder": "master_name", "id_number": "master_id_number",
                                  "occupation": "master_occupation", "level": "master_skill_level"},
    "title_certificate": {"holder": "master_name"},
    "honour_certificate": {"holder": "master_name"},
    # (the licence's 类型 and the form's 单位性质 are different vocabularies: not compared)
    "business_license": {"unit_name": "unit_name", "credit_code": "unit_credit_code"},
    "training_fund_proof": {"training_fund_total": "training_fund_total",
                            "training_fund_high_skill": "training_fund_high_skill"},
}


@dataclass
class EvidenceRow:
    label: str
    value: str  # as the document prints it ("—" where it does not show it)
    confidence: float | None
    form_value: str  # the form's value for the same thing ("" where the form has none)
    agrees: bool | None  # None where there is nothing to compare


def _text(value: Any) -> str:
    return "" if value is None else re.sub(r"\s+", "", str(value))


def _agree(doc_key: str, evidence: str, form: str) -> bool:
    if doc_key == "birth":  # the form gives 出生年月 (YYYY-MM), the card the day too
        return evidence[: len(form)] == form
    return evidence.upper() == form.upper()


def evidence_rows(document: Document, result: Result) -> list[EvidenceRow]:
    if not document.fields:
        return []
    kind = str(document.type)
    links = FORM_KEY.get(kind, {})
    rows = []
    for key, field in document.fields.items():
        value = field.value if field is not None else None
        form_key = links.get(key)
        form_field = result.fields.get(form_key) if form_key else None
        form = _text(form_field.value) if form_field is not None else ""
        shown = _text(value)
        agrees = _agree(key, shown, form) if shown and form else None
        rows.append(EvidenceRow(EVIDENCE_LABELS.get(key, key), shown or "—",
                                field.confidence if field is not None else None, form, agrees))
    return rows
