"""职业资格证书 / 职业技能等级证书 (qualification) and 专业技术职务任职资格证书 (title) copies.

Both print "label：value" pairs, in one column (older booklets) or two (the landscape
职业技能等级证书: person on the left, occupation, level, date and issuer on the right). The
labels differ between issuers and years (证件号码 / 身份证号, 等级 / 职业技能等级, 发证机关 /
评价机构, 发证日期 / 认定日期 …): all of them are listed. The level is normalised to the
canonical skill level (五级…一级 → 初级工…高级技师, 职业资格一级 and 职业技能等级 alike); when
its label is not found, a level written anywhere on the certificate is taken. A title
certificate's 职称 is kept as written and its grade comes from the certificate (资格级别) or,
failing that, from the title table (titles.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from shenbao.extractors.evidence.common import (
    code_value,
    first,
    id_number_in,
    make_value,
    person_name,
    plain_text,
)
from shenbao.extractors.evidence.holder import read_holder
from shenbao.extractors.evidence.layout import PageText, Span, label_pattern
from shenbao.extractors.evidence.model import CertificateRead, Value
from shenbao.extractors.evidence.titles import find_title, normalize_grade, title_grade
from shenbao.extractors.normalize import (
    normalize_date,
    normalize_gender,
    normalize_skill_level,
)

COMMON: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "持证人"),
    "gender": ("性别",),
    "id_number": ("公民身份号码", "身份证件号码", "身份证号码", "身份证号", "证件号码", "证件号"),
    "number": ("证书编号", "证书号码", "证书号", "编号"),
    # When the certificate was issued, and when the qualification was granted: both may be
    # printed (批准日期 2015.11.07, 签发日期 2016.04.08); the issue date is the one asked for.
    "issue_date": ("发证日期", "颁证日期", "签发日期", "发证时间", "取证日期", "颁发日期", "获证日期"),
    "approval_date": (
        "认定日期", "批准日期", "批准时间", "评定日期", "审批时间", "评审通过时间", "取得资格时间",
    ),
    "issuer": (
        "发证机关", "发证机构", "评价机构", "认定机构", "发证单位", "颁证单位", "鉴定机构", "颁发单位",
        "评审委员会", "评审机构", "审批机关", "认定单位", "批准单位", "签发单位",
    ),
    # Printed items not read here: their labels still end (and are never) the value beside them.
    "other": (
        "出生日期", "出生年月", "文化程度", "评定成绩", "理论知识考核成绩", "操作技能考核成绩",
        "理论知识考试成绩", "操作技能考试成绩", "批准文号", "管理号", "评审组织", "工作单位",
    ),
}
QUAL: dict[str, tuple[str, ...]] = {
    **COMMON,
    "occupation": ("职业（工种）及等级", "职业（工种）", "职业(工种)", "职业名称", "工种名称", "工种", "职业"),
    "level": ("职业技能等级", "技能等级", "资格等级", "等级", "级别"),
}
TITLE: dict[str, tuple[str, ...]] = {
    **COMMON,
    "occupation": ("专业名称", "专业"),
    "title_rank": ("资格名称", "职称名称", "职务名称", "专业技术职务", "任职资格", "职称", "资格"),
    "title_grade": ("资格级别", "职称级别", "级别", "等级"),
}
# A heading is not a label: 职业技能等级证书 / 职业资格证书 / 专业技术职务任职资格证书.
_NOT_HEADING = r"(?!\s*证\s*书)"
_MULTILINE = ("issuer",)

_LEVEL_ANYWHERE = re.compile(
    r"(高级技师|特级技师|首席技师|(?<!高级)技师|高级工|中级工|初级工|职业资格[一二三四五]级|[一二三四五]级\s*[/（(]\s*(?:高级技师|技师|高级工|中级工|初级工))"
)


def _labels(table: dict[str, tuple[str, ...]]) -> tuple[dict[str, tuple[str, ...]], dict[str, list[tuple[str, int]]]]:
    """Plain labels, except those that are also the start of a heading: those as regexes."""
    plain: dict[str, tuple[str, ...]] = {}
    # 职业（工种） with the bracket's content misread (职业（种）, 职业（工种！)
    extra: dict[str, list[tuple[str, int]]] = {
        "occupation": [(r"职\s*业\s*[（(][^）)：:\s]{1,3}[）)!！]?(?=\s*[：:])", 6)]
    } if "occupation" in table and "职业（工种）" in table["occupation"] else {}
    for key, texts in table.items():
        keep = []
        for t in texts:
            if t in ("职业技能等级", "任职资格", "资格", "专业技术职务", "职业"):
                guard = _NOT_HEADING if t != "职业" else r"(?!\s*(?:技\s*能|资\s*格))"
                extra.setdefault(key, []).append((label_pattern(t) + guard, len(t)))
            else:
                keep.append(t)
        plain[key] = tuple(keep)
    return plain, extra


@dataclass
class _Spans:
    """What the labels hold: the value after or under each label, the value over it (old
    booklets print the value on the line above its label), and which labels were found."""

    under: dict[str, Span]
    over: dict[str, Span]
    found: set[str]

    def value(self, key: str, normalise: Callable[[str], Any]) -> Value | None:
        """The value after/under the label when it reads as one of its kind, else the one over it."""
        return first(make_value(self.under.get(key), normalise), make_value(self.over.get(key), normalise))


def _read(pages: list[PageText], table: dict[str, tuple[str, ...]]) -> _Spans:
    plain, extra = _labels(table)
    spans = _Spans({}, {}, set())
    for pt in pages:
        for key, span in pt.read_labels(plain, multiline=_MULTILINE, extra=extra).items():
            spans.under.setdefault(key, span)
        for key, span in pt.read_labels(plain, extra=extra, beside=-1).items():
            spans.over.setdefault(key, span)
        spans.found |= {h.key for h in pt.find_labels(plain, extra)}
    return spans


def _number(raw: str) -> str | None:
    text = re.sub(r"\s+", "", raw).lstrip("：:No.．")
    m = re.search(r"[0-9A-Za-z][0-9A-Za-z\-]{5,}", text)
    return m.group(0) if m else None


def _date(raw: str) -> str | None:
    return normalize_date(raw)


# A date whose day or month is lost (under the seal): "2025年11", "2008年 月 日".
_PART_DATE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})?")


def _date_in_part(span: Span | None) -> Value | None:
    """What a date read in part still says (its year, and its month where one is read), flagged."""
    if span is None:
        return None
    m = _PART_DATE.search(re.sub(r"\s+", "", span.text))
    if m is None:
        return None
    year, month = m.group(1), m.group(2)
    value = f"{year}-{int(month):02d}" if month and 1 <= int(month) <= 12 else year
    return Value(value=value, raw=span.text, page=span.page, bbox=span.bbox, confidence=round(span.confidence, 3),
                 partial=f"日期只识别出“{span.text.strip()}”")


# "本证书由上海某某有限公司颁发": the issuer named in the certificate's own sentence.
_ISSUED_BY = re.compile(r"由([\u3400-\u9fff（）()]{4,40}?)(?:颁发|核发|签发|认定|评价)")


def _short_text(raw: str) -> str | None:
    """An occupation, title or issuer as printed: Han characters (brackets allowed), no digits,
    and not the certificate's own heading (…证书), which a heading-like label runs into."""
    text = plain_text(raw)
    if (text is None or re.search(r"\d", text) or not re.search(r"[\u3400-\u9fff]{2}", text) or len(text) > 30
            or re.search(r"证书$", text)):
        return None
    return text


