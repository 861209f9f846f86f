from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from shenbao.models import Finding, FindingCode, Result, Severity, severity_of
from shenbao.models.schema import schema_text
from tests.conftest import REPO

EXAMPLE = {
    "packet_id": "whu-2024-0007",
    "jurisdiction": "wuhan-2024",
    "units": "px@200dpi",
    "documents": [
        {"type": "application_form", "pages": [1, 2, 3]},
        {"type": "honour_certificate", "pages": [8], "award_index": 0},
    ],
    "fields": {
        "master_name": {"value": "王建国", "page": 2, "bbox": [10.0, 20.0, 30.0, 40.0], "confidence": 0.98},
        "studio_area_m2": {"value": 300},
        "fax": {"value": None},
    },
    "awards": [
        {
            "claimed_text": "三晋技术能乎",
            "title": "三晋技术能手",
            "year": 2019,
            "issuer": "山西省人力资源和社会保障厅",
            "level": "provincial",
            "match_score": 91.7,
            "evidence_pages": [8],
        }
    ],
    "findings": [
        {
            "code": "ID_BIRTH_MISMATCH",
            "severity": "error",
            "fields": ["master_birth", "master_id_number"],
            "documents": [],
            "pages": [2, 6],
            "message": "出生年月 1979-03 与身份证号中的出生日期 1979-08-12 不一致",
        }
    ],
}


def test_round_trip_keeps_the_contract_layout() -> None:
    result = Result.model_validate(EXAMPLE)
    again = json.loads(result.to_json())
    assert again["fields"]["master_name"] == EXAMPLE["fields"]["master_name"]
    # absent provenance is left out, not written as null
    assert again["fields"]["studio_area_m2"] == {"value": 300}
    assert again["fields"]["fax"] == {"value": None}
    assert again["documents"][0] == {"type": "application_form", "pages": [1, 2, 3]}
    assert again["documents"][1]["award_index"] == 0
    assert again["awards"][0]["title"] == "三晋技术能手"
    assert Result.from_json(result.to_json()) == result
    # Chinese stays readable in the file
    assert "王建国" in result.to_json()


def test_unknown_codes_and_types_are_rejected() -> None:
    bad = json.loads(json.dumps(EXAMPLE))
    bad["findings"][0]["code"] = "NOT_A_CODE"
    with pytest.raises(ValidationError):
        Result.model_validate(bad)
    bad = json.loads(json.dumps(EXAMPLE))
    bad["documents"][0]["type"] = "passport"
    with pytest.raises(ValidationError):
        Result.model_validate(bad)


def test_finding_severity_follows_the_code_table() -> None:
    assert severity_of(FindingCode.AWARD_UNRECOGNISED) == Severity.WARNING
    assert severity_of(FindingCode.LOW_CONFIDENCE) == Severity.INFO
    assert severity_of(FindingCode.UNREADABLE_INPUT) == Severity.ERROR
    finding = Finding.make(
        FindingCode.TEXT_LENGTH, "事迹材料 1402 字，少于 1500 字", fields=["deeds_material"]
    )
    assert finding.severity == "warning"


def test_committed_schema_is_current() -> None:
    committed = (REPO / "docs" / "result.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(), "run: python -m shenbao.models.schema docs/result.schema.json"


@pytest.mark.corpus
def test_every_corpus_truth_file_loads(corpus_dir) -> None:
    files = sorted((corpus_dir / "truth").glob("*.json"))
    assert files
    for path in files:
        result = Result.from_json(path.read_text(encoding="utf-8"))
        assert result.packet_id == path.stem
