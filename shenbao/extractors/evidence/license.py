"""营业执照 and 事业单位法人证书: 名称, 统一社会信用代码, 类型, 法定代表人, 成立日期.

Label/value pairs by position (layout.py); the 事业单位法人证书 has no 类型 or 成立日期. The
credit code stands next to its label, or fused with it in OCR ("统一社会信用代码9142…"); when the
label is lost, an 18-character code anywhere on the licence is taken. OCR look-alikes in the
code are repaired only where the check character agrees (normalize_credit_code).
"""

from __future__ import annotations

from shenbao.extractors.evidence.common import CREDIT_CODE_RX, first, make_value, person_name, plain_text
from shenbao.extractors.evidence.layout import PageText, Span
from shenbao.extractors.evidence.model import BusinessLicenseRead
from shenbao.extractors.normalize import normalize_credit_code, normalize_date, normalize_unit_name
from shenbao.pipeline.types import PageKind

LABELS: dict[str, tuple[str, ...]] = {
    "name": ("名称", "企业名称", "单位名称"),
    "credit_code": ("统一社会信用代码", "社会统一信用代码", "社会信用代码", "信用代码"),
    "kind": ("类型", "企业类型", "经济性质", "主体类型"),
    "legal_rep": ("法定代表人", "法定代表人（负责人）", "负责人", "经营者", "投资人", "执行事务合伙人"),
    "founded": ("成立日期", "注册日期", "成立时间"),
}
_MULTILINE = ("name",)
# Letter-spaced labels ("名　　称", "类　　型") lose a character in OCR now and then (the two are
# far apart and one may be read with the line above or dropped): the remaining one, alone at
# the start of its row, still marks the row.
_HALF_LABELS: dict[str, list[tuple[str, int]]] = {
    "name": [(r"^[名称](?=\s)", 1)],
    "kind": [(r"^[类型](?=\s)", 1)],
}


def _code_reader(ocr: bool):
    def read(raw: str) -> str | None:
        value = normalize_credit_code(raw, allow_lookalike_swaps=ocr)
        return value if value is not None and len(value) == 18 else None

    return read


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
        for key, span in pt.read_labels(LABELS, multiline=_MULTILINE, extra=_HALF_LABELS).items():
            spans.setdefault(key, span)
    ocr = any(pt.page.kind is PageKind.SCAN for pt in pages)
    code = _code_reader(ocr)
    lic = BusinessLicenseRead(pages=[pt.number for pt in pages])
    lic.name = make_value(spans.get("name"), normalize_unit_name)
    lic.credit_code = first(make_value(spans.get("credit_code"), code), make_value(_code_anywhere(pages), code))
    lic.kind = make_value(spans.get("kind"), plain_text)
    lic.legal_rep = make_value(spans.get("legal_rep"), person_name)
    lic.founded = make_value(spans.get("founded"), _founded)
    return lic
