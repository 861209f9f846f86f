"""Findings on values the recogniser visibly garbled become LOW_CONFIDENCE (rules/misreads.py),
and traditional characters in OCR text are read as the simplified ones printed (ocr/script.py)."""

from __future__ import annotations

import pytest

from shenbao.extractors.normalize import normalize_email
from shenbao.extractors.ocr.script import to_simplified
from shenbao.models import FieldResult, Finding, FindingCode, Result
from shenbao.rules.misreads import demote_misreads


def _result(**values: str | None) -> Result:
    r = Result(packet_id="p")
    for key, value in values.items():
        r.fields[key] = FieldResult(value=value, page=2, confidence=0.95)
    return r


def _finding(code: FindingCode, *fields: str, documents: tuple[str, ...] = ()) -> Finding:
    return Finding.make(code, "x", fields=list(fields), documents=list(documents))


ID_FINDINGS = [
    _finding(FindingCode.ID_CHECKSUM_INVALID, "master_id_number"),
    _finding(FindingCode.ID_NUMBER_MISMATCH, "master_id_number", documents=("id_card",)),
    _finding(FindingCode.ID_NUMBER_MISMATCH, "master_id_number", documents=("qualification_certificate",)),
    _finding(FindingCode.NAME_MISMATCH, "master_name", documents=("id_card",)),
]


@pytest.mark.parametrize("read", ["14:121197509020777", "20202198210095684", "4202021982100956841"])
def test_malformed_id_read_by_ocr_is_not_an_error(read: str) -> None:
    out = demote_misreads(list(ID_FINDINGS), _result(master_id_number=read), ocr_pages={2})
    codes = [f.code for f in out]
    assert codes == [FindingCode.NAME_MISMATCH, FindingCode.LOW_CONFIDENCE]  # other checks stay
    low = out[1]
    assert low.fields == ["master_id_number"] and low.pages == [2]
    assert read in low.message and "ID_NUMBER_MISMATCH" in low.message and "ID_CHECKSUM_INVALID" in low.message


def test_well_formed_wrong_id_stays_an_error() -> None:
    # An applicant's slip: 18 digits, one of them wrong. Only a person can check it.
    out = demote_misreads(list(ID_FINDINGS), _result(master_id_number="150105197701130436"), ocr_pages={2})
    assert out == ID_FINDINGS


def test_text_layer_values_are_never_demoted() -> None:
    out = demote_misreads(list(ID_FINDINGS), _result(master_id_number="14:121197509020777"), ocr_pages={5})
    assert out == ID_FINDINGS


@pytest.mark.parametrize(
    ("key", "value", "demoted"),
    [
        ("unit_credit_code", "9!220101MA1E68!Y90", True),
        ("unit_credit_code", ":23201060738065901", True),
        ("unit_credit_code", "91220104MADPEGX45M", False),  # well formed, bad check character
        ("unit_credit_code", "91150121996705334O", False),  # an O a person could have typed
        ("email", "tcw:40:26.co", True),
        ("email", "1101207826qq.com", True),  # the "@" lost at recognition
        ("email", "zhang@163", False),  # incomplete, but nothing a recogniser would invent
    ],
)
def test_credit_code_and_email(key: str, value: str, demoted: bool) -> None:
    code = FindingCode.CREDIT_CODE_INVALID if key == "unit_credit_code" else FindingCode.CONTACT_INVALID
    findings = [_finding(code, key)]
    out = demote_misreads(findings, _result(**{key: value}), ocr_pages={2})
    assert (out[0].code == FindingCode.LOW_CONFIDENCE) is demoted


def test_filled_cell_that_did_not_read_as_a_value_is_not_missing() -> None:
    findings = [_finding(FindingCode.MISSING_FIELD, "master_work_start"),
                _finding(FindingCode.MISSING_FIELD, "unit_head")]
    result = _result(master_work_start=None, unit_head=None)
    out = demote_misreads(findings, result, ocr_pages={2}, unreadable={"master_work_start": "200;年10月"})
    assert [f.code for f in out] == [FindingCode.LOW_CONFIDENCE, FindingCode.MISSING_FIELD]
    assert "200;年10月" in out[0].message and out[0].fields == ["master_work_start"]


