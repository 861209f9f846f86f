"""Findings that rest on a value the recogniser visibly garbled are not reported as errors.

A checksum or format rule is only as good as the characters it is given. On a scanned page, a
身份证号 read as "14:121197509020777" or with 17 digits, or a credit code with a "!" in it, was
not written that way by anyone: an applicant's slip leaves a well-formed value with a wrong
digit, the recogniser leaves characters that cannot occur in that kind of value, or drops one.
Reporting ID_CHECKSUM_INVALID on such a read would send the reviewer after an error the form
does not contain. Such findings become one LOW_CONFIDENCE finding per value (not scored as an
error, still shown first in the report), saying what is wrong with the read and which check it
held back. Values from a text layer are never demoted: what they say is what is written.

The same holds where OCR leaves the rule nothing to judge by: a MISSING_FIELD for a field whose
label could not be found on a scanned form (the cell may well be filled), and a SUMMARY_MISMATCH
that rests on a summary-table read that is no valid code, or a name read shakily there.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from shenbao.models import Finding, FindingCode, Result
from shenbao.models.labels import FIELD_LABELS
from shenbao.rules.validators import code_fault as validators_code_fault
from shenbao.rules.validators import credit_code_shape_fault, id_shape_fault

if TYPE_CHECKING:
    from shenbao.extractors.evidence.model import Evidence

# Checks whose verdict comes from the characters of one value.
CHARACTER_CHECKS = {
    FindingCode.ID_CHECKSUM_INVALID,
    FindingCode.ID_NUMBER_MISMATCH,
    FindingCode.ID_BIRTH_MISMATCH,
    FindingCode.ID_GENDER_MISMATCH,
    FindingCode.CREDIT_CODE_INVALID,
    FindingCode.CONTACT_INVALID,
    # The summary table's number against a form number read with digits lost or junk in it
    # compares the table with the recogniser's slip, not with what the applicant wrote.
    FindingCode.SUMMARY_MISMATCH,
}

MESSAGE = "{label}“{value}”{reason}，应是识别错误而非填写错误，未报“{check}”；请人工核对原件"
UNLOCATED_MESSAGE = ("扫描的申报表上没有认出“{label}”一栏（栏名识别不清），无法判断是否漏填，"
                     "未报“{check}”；请人工核对原件")
UNLOCATED_AWARDS_MESSAGE = ("扫描的申报表上没有认出填写荣誉的一栏（栏名识别不清），无法判断是否填写了荣誉，"
                            "未报“{check}”；请人工核对原件")
SUMMARY_MESSAGE = ("汇总表/一览表中的{label}“{value}”不是有效的{label}（{reason}），应是识别错误；"
                   "申报表中为“{form}”，未报“{check}”；请人工核对原件")
SUMMARY_CONFIRMED_MESSAGE = ("汇总表/一览表中的{label}识别为“{value}”，与申报表“{form}”仅差一字，而申报表的写法"
                             "另有第{pages}页印证，应是汇总表小字的识别错误，未报“{check}”；请人工核对原件")
SUMMARY_SHAKY_MESSAGE = ("汇总表/一览表中的{label}识别为“{value}”（置信度 {confidence:.2f}），与申报表"
                         "“{form}”不一致，可能是识别错误，未报“{check}”；请人工核对原件")
# Names in a summary table: which may be a misread, below what confidence, against a form read
# at least this much surer.
SUMMARY_TEXT_KEYS = ("master_name", "unit_name")
SUMMARY_SHAKY = 0.9
SUMMARY_MARGIN = 0.1
UNREADABLE_MESSAGE = "{label}一栏写有“{raw}”，但识别结果不是有效的{label}，未报“{check}”；请人工核对原件"


def _email(value: str) -> str | None:
    if re.search(r"[^A-Za-z0-9._%+\-@]", value):
        return "含邮箱地址中不可能出现的字符"
    # The "@" is the glyph recognisers lose most often in an address (dropped, or read as a
    # digit or "a" in small or binarised print); an address without one was not read whole.
    if "@" not in value:
        return "中未识别出“@”"
    return None


MALFORMED: dict[str, Callable[[str], str | None]] = {
    "master_id_number": id_shape_fault,
    "unit_credit_code": credit_code_shape_fault,
    "email": _email,
}


def demote_misreads(findings: list[Finding], result: Result, ocr_pages: set[int],
                    check_label: Callable[[str], str] = str,
                    unreadable: dict[str, str] | None = None,
                    evidence: Evidence | None = None,
                    form_pages: set[int] | None = None,
                    awards_located: bool = True,
                    confirmed: dict[str, list[int]] | None = None) -> list[Finding]:
    """`findings` with LOW_CONFIDENCE findings in place of
    - those of CHARACTER_CHECKS that name a field read by OCR (its page is in `ocr_pages`) whose
      value is malformed for its kind;
    - MISSING_FIELD for a field whose cell holds OCR text that did not read as a value of its
      kind (`unreadable`: key -> that text, e.g. 参加工作时间 "200;年10月"): the cell is not
      empty, a character of it was misread;
    - SUMMARY_MISMATCH on a 身份证号 or credit code where the summary table's OCR read is no
      valid code at all while the form's is one (`evidence`: the summary rows), and on a name
      the table's OCR read one character off a form value other documents state exactly
      (`confirmed`: key -> their pages);
    - MISSING_FIELD for a field whose label was not found at all on a form that was read by
      OCR only (`form_pages`, all in `ocr_pages`): a label garbled past recognition hides its
      cell, which may well be filled. A label found beside an empty cell stays MISSING_FIELD;
    - NO_QUALIFYING_HONOUR on such a form when the honours cell was not found
      (`awards_located` False) and so no honour was read from it."""
    findings = _demote_unreadable(findings, result, unreadable or {}, check_label)
    if form_pages and form_pages <= ocr_pages:
        findings = _demote_unlocated(findings, result, sorted(form_pages), check_label)
        if not awards_located:
            findings = _demote_unlocated_awards(findings, sorted(form_pages), check_label)
    if evidence is not None:
        findings = _demote_summary_misreads(findings, result, evidence, ocr_pages, check_label, confirmed or {})
    garbled: dict[str, str] = {}
    for key, check in MALFORMED.items():
        field = result.fields.get(key)
        if field is None or field.value is None or field.page not in ocr_pages:
            continue
        reason = check(str(field.value))
        if reason is not None:
            garbled[key] = reason
    if not garbled:
        return findings
    out: list[Finding] = []
    held: dict[str, list[str]] = {}
    for f in findings:
        keys = [k for k in f.fields if k in garbled]
        if f.code in CHARACTER_CHECKS and keys:
            for k in keys:
                held.setdefault(k, []).append(check_label(str(f.code)))
            continue
        out.append(f)
    for key, checks in held.items():
        field = result.fields[key]
        out.append(Finding.make(
            FindingCode.LOW_CONFIDENCE,
            MESSAGE.format(label=FIELD_LABELS.get(key, key), value=field.value, reason=garbled[key],
                           check="、".join(dict.fromkeys(checks))),
            fields=[key],
            pages=[field.page] if field.page else [],
        ))
    return out


def _demote_unreadable(findings: list[Finding], result: Result, unreadable: dict[str, str],
                       check_label: Callable[[str], str]) -> list[Finding]:
    out: list[Finding] = []
    for f in findings:
        keys = [k for k in f.fields if k in unreadable]
        if f.code != FindingCode.MISSING_FIELD or not keys or len(keys) != len(f.fields):
            out.append(f)
            continue
        for key in keys:
            field = result.fields.get(key)
            label = FIELD_LABELS.get(key, key)
            out.append(Finding.make(
                FindingCode.LOW_CONFIDENCE,
                UNREADABLE_MESSAGE.format(label=label, raw=unreadable[key], check=check_label(str(f.code))),
                fields=[key],
                pages=[field.page] if field is not None and field.page else [],
            ))
    return out


def code_fault(key: str, value: str) -> str | None:
    """What makes `value` no valid code of its kind (None: it is one); `key` a form field."""
    return validators_code_fault("id_number" if key == "master_id_number" else "credit_code", value)


def _demote_summary_misreads(findings: list[Finding], result: Result, evidence: Evidence,
                             ocr_pages: set[int], check_label: Callable[[str], str],
                             confirmed: dict[str, list[int]]) -> list[Finding]:
    """A person who puts another ID number in the summary table writes a number (a valid one, if
    it is someone's); an ID that fails its check digit in an OCR'd table, beside a valid one on
    the form, is a digit the recogniser misread. A name or unit name the table's small print
    gave the recogniser trouble with (confidence below SUMMARY_SHAKY) while the form's was read
    clearly is as likely a misread as a mismatch: a person must look. So is one the table's
    read gives one character off (晋锐 as 普锐) where other documents state the form's exactly."""
    out: list[Finding] = []
    for f in findings:
        key = f.fields[0] if f.code == FindingCode.SUMMARY_MISMATCH and len(f.fields) == 1 else None
        form = result.fields.get(key) if key is not None else None
        if key is None or form is None or form.value is None:
            out.append(f)
            continue
        form_value = str(form.value).upper()
        cells = [row.cells[key] for row in evidence.table_rows
                 if row.doc_type == "summary_table" and row.cells.get(key) is not None
                 and row.cells[key].value is not None and str(row.cells[key].value).upper() != form_value]
        if not cells or any(c.page not in ocr_pages for c in cells):
            out.append(f)
            continue
        label = FIELD_LABELS.get(key, key)
        check = check_label(str(f.code))
        message = None
        if key in ("master_id_number", "unit_credit_code") and code_fault(key, form_value) is None:
            faults = [code_fault(key, str(c.value).upper()) for c in cells]
            if all(faults):
                message = SUMMARY_MESSAGE.format(label=label, value=cells[0].value, reason=faults[0],
                                                 form=form.value, check=check)
        elif key in SUMMARY_TEXT_KEYS:
            shakiest = min(cells, key=lambda c: c.confidence)
            if (max(c.confidence for c in cells) < SUMMARY_SHAKY
                    and (form.confidence or 0.0) >= shakiest.confidence + SUMMARY_MARGIN):
                message = SUMMARY_SHAKY_MESSAGE.format(label=label, value=shakiest.value,
                                                       confidence=shakiest.confidence, form=form.value,
                                                       check=check)
            elif confirmed.get(key) and all(_one_character_off(str(c.value), str(form.value)) for c in cells):
                message = SUMMARY_CONFIRMED_MESSAGE.format(label=label, value=cells[0].value, form=form.value,
                                                           pages="、".join(map(str, confirmed[key])), check=check)
        if message is None:
            out.append(f)
            continue
        out.append(Finding.make(FindingCode.LOW_CONFIDENCE, message, fields=[key],
                                documents=list(f.documents), pages=list(f.pages)))
    return out


def _one_character_off(a: str, b: str) -> bool:
    """Same length, one character different: a misread glyph, not another wording."""
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1


def _demote_unlocated(findings: list[Finding], result: Result, form_pages: list[int],
                      check_label: Callable[[str], str]) -> list[Finding]:
    out: list[Finding] = []
    for f in findings:
        # A field the form reader saw has an entry (its value None when the cell is empty).
        if f.code != FindingCode.MISSING_FIELD or not f.fields or any(k in result.fields for k in f.fields):
            out.append(f)
            continue
        for key in f.fields:
            out.append(Finding.make(
                FindingCode.LOW_CONFIDENCE,
                UNLOCATED_MESSAGE.format(label=FIELD_LABELS.get(key, key), check=check_label(str(f.code))),
                fields=[key],
                pages=form_pages,
            ))
    return out


def _demote_unlocated_awards(findings: list[Finding], form_pages: list[int],
                             check_label: Callable[[str], str]) -> list[Finding]:
    out: list[Finding] = []
    for f in findings:
        if f.code != FindingCode.NO_QUALIFYING_HONOUR:
            out.append(f)
            continue
        out.append(Finding.make(
            FindingCode.LOW_CONFIDENCE,
            UNLOCATED_AWARDS_MESSAGE.format(check=check_label(str(f.code))),
            fields=list(f.fields),
            pages=form_pages,
        ))
    return out
