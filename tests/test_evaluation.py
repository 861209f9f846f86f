"""Scoring (`shenbao eval`): each RESULT.md metric on hand-made truth/result pairs."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest

from shenbao.evaluation import EvalInputError, evaluate, format_report, values_equal


def _packet(pid: str = "p1", jurisdiction: str = "wuhan-2024") -> dict[str, Any]:
    return {
        "packet_id": pid,
        "jurisdiction": jurisdiction,
        "documents": [
            {"type": "cover", "pages": [1]},
            {"type": "application_form", "pages": [2, 3, 4]},
            {"type": "id_card", "pages": [5]},
            {"type": "honour_certificate", "pages": [6], "award_index": 0},
        ],
        "fields": {
            "master_name": {"value": "王建国", "page": 2},
            "fax": {"value": None},
            "studio_area_m2": {"value": 300, "page": 3},
            "studio_team_size": {"value": 12, "page": 3},
            "postcode": {"value": "430000", "page": 2},
        },
        "awards": [
            {"claimed_text": "2019年武汉市技术能手", "title": "武汉市技术能手", "year": 2019},
            {"claimed_text": "全国技术能乎", "title": "全国技术能手", "year": 2021},
        ],
        "findings": [
            {
                "code": "ID_NUMBER_MISMATCH",
                "severity": "error",
                "fields": ["master_id_number"],
                "documents": ["id_card"],
            },
            {
                "code": "ID_NUMBER_MISMATCH",
                "severity": "error",
                "fields": ["master_id_number"],
                "documents": ["qualification_certificate"],
            },
            {"code": "CONTACT_INVALID", "severity": "warning", "fields": ["postcode"]},
        ],
    }


def _write(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    return path


def _run(tmp_path: Path, truths: list[dict[str, Any]], results: dict[str, Any], **kw: Any):
    """Truth files under tmp/truth, results as OUT/<id>/result.json (str: raw file text)."""
    for t in truths:
        _write(tmp_path / "truth" / f"{t['packet_id']}.json", t)
    for pid, r in results.items():
        _write(tmp_path / "out" / pid / "result.json", r)
    (tmp_path / "out").mkdir(exist_ok=True)
    return evaluate(tmp_path / "truth", tmp_path / "out", **kw)


def test_identical_result_scores_one_everywhere(tmp_path: Path) -> None:
    truth = _packet()
    report = _run(tmp_path, [truth], {"p1": truth})
    o = report.overall
    assert (o.fields.correct, o.fields.total) == (5, 5)
    assert (o.awards.tp, o.awards.fp, o.awards.fn) == (2, 0, 0)
    assert (o.findings.tp, o.findings.fp, o.findings.fn) == (3, 0, 0)
    assert (o.pages.correct, o.pages.total) == (6, 6)
    assert o.jurisdiction.accuracy == 1.0
    assert set(o.summary().values()) == {1.0}
    assert report.errors == [] and report.result_problems == []


def test_wrong_field_value_is_one_error(tmp_path: Path) -> None:
    result = _packet()
    result["fields"]["master_name"]["value"] = "王建图"
    report = _run(tmp_path, [_packet()], {"p1": result})
    assert (report.overall.fields.correct, report.overall.fields.total) == (4, 5)
    assert report.by_field["master_name"].accuracy == 0.0
    assert report.by_field["postcode"].accuracy == 1.0
    assert report.worst_fields()[0][0] == "master_name"
    [err] = report.errors
    assert (err.packet_id, err.kind, err.key, err.expected, err.got) == (
        "p1",
        "field",
        "master_name",
        "王建国",
        "王建图",
    )


def test_truth_null_matches_missing_or_null_but_not_empty_string(tmp_path: Path) -> None:
    missing = _packet()
    del missing["fields"]["fax"]
    null = _packet()
    null["fields"]["fax"] = {"value": None, "page": 2}
    empty = _packet()
    empty["fields"]["fax"] = {"value": ""}
    assert _run(tmp_path / "a", [_packet()], {"p1": missing}).by_field["fax"].accuracy == 1.0
    assert _run(tmp_path / "b", [_packet()], {"p1": null}).by_field["fax"].accuracy == 1.0
    assert _run(tmp_path / "c", [_packet()], {"p1": empty}).by_field["fax"].accuracy == 0.0


def test_truth_value_not_matched_by_missing_field(tmp_path: Path) -> None:
    result = _packet()
    del result["fields"]["postcode"]
    report = _run(tmp_path, [_packet()], {"p1": result})
    assert report.by_field["postcode"].accuracy == 0.0
    assert [(e.key, e.expected, e.got) for e in report.errors] == [("postcode", "430000", None)]


def test_extra_result_fields_are_not_scored(tmp_path: Path) -> None:
    result = _packet()
    result["fields"]["email"] = {"value": "a@b.cn"}
    report = _run(tmp_path, [_packet()], {"p1": result})
    assert report.overall.fields.total == 5 and "email" not in report.by_field


def test_int_equals_float_but_not_string(tmp_path: Path) -> None:
    as_float = _packet()
    as_float["fields"]["studio_area_m2"]["value"] = 300.0
    as_str = _packet()
    as_str["fields"]["studio_area_m2"]["value"] = "300"
    off = _packet()
    off["fields"]["studio_team_size"]["value"] = 12.5
    assert _run(tmp_path / "a", [_packet()], {"p1": as_float}).by_field["studio_area_m2"].accuracy == 1.0
    assert _run(tmp_path / "b", [_packet()], {"p1": as_str}).by_field["studio_area_m2"].accuracy == 0.0
    assert _run(tmp_path / "c", [_packet()], {"p1": off}).by_field["studio_team_size"].accuracy == 0.0


def test_values_equal_rules() -> None:
    assert values_equal(300, 300.0) and values_equal(None, None) and values_equal("汉族", "汉族")
    assert not values_equal(1, True) and not values_equal(0, None) and not values_equal("", None)
    assert not values_equal("430000", 430000) and not values_equal("汉族", "汉 族")


def test_awards_matched_by_title_and_year_as_multiset(tmp_path: Path) -> None:
    truth = _packet()
    truth["awards"] = [
        {"claimed_text": "a", "title": "全国技术能手", "year": 2019},
        {"claimed_text": "b", "title": "全国技术能手", "year": 2019},
        {"claimed_text": "c", "title": None, "year": 2016},
        {"claimed_text": "d", "title": "武汉市技术能手", "year": 2020},
    ]
    result = _packet()
    result["awards"] = [
        # claimed_text, issuer and order do not count; only (title, year).
        {"claimed_text": "other text", "title": None, "year": 2016, "issuer": "x"},
        {"claimed_text": "a", "title": "全国技术能手", "year": 2019},
        {"claimed_text": "d", "title": "武汉市技术能手", "year": 2021},
        {"claimed_text": "e", "title": "湖北省技术能手", "year": 2019},
    ]
    report = _run(tmp_path, [truth], {"p1": result})
    a = report.overall.awards
    assert (a.tp, a.fp, a.fn) == (2, 2, 2)
    assert a.precision == 0.5 and a.recall == 0.5 and a.f1 == 0.5
    award_errors = sorted((e.key, e.expected is None) for e in report.errors if e.kind == "award")
    assert award_errors == [
        ("全国技术能手/2019", False),
        ("武汉市技术能手/2020", False),
        ("武汉市技术能手/2021", True),
        ("湖北省技术能手/2019", True),
    ]


def test_findings_matched_by_code_and_named_sets_as_multiset(tmp_path: Path) -> None:
    truth = _packet()
    truth["findings"].append({"code": "CONTACT_INVALID", "severity": "warning", "fields": ["postcode"]})
    truth["findings"].append(
        {
            "code": "SUMMARY_MISMATCH",
            "severity": "error",
            "fields": ["master_name", "master_id_number"],
            "documents": ["summary_table"],
        }
    )
    result = _packet()
    result["findings"] = [
        # Same code, same field, other document: only one of the two truth ID_NUMBER_MISMATCH.
        {
            "code": "ID_NUMBER_MISMATCH",
            "severity": "error",
            "fields": ["master_id_number"],
            "documents": ["id_card"],
        },
        {
            "code": "ID_NUMBER_MISMATCH",
            "severity": "error",
            "fields": ["master_id_number"],
            "documents": ["id_card"],
        },
        # Three where the truth has two.
        {"code": "CONTACT_INVALID", "severity": "warning", "fields": ["postcode"]},
        {"code": "CONTACT_INVALID", "severity": "warning", "fields": ["postcode"]},
        {"code": "CONTACT_INVALID", "severity": "warning", "fields": ["postcode"], "message": "x"},
        # Order of the named fields does not matter; severity and message are not compared.
        {
            "code": "SUMMARY_MISMATCH",
            "severity": "warning",
            "fields": ["master_id_number", "master_name"],
            "documents": ["summary_table"],
        },
    ]
    report = _run(tmp_path, [truth], {"p1": result})
    f = report.overall.findings
    assert (f.tp, f.fp, f.fn) == (4, 2, 1)
    assert f.precision == pytest.approx(4 / 6) and f.recall == pytest.approx(4 / 5)
    assert f.f1 == pytest.approx(8 / 11)
    by = {code: (m.tp, m.fp, m.fn) for code, m in report.by_finding_code.items()}
    assert by == {
        "ID_NUMBER_MISMATCH": (1, 1, 1),
        "CONTACT_INVALID": (2, 1, 0),
        "SUMMARY_MISMATCH": (1, 0, 0),
    }
    missed = [e for e in report.errors if e.kind == "finding" and e.got is None]
    assert [(e.key, e.expected["documents"]) for e in missed] == [
        ("ID_NUMBER_MISMATCH", ["qualification_certificate"])
    ]


def test_finding_with_fields_but_not_documents_does_not_match(tmp_path: Path) -> None:
    truth = _packet()
    truth["findings"] = [
        {"code": "NAME_MISMATCH", "severity": "error", "fields": ["master_name"], "documents": ["id_card"]}
    ]
    result = _packet()
    result["findings"] = [{"code": "NAME_MISMATCH", "severity": "error", "fields": ["master_name"]}]
    f = _run(tmp_path, [truth], {"p1": result}).overall.findings
    assert (f.tp, f.fp, f.fn) == (0, 1, 1)


def test_low_confidence_is_ignored_on_both_sides(tmp_path: Path) -> None:
    low = {"code": "LOW_CONFIDENCE", "severity": "info", "fields": ["master_name"]}
    truth = _packet()
    truth["findings"].append(low)
    result = _packet()
    result["findings"] += [dict(low, fields=["address"]), dict(low, fields=["fax"])]
    report = _run(tmp_path, [truth], {"p1": result})
    f = report.overall.findings
    assert (f.tp, f.fp, f.fn) == (3, 0, 0)
    assert "LOW_CONFIDENCE" not in report.by_finding_code


def test_missing_and_invalid_results_score_nothing(tmp_path: Path) -> None:
    good, gone, broken, bad_schema = (_packet(pid) for pid in ("a", "b", "c", "d"))
    wrong_code = copy.deepcopy(bad_schema)
    wrong_code["findings"][0]["code"] = "NOT_A_CODE"
    report = _run(
        tmp_path,
        [good, gone, broken, bad_schema],
        {"a": good, "c": '{"packet_id": "c", "fields": {', "d": wrong_code},
    )
    problems = {p.packet_id: p.reason for p in report.result_problems}
    assert problems["b"] == "missing"
    assert problems["c"].startswith("invalid") and problems["d"].startswith("invalid")
    assert "findings.0.code" in problems["d"]
    o = report.overall
    # Only packet "a" earns anything; the truth null (fax) of the others is not given away.
    assert (o.fields.correct, o.fields.total) == (5, 20)
    assert (o.awards.tp, o.awards.fp, o.awards.fn) == (2, 0, 6)
    assert (o.findings.tp, o.findings.fp, o.findings.fn) == (3, 0, 9)
    assert (o.pages.correct, o.pages.total) == (6, 24)
    assert (o.jurisdiction.correct, o.jurisdiction.total) == (1, 4)
    assert o.packets == 4
    assert [(e.packet_id, e.kind) for e in report.errors] == [
        ("b", "result"),
        ("c", "result"),
        ("d", "result"),
    ]
    assert report.errors[0].got == "missing" and report.errors[2].got == problems["d"]


def test_page_level_document_accuracy(tmp_path: Path) -> None:
    result = _packet()
    result["documents"] = [
        {"type": "cover", "pages": [1]},
        {"type": "application_form", "pages": [2, 3]},  # page 3 right, page 4 left for below
        {"type": "other", "pages": [4]},  # wrong type
        {"type": "id_card", "pages": [5]},
        {"type": "honour_certificate", "pages": [5]},  # page 5 given two types: wrong
        # page 6 not classified at all: wrong; page 7 is not in the truth: not scored
        {"type": "other", "pages": [7]},
    ]
    report = _run(tmp_path, [_packet()], {"p1": result})
    assert (report.overall.pages.correct, report.overall.pages.total) == (3, 6)
    assert report.by_document_type["application_form"].to_dict() == {
        "correct": 2,
        "total": 3,
        "accuracy": 2 / 3,
    }
    assert report.by_document_type["id_card"].accuracy == 0.0
    page_errors = {e.key: (e.expected, e.got) for e in report.errors if e.kind == "page"}
    assert page_errors == {
        "page 4": ("application_form", "other"),
        "page 5": ("id_card", "honour_certificate|id_card"),
        "page 6": ("honour_certificate", None),
    }


def test_grouping_of_pages_does_not_matter(tmp_path: Path) -> None:
    result = _packet()
    result["documents"] = [
        {"type": "application_form", "pages": [4]},
        {"type": "honour_certificate", "pages": [6]},
        {"type": "cover", "pages": [1]},
        {"type": "application_form", "pages": [3, 2]},
        {"type": "id_card", "pages": [5]},
    ]
    assert _run(tmp_path, [_packet()], {"p1": result}).overall.pages.accuracy == 1.0


def test_wrong_jurisdiction(tmp_path: Path) -> None:
    result = _packet()
    result["jurisdiction"] = "hohhot"
    report = _run(tmp_path, [_packet()], {"p1": result})
    assert report.overall.jurisdiction.accuracy == 0.0
    assert [(e.kind, e.expected, e.got) for e in report.errors] == [("jurisdiction", "wuhan-2024", "hohhot")]


def test_per_format_and_per_jurisdiction_split(tmp_path: Path) -> None:
    a, b, c = _packet("a"), _packet("b", "hohhot"), _packet("c", "hohhot")
    bad_b = copy.deepcopy(b)
    bad_b["fields"]["master_name"]["value"] = "x"
    bad_b["awards"] = []
    results = {"a": a, "b": bad_b, "c": c}
    report = _run(tmp_path, [a, b, c], results, formats={"a": "text_pdf", "b": "scan_pdf"})
    assert list(report.by_format) == ["scan_pdf", "text_pdf", "unknown"]
    assert report.by_format["text_pdf"].fields.accuracy == 1.0
    scan = report.by_format["scan_pdf"]
    assert scan.packets == 1 and scan.fields.accuracy == 0.8 and scan.awards.recall == 0.0
    assert scan.awards.precision is None  # nothing claimed: undefined, not 0 or 1
    assert report.by_format["unknown"].packets == 1
    assert report.by_jurisdiction["wuhan-2024"].fields.accuracy == 1.0
    assert report.by_jurisdiction["hohhot"].fields.to_dict() == {"correct": 9, "total": 10, "accuracy": 0.9}
    assert report.overall.fields.accuracy == pytest.approx(14 / 15)
    # Without a formats mapping everything is one group.
    plain = evaluate(tmp_path / "truth", tmp_path / "out")
    assert list(plain.by_format) == ["all"] and plain.by_format["all"].packets == 3


def test_input_layouts(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    for pid in ("a", "b", "c"):
        _write(corpus / "truth" / f"{pid}.json", _packet(pid))
    out = tmp_path / "out"
    _write(out / "a.json", _packet("a"))  # flat <id>.json
    stale = _packet("b")
    stale["jurisdiction"] = "hohhot"
    _write(out / "2025-05-01" / "b" / "result.json", stale)  # older run
    _write(out / "2025-05-02" / "b" / "result.json", _packet("b"))  # newer run wins
    _write(out / "2025-05-02" / "c" / "result.json", _packet("c"))
    _write(out / "zzz" / "result.json", _packet("zzz"))  # a result without truth: ignored
    report = evaluate(corpus, out)  # corpus root: truth/ is found inside
    assert report.result_problems == []
    assert set(report.overall.summary().values()) == {1.0}
    assert report.overall.packets == 3


def test_unusable_inputs_raise_clear_errors(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    with pytest.raises(EvalInputError, match="not found"):
        evaluate(tmp_path / "nope", tmp_path / "out")
    (tmp_path / "empty").mkdir()
    with pytest.raises(EvalInputError, match="no truth files"):
        evaluate(tmp_path / "empty", tmp_path / "out")
    _write(tmp_path / "truth" / "a.json", _packet("a"))
    with pytest.raises(EvalInputError, match="results directory not found"):
        evaluate(tmp_path / "truth", tmp_path / "missing-out")
    _write(tmp_path / "truth" / "b.json", "{not json")
    with pytest.raises(EvalInputError, match="b.json"):
        evaluate(tmp_path / "truth", tmp_path / "out")


def test_text_report_and_dict(tmp_path: Path) -> None:
    result = _packet()
    result["fields"]["master_name"]["value"] = "王建图"
    report = _run(
        tmp_path, [_packet("p1"), _packet("p2")], {"p1": result}, formats={"p1": "zip", "p2": "zip"}
    )
    text = format_report(report)
    assert "field accuracy         0.400  4/10 fields" in text
    assert "p2: missing" in text
    assert "zip" in text and "Fields, worst first" in text
    assert "王建图" not in text
    detailed = format_report(report, details=True)
    assert "p1  field  master_name  expected 王建国  got 王建图" in detailed
    assert "p2  result  result.json  expected a result  got missing" in detailed
    data = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))
    assert data["summary"]["field_accuracy"] == 0.4
    assert data["by_format"]["zip"]["packets"] == 2
    assert next(iter(data["by_field"])) == "master_name"  # worst first
    assert data["result_problems"] == [{"packet_id": "p2", "reason": "missing", "path": None}]
    assert {
        "packet_id": "p1",
        "kind": "field",
        "key": "master_name",
        "expected": "王建国",
        "got": "王建图",
    } in data["errors"]


def _corpus_dir() -> Path | None:
    repo = Path(__file__).resolve().parents[1]
    for candidate in (repo.parent / "shared" / "corpus", Path("/work/shared/corpus")):
        if (candidate / "truth").is_dir():
            return candidate
    return None


@pytest.mark.corpus
@pytest.mark.skipif(_corpus_dir() is None, reason="shared corpus not present")
def test_corpus_truth_against_itself_scores_one() -> None:
    corpus = _corpus_dir()
    assert corpus is not None
    formats = {
        p.stem: ("folder" if p.is_dir() else p.suffix.lstrip(".")) for p in (corpus / "packets").iterdir()
    }
    report = evaluate(corpus, corpus / "truth", formats=formats)
    truth_count = len([p for p in os.listdir(corpus / "truth") if p.endswith(".json")])
    assert report.overall.packets == truth_count
    assert report.result_problems == [] and report.errors == []
    assert report.overall.summary() == {k: 1.0 for k in report.overall.summary()}
    assert report.overall.fields.total > 0 and report.overall.findings.tp > 0 and report.overall.awards.tp > 0
    for group in (*report.by_format.values(), *report.by_jurisdiction.values()):
        assert group.fields.accuracy in (1.0, None) and group.pages.accuracy in (1.0, None)