@pytest.mark.parametrize(
    ("ocr", "printed"),
    [("馬强", "马强"), ("黃勇波", "黄勇波"), ("高級技師", "高级技师"), ("乾隆", "乾隆"), ("0431-82157340", "0431-82157340")],
)
def test_traditional_characters_in_ocr_text(ocr: str, printed: str) -> None:
    assert to_simplified(ocr) == printed


@pytest.mark.parametrize(
    ("read", "address"),
    [
        ("11g45@163.com", "llg45@163.com"),
        ("rjwgk1q6@126.com", "rjwgklq6@126.com"),
        ("1kropw854@sina.com", "lkropw854@sina.com"),
        ("tcw14@126.com", "tcw14@126.com"),
        ("wang1@qq.com", "wang1@qq.com"),
        ("4101207826@qq.com", "4101207826@qq.com"),
    ],
)
def test_email_ones_among_letters_are_ells(read: str, address: str) -> None:
    assert normalize_email(read) == address


# --- a summary table's OCR'd code against the form's -------------------------------------------


def _summary_evidence(key: str, value: str, page: int = 7):
    from shenbao.extractors.evidence.model import Evidence, TableRow, Value

    ev = Evidence()
    ev.table_rows.append(TableRow("summary_table", [page], {key: Value(value, value, page, None, 0.9)}))
    return ev


FORM_ID = "220104198305107473"  # valid check digit


@pytest.mark.parametrize(
    ("summary", "summary_page", "demoted"),
    [
        ("320104198305107473", 7, True),  # a digit misread: the check digit fails
        ("22010419830510747", 7, True),  # a digit lost
        ("220104191305107471", 7, False),  # a valid number of someone else: a real mismatch
        ("320104198305107473", 9, False),  # the same, from a text layer: what the applicant wrote
    ],
)
def test_summary_id_that_is_no_valid_number_is_a_misread(summary: str, summary_page: int, demoted: bool) -> None:
    finding = _finding(FindingCode.SUMMARY_MISMATCH, "master_id_number", documents=("summary_table",))
    out = demote_misreads([finding], _result(master_id_number=FORM_ID), ocr_pages={2, 7},
                          evidence=_summary_evidence("master_id_number", summary, summary_page))
    if not demoted:
        assert out == [finding]
        return
    [low] = out
    assert low.code == FindingCode.LOW_CONFIDENCE and low.fields == ["master_id_number"]
    assert summary in low.message and FORM_ID in low.message and "SUMMARY_MISMATCH" in low.message


def test_summary_misread_needs_a_valid_form_value() -> None:
    # Both invalid: nothing says which one is the slip.
    finding = _finding(FindingCode.SUMMARY_MISMATCH, "master_id_number", documents=("summary_table",))
    out = demote_misreads([finding], _result(master_id_number="220104198305107474"), ocr_pages={2, 7},
                          evidence=_summary_evidence("master_id_number", "320104198305107473"))
    assert out == [finding]


def test_summary_mismatch_against_a_form_id_read_with_digits_lost_is_a_misread() -> None:
    # The form's 身份证号 read as 15 digits on a worn scan; the table's is a valid number.
    finding = _finding(FindingCode.SUMMARY_MISMATCH, "master_id_number", documents=("summary_table",))
    out = demote_misreads([finding], _result(master_id_number="500197610182999"), ocr_pages={2, 7},
                          evidence=_summary_evidence("master_id_number", "500230197610182999"))
    [low] = out
    assert low.code == FindingCode.LOW_CONFIDENCE and low.fields == ["master_id_number"]
    assert "500197610182999" in low.message and "SUMMARY_MISMATCH" in low.message