# An occupation printed together with its level ("职业（工种）及等级：电工三级").
_WITH_LEVEL = re.compile(r"^(.+?)((?:国家职业资格)?[一二三四五]级|高级技师|技师|高级工|中级工|初级工)$")


def read_qualification(pages: list[PageText]) -> CertificateRead:
    spans = _read(pages, QUAL)
    cert = CertificateRead(doc_type="qualification_certificate", pages=[pt.number for pt in pages])
    _fill_common(cert, spans, pages)
    cert.occupation = spans.value("occupation", _short_text)
    level = spans.value("level", normalize_skill_level)
    if cert.occupation is not None and (both := _WITH_LEVEL.match(str(cert.occupation.value))):
        occupation, printed = both.groups()
        level = level or replace(cert.occupation, value=normalize_skill_level(printed), raw=printed)
        cert.occupation = replace(cert.occupation, value=occupation)
    if level is None:
        for pt in pages:
            level = make_value(pt.search(_LEVEL_ANYWHERE), normalize_skill_level)
            if level is not None:
                break
    cert.level = level
    return cert


def read_title(pages: list[PageText]) -> CertificateRead:
    spans = _read(pages, TITLE)
    cert = CertificateRead(doc_type="title_certificate", pages=[pt.number for pt in pages])
    _fill_common(cert, spans, pages)
    cert.occupation = spans.value("occupation", _short_text)
    rank = spans.value("title_rank", _short_text)
    if rank is None:
        for pt in pages:
            text, where = pt.flat()
            name = find_title(text)
            if name:
                i = text.find(name)
                rank = make_value(pt.locate(where, i, i + len(name)), _title_as_written)
                break
    cert.title_rank = rank
    grade = spans.value("title_grade", normalize_grade)
    if grade is None and rank is not None:
        g = title_grade(find_title(str(rank.value)))
        if g is not None:
            grade = type(rank)(value=g, raw=rank.raw, page=rank.page, bbox=rank.bbox, confidence=rank.confidence)
    cert.title_grade = grade
    return cert


def _title_as_written(raw: str) -> str | None:
    text = plain_text(raw)
    if text is None:
        return None
    name = find_title(text)
    # keep the certificate's own wording (高级工程师（机械）), but only when it names a title
    return text if name else None


def _fill_common(cert: CertificateRead, spans: _Spans, pages: list[PageText]) -> None:
    # no 姓名 label: the holder as a certificate's sentence names one ("余升桔 参加…考试")
    cert.name = spans.value("name", person_name)
    if cert.name is None:
        cert.name = first(*(read_holder(pt, alone=False) for pt in pages))
    cert.gender = spans.value("gender", normalize_gender)
    cert.id_number = first(code_value(spans.under.get("id_number"), "id_number"),
                           code_value(spans.over.get("id_number"), "id_number"),
                           code_value(id_number_in(pages), "id_number"))
    cert.number = spans.value("number", _number)
    # An issue date printed but unreadable (under the seal) is unknown, not the approval date.
    cert.issue_date = spans.value("issue_date", _date)
    if cert.issue_date is None and "issue_date" not in spans.found:
        cert.issue_date = spans.value("approval_date", _date)
    if cert.issue_date is None:
        cert.issue_date = _date_in_part(spans.under.get("issue_date") or spans.over.get("issue_date"))
    cert.issuer = spans.value("issuer", _short_text)
    if cert.issuer is None:
        cert.issuer = first(*(make_value(pt.search(_ISSUED_BY, 1), _short_text) for pt in pages))
