"""营业执照 and 事业单位法人证书: 名称, 统一社会信用代码, 类型, 法定代表人, 成立日期.

Label/value pairs by position (layout.py); the 事业单位法人证书 has no 类型 or 成立日期. The
credit code stands next to its label, or fused with it in OCR ("统一社会信用代码9142…"); when the
label is lost, an 18-character code anywhere on the licence is taken. OCR look-alikes in the
code are repaired only where the check character agrees (normalize_credit_code).
"""

from __future__ import annotations

import re

from shenbao.extractors.evidence.common import (
    CREDIT_CODE_RX,
    code_value,
    first,
    make_value,
    person_name,
    plain_text,
)
from shenbao.extractors.evidence.layout import PageText, Span
from shenbao.extractors.evidence.model import BusinessLicenseRead
from shenbao.extractors.normalize import normalize_date, normalize_unit_name
from shenbao.pipeline.types import PageKind

LABELS: dict[str, tuple[str, ...]] = {
    "name": ("名称", "企业名称", "单位名称"),
    "credit_code": ("统一社会信用代码", "社会统一信用代码", "社会信用代码", "信用代码"),
    "kind": ("类型", "企业类型", "公司类型", "经济性质", "主体类型"),
    "legal_rep": ("法定代表人", "法定代表人（负责人）", "负责人", "经营者", "投资人", "执行事务合伙人"),
    "founded": ("成立日期", "注册日期", "成立时间"),
    "capital": ("注册资本", "注册资金", "开办资金", "出资额", "出资总额"),
    "address": ("住所", "经营场所", "主要经营场所", "营业场所", "地址"),
    # Printed items not read here: their labels still end the value before them.
    "other": ("实收资本", "营业期限", "经营期限", "经营范围", "登记机关", "注册号", "证照编号", "企业标识"),
}
# A unit's name ends with its organisational form: a name that already does is not continued
# into the row below (which holds the next item when its label was lost).
_NAME_END = re.compile(r"(?:公司|厂|店|部|中心|社|院|所|馆|场|行|站|学校|协会|合作社|事务所|集团)$")
_MULTILINE = ("name", "address")
# Letter-spaced labels ("名　　称", "类　　型") lose a character in OCR now and then (the two are
# far apart and one may be read with the line above or dropped): the remaining one, alone at
# the start of its row, still marks the row.
_HALF_LABELS: dict[str, list[tuple[str, int]]] = {
    "name": [(r"^[名称](?=\s)", 1)],
    "kind": [(r"^[类型](?=\s)", 1)],
}


# An amount of money as a licence prints it: digits or capital numerals, then 元/圆 (万元…).
_AMOUNT = re.compile(r"[\d零壹贰叁肆伍陆柒捌玖拾佰仟万亿〇一二三四五六七八九十百千.,，]+\s*(?:万|亿)?\s*(?:元|圆)")


def _capital(raw: str) -> str | None:
    """注册资本 as printed, only when it is an amount (a notice box's "注册资本：…实行认缴登记制度"
    is not one)."""
    text = plain_text(raw)
    return text if text is not None and _AMOUNT.search(text) else None


def _founded(raw: str) -> str | None:
    return normalize_date(raw, precision="day")


def _code_anywhere(pages: list[PageText]) -> Span | None:
    for pt in pages:
        text, where = pt.flat()
        for m in CREDIT_CODE_RX.finditer(text):
            token = m.group(1)
            if sum(c.isdigit() for c in token) >= 8:
                span = pt.locate(where, m.start(1), m.end(1))
                if span is not None:
                    return span
    return None


def read_business_license(pages: list[PageText]) -> BusinessLicenseRead:
    spans: dict[str, Span] = {}
    for pt in pages:
        found = pt.read_labels(LABELS, multiline=_MULTILINE, extra=_HALF_LABELS)
        if "name" in found:
            one_row = pt.read_labels({"name": LABELS["name"]}, extra={"name": _HALF_LABELS["name"]}).get("name")
            if one_row is not None and _NAME_END.search(re.sub(r"\s+", "", one_row.text)):
                found["name"] = one_row
        for key, span in found.items():
            spans.setdefault(key, span)
    ocr = any(pt.page.kind is PageKind.SCAN for pt in pages)
    lic = BusinessLicenseRead(pages=[pt.number for pt in pages])
    lic.name = make_value(spans.get("name"), normalize_unit_name)
    lic.credit_code = first(code_value(spans.get("credit_code"), "credit_code", ocr),
                            code_value(_code_anywhere(pages), "credit_code", ocr))
    lic.kind = make_value(spans.get("kind"), plain_text)
    lic.legal_rep = make_value(spans.get("legal_rep"), person_name)
    lic.founded = make_value(spans.get("founded"), _founded)
    lic.capital = make_value(spans.get("capital"), _capital)
    lic.address = make_value(spans.get("address"), plain_text)
    return lic
