"""Findings that rest on a value the recogniser visibly garbled are not reported as errors.

A checksum or format rule is only as good as the characters it is given. On a scanned page, a
身份证号 read as "14:121197509020777" or with 17 digits, or a credit code with a "!" in it, was
not written that way by anyone: an applicant's slip leaves a well-formed value with a wrong
digit, the recogniser leaves characters that cannot occur in that kind of value, or drops one.
Reporting ID_CHECKSUM_INVALID on such a read would send the reviewer after an error the form
does not contain. Such findings become one LOW_CONFIDENCE finding per value (not scored as an
error, still shown first in the report), saying what is wrong with the read and which check it
held back. Values from a text layer are never demoted: what they say is what is written.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from shenbao.models import Finding, FindingCode, Result
from shenbao.models.labels import FIELD_LABELS

# Checks whose verdict comes from the characters of one value.
CHARACTER_CHECKS = {
    FindingCode.ID_CHECKSUM_INVALID,
    FindingCode.ID_NUMBER_MISMATCH,
    FindingCode.ID_BIRTH_MISMATCH,
    FindingCode.ID_GENDER_MISMATCH,
    FindingCode.CREDIT_CODE_INVALID,
    FindingCode.CONTACT_INVALID,
}

MESSAGE = "{label}“{value}”{reason}，应是识别错误而非填写错误，未报“{check}”；请人工核对原件"
UNREADABLE_MESSAGE = "{label}一栏写有“{raw}”，但识别结果不是有效的{label}，未报“{check}”；请人工核对原件"


def _id_number(value: str) -> str | None:
    if re.search(r"[^0-9Xx]", value):
        return "含身份证号中不可能出现的字符"
    if len(value) != 18:
        return f"只识别出 {len(value)} 位（应为 18 位）"
    return None


def _credit_code(value: str) -> str | None:
    # Letters the code does not use (I, O, S, V, Z) are left to the checksum: a look-alike a
    # person could have typed. Punctuation, spaces and Chinese characters nobody types there.
    if re.search(r"[^0-9A-Za-z]", value):
        return "含信用代码中不可能出现的字符"
    if len(value) != 18:
        return f"只识别出 {len(value)} 位（应为 18 位）"
    return None


def _email(value: str) -> str | None:
    if re.search(r"[^A-Za-z0-9._%+\-@]", value):
        return "含邮箱地址中不可能出现的字符"
    # The "@" is the glyph recognisers lose most often in an address (dropped, or read as a
    # digit or "a" in small or binarised print); an address without one was not read whole.
    if "@" not in value:
        return "中未识别出“@”"
    return None


MALFORMED: dict[str, Callable[[str], str | None]] = {
    "master_id_number": _id_number,
    "unit_credit_code": _credit_code,
    "email": _email,
}


def demote_misreads(findings: list[Finding], result: Result, ocr_pages: set[int],
                    check_label: Callable[[str], str] = str,
                    unreadable: dict[str, str] | None = None) -> list[Finding]:
    """`findings` with LOW_CONFIDENCE findings in place of
    - those of CHARACTER_CHECKS that name a field read by OCR (its page is in `ocr_pages`) whose
      value is malformed for its kind;
    - MISSING_FIELD for a field whose cell holds OCR text that did not read as a value of its
      kind (`unreadable`: key -> that text, e.g. 参加工作时间 "200;年10月"): the cell is not
      empty, a character of it was misread."""
    findings = _demote_unreadable(findings, result, unreadable or {}, check_label)
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