@pytest.mark.parametrize(
    ("key", "summary", "confidence", "form_confidence", "demoted"),
    [
        ("master_name", "许海勇", 0.82, 1.0, True),  # small print read shakily, the form clearly
        ("unit_name", "长春市永临轨道客本有限责任公", 0.80, 0.99, True),
        ("master_name", "许海勇", 0.97, 1.0, False),  # read clearly: a real mismatch
        ("master_name", "许海勇", 0.82, 0.85, False),  # the form was no surer
        ("master_skill_level", "高级技师", 0.5, 1.0, False),  # a level is no misread of another
    ],
)
def test_summary_name_read_shakily_is_not_an_error(key: str, summary: str, confidence: float,
                                                    form_confidence: float, demoted: bool) -> None:
    from shenbao.extractors.evidence.model import Evidence, TableRow, Value

    form_values = {"master_name": "许涛勇", "unit_name": "长春市永盛轨道客车有限责任公司", "master_skill_level": "技师"}
    result = Result(packet_id="p")
    result.fields[key] = FieldResult(value=form_values[key], page=2, confidence=form_confidence)
    ev = Evidence()
    ev.table_rows.append(TableRow("summary_table", [7], {key: Value(summary, summary, 7, None, confidence)}))
    finding = _finding(FindingCode.SUMMARY_MISMATCH, key, documents=("summary_table",))
    out = demote_misreads([finding], result, ocr_pages={2, 7}, evidence=ev)
    if not demoted:
        assert out == [finding]
        return
    [low] = out
    assert low.code == FindingCode.LOW_CONFIDENCE and summary in low.message and f"{confidence:.2f}" in low.message


@pytest.mark.parametrize(
    ("summary", "confirmed", "demoted"),
    [
        ("重庆普锐汽车服务有限公司", {"unit_name": [1, 8]}, True),  # 晋 read 普 in the small print
        ("重庆普锐汽车服务有限公司", {}, False),  # no other document says which is right
        ("重庆晋锐汽车修理有限公司", {"unit_name": [1, 8]}, False),  # two characters: another wording
        ("重庆晋锐汽车服务公司", {"unit_name": [1, 8]}, False),  # another length: another wording
    ],
)
def test_summary_name_one_character_off_a_confirmed_form_value_is_a_misread(
        summary: str, confirmed: dict[str, list[int]], demoted: bool) -> None:
    from shenbao.extractors.evidence.model import Evidence, TableRow, Value

    result = Result(packet_id="p")
    result.fields["unit_name"] = FieldResult(value="重庆晋锐汽车服务有限公司", page=2, confidence=1.0)
    ev = Evidence()
    ev.table_rows.append(TableRow("summary_table", [7], {"unit_name": Value(summary, summary, 7, None, 0.95)}))
    finding = _finding(FindingCode.SUMMARY_MISMATCH, "unit_name", documents=("summary_table",))
    out = demote_misreads([finding], result, ocr_pages={2, 7}, evidence=ev, confirmed=confirmed)
    if not demoted:
        assert out == [finding]
        return
    [low] = out
    assert low.code == FindingCode.LOW_CONFIDENCE and summary in low.message and "第1、8页" in low.message


def test_field_whose_label_was_not_found_on_a_scanned_form_is_not_missing() -> None:
    # 身份证号's label garbled past recognition: the field has no entry at all. 民族's label was
    # found beside an empty cell: the field is there with no value, a real omission.
    result = Result(packet_id="p")
    result.fields["master_ethnicity"] = FieldResult(value=None, page=2, confidence=1.0)
    findings = [_finding(FindingCode.MISSING_FIELD, "master_id_number"),
                _finding(FindingCode.MISSING_FIELD, "master_ethnicity")]
    out = demote_misreads(list(findings), result, ocr_pages={2, 3}, form_pages={2, 3})
    assert [f.code for f in out] == [FindingCode.LOW_CONFIDENCE, FindingCode.MISSING_FIELD]
    assert out[0].fields == ["master_id_number"] and out[0].pages == [2, 3]
    # A text-layer form page: what is not there is not there.
    assert demote_misreads(list(findings), result, ocr_pages={2}, form_pages={2, 3}) == findings


@pytest.mark.parametrize(("located", "demoted"), [(False, True), (True, False)])
def test_no_honour_when_the_honours_cell_was_not_found(located: bool, demoted: bool) -> None:
    finding = _finding(FindingCode.NO_QUALIFYING_HONOUR, "awards")
    out = demote_misreads([finding], Result(packet_id="p"), ocr_pages={2}, form_pages={2},
                          awards_located=located)
    assert [f.code for f in out] == [FindingCode.LOW_CONFIDENCE if demoted else FindingCode.NO_QUALIFYING_HONOUR]
