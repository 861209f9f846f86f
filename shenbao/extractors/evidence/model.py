"""What the evidence readers found in the packet's supporting documents.

Every value keeps where it came from (page, box in page units, confidence) so a finding can
show the reviewer the two places that disagree, and an auditor can check the page.
The rule engine reads these; the readers (shenbao.extractors.evidence) write them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shenbao.pipeline.types import BBox


@dataclass
class Value:
    value: Any  # normalised as RESULT.md says for the matching field (dates, levels, numbers…)
    raw: str  # the text it was read from
    page: int
    bbox: BBox | None = None
    confidence: float = 1.0
    # Why the value, kept as printed, is not a well-formed value of its kind (a 17-character
    # credit code, an ID number whose check digit fails); None when it is one or has no shape.
    malformed: str | None = None
    # A part of the value the page does not show (a date's month under a seal): what is lost.
    partial: str | None = None


@dataclass
class IdCardRead:
    pages: list[int]
    name: Value | None = None
    gender: Value | None = None  # 男 / 女
    ethnicity: Value | None = None  # 汉族 …
    birth: Value | None = None  # YYYY-MM-DD
    address: Value | None = None
    id_number: Value | None = None
    authority: Value | None = None  # 签发机关 (back)
    valid_period: Value | None = None  # 有效期限 (back), raw text
    valid_until: Value | None = None  # the end of 有效期限: YYYY-MM-DD or 长期


@dataclass
class CertificateRead:
    """A qualification (职业资格/职业技能等级) or title (职称) certificate."""

    doc_type: str  # "qualification_certificate" | "title_certificate"
    pages: list[int]
    name: Value | None = None
    gender: Value | None = None
    id_number: Value | None = None
    occupation: Value | None = None  # 职业（工种）
    level: Value | None = None  # qualification: canonical skill level (技师 …)
    title_rank: Value | None = None  # title certificate: 职称 as written, e.g. 高级工程师
    title_grade: Value | None = None  # title certificate: 正高级 / 副高级 / 中级 / 初级
    number: Value | None = None  # 证书编号
    issue_date: Value | None = None  # YYYY-MM-DD or YYYY-MM
    issuer: Value | None = None  # 发证机关/机构


@dataclass
class HonourCertificateRead:
    pages: list[int]
    holder: Value | None = None
    title_text: Value | None = None  # the honour as written
    title: str | None = None  # canonical title from the honour list, None if unrecognised
    match_score: float | None = None
    year: Value | None = None
    issuer: Value | None = None
    number: Value | None = None  # 证书编号, when printed

    @property
    def year_number(self) -> int | None:
        """The year on the certificate as a number, None when it has none that is one."""
        value = self.year.value if self.year is not None else None
        if isinstance(value, str) and not value.strip():
            return None
        try:
            return int(value) if value is not None else None
        except (TypeError, ValueError):
            return None


@dataclass
class BusinessLicenseRead:
    pages: list[int]
    name: Value | None = None  # 名称
    credit_code: Value | None = None  # 统一社会信用代码
    kind: Value | None = None  # 类型
    legal_rep: Value | None = None  # 法定代表人
    founded: Value | None = None  # 成立日期 YYYY-MM-DD
    capital: Value | None = None  # 注册资本 / 开办资金, as printed
    address: Value | None = None  # 住所 / 经营场所


@dataclass
class TrainingFundRead:
    pages: list[int]
    total: Value | None = None  # 职工教育经费总额, 元
    high_skill: Value | None = None  # 用于高技能人才培养的经费, 元
    year: Value | None = None  # the year the amounts are for


@dataclass
class TableRow:
    """One row of a summary table (汇总表/一览表) or an award table, keyed by canonical names."""

    doc_type: str  # "summary_table" | "award_table"
    pages: list[int]
    cells: dict[str, Value] = field(default_factory=dict)


@dataclass
class ProseRead:
    """A prose document (事迹材料, 申报报告, 工作业绩 …) and its length by the counting rule."""

    doc_type: str
    pages: list[int]
    text: str
    length: int


@dataclass
class Evidence:
    id_cards: list[IdCardRead] = field(default_factory=list)
    certificates: list[CertificateRead] = field(default_factory=list)
    honour_certificates: list[HonourCertificateRead] = field(default_factory=list)
    business_licenses: list[BusinessLicenseRead] = field(default_factory=list)
    training_funds: list[TrainingFundRead] = field(default_factory=list)
    table_rows: list[TableRow] = field(default_factory=list)
    prose: list[ProseRead] = field(default_factory=list)
