"""What every check reads: the packet's result, the evidence, the pack, and small helpers to get
normalised values and to write findings that carry their rule id and citation."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from shenbao.extractors.evidence.model import Evidence, Value
from shenbao.models.result import Finding, FindingCode, Result
from shenbao.rules.pack import Citation, RulePack

if TYPE_CHECKING:
    from shenbao.matchers.honours import HonourList
    from shenbao.rules.checks.awards import AwardLinks

# Chinese names of the canonical fields, for messages a reviewer reads.
FIELD_LABELS: dict[str, str] = {
    "unit_name": "申报单位名称",
    "unit_type": "单位性质",
    "unit_credit_code": "统一社会信用代码",
    "unit_is_central_soe": "是否央企",
    "unit_head": "负责人",
    "unit_head_phone": "负责人办公电话",
    "contact_name": "联系人",
    "contact_phone": "联系人办公电话",
    "contact_mobile": "联系人手机",
    "email": "电子邮箱",
    "fax": "传真",
    "address": "通信地址",
    "postcode": "邮政编码",
    "bank_account": "开户银行及账号",
    "is_plaqued": "是否已经授牌",
    "studio_name": "工作室名称",
    "studio_occupation": "工作室职业（工种）",
    "master_name": "技能大师姓名",
    "master_gender": "性别",
    "master_ethnicity": "民族",
    "master_birth": "出生年月",
    "master_work_start": "参加工作时间",
    "master_political": "政治面貌",
    "master_id_number": "身份证号",
    "master_employer_title": "工作单位及职务",
    "master_industry": "所属行业",
    "master_occupation": "从事职业（工种）",
    "master_skill_level": "职业技能等级",
    "master_phone": "技能大师联系电话",
    "studio_location": "工作室地点",
    "studio_area_m2": "工作室面积",
    "studio_team_size": "工作室人员",
    "studio_facilities": "工作室基本设施",
    "achievements": "技能大师工作业绩",
    "fund_use": "项目资金主要用途及预期效果",
    "fill_date": "填报时间",
    "submission_date": "收件日期",
    "training_fund_total": "职工教育经费总额",
    "training_fund_high_skill": "高技能人才培养经费",
}

DOC_LABELS: dict[str, str] = {
    "cover": "封面",
    "application_form": "申报表",
    "award_table": "获奖情况表",
    "summary_table": "汇总表/一览表",
    "application_report": "申报报告/申报书",
    "commitment_letter": "申报材料真实性承诺书",
    "id_card": "身份证复印件",
    "qualification_certificate": "职业资格（技能等级）证书",
    "title_certificate": "专业技术职务（职称）证书",
    "honour_certificate": "荣誉证书",
    "business_license": "营业执照",
    "training_fund_proof": "职工教育经费用于高技能人才培养不低于50%的证明材料",
    "police_opinion": "公安部门意见",
    "integrity_statement": "党风廉政建设“一票否决”情况说明",
    "site_photos": "三室一场现场照片",
    "deeds_material": "事迹材料",
    "education_certificate": "学历证书",
    "work_photo": "工作照片",
    "recommendation_report": "推荐报告",
    "other": "其他材料",
}

_SPACE = re.compile(r"\s+")


def squash(text: object) -> str:
    """Text compared as a reviewer would: whitespace removed, middle dots unified (少数民族姓名)."""
    return _SPACE.sub("", str(text)).replace("•", "·").replace("・", "·")


def value_of(v: Value | None) -> Any:
    """The normalised value of an evidence Value, None when absent or blank."""
    if v is None or v.value is None:
        return None
    if isinstance(v.value, str) and not v.value.strip():
        return None
    return v.value


@dataclass
class RuleContext:
    result: Result
    evidence: Evidence
    pack: RulePack
    received_at: datetime | None
    today: date
    honours: HonourList
    _links: AwardLinks | None = field(default=None, init=False, repr=False)

    # --- form values ---------------------------------------------------------------------

    def value(self, key: str) -> Any:
        """The field's normalised value; None when absent or blank."""
        f = self.result.fields.get(key)
        if f is None or f.value is None:
            return None
        if isinstance(f.value, str) and not f.value.strip():
            return None
        return f.value

    def text(self, key: str) -> str | None:
        v = self.value(key)
        return None if v is None else str(v).strip()

    def pages(self, *keys: str) -> list[int]:
        out = []
        for key in keys:
            f = self.result.fields.get(key)
            if f is not None and f.page:
                out.append(f.page)
        return out

    # --- documents -----------------------------------------------------------------------

    def doc_types(self) -> set[str]:
        return {str(d.type) for d in self.result.documents}

    def has_doc(self, *types: str) -> bool:
        present = self.doc_types()
        return any(t in present for t in types)

    def doc_pages(self, *types: str) -> list[int]:
        return sorted({p for d in self.result.documents if str(d.type) in types for p in d.pages})

    # --- awards --------------------------------------------------------------------------

    @property
    def links(self) -> AwardLinks:
        """Certificates linked to each claimed award (computed once; extends evidence_pages)."""
        if self._links is None:
            from shenbao.rules.checks.awards import link_awards

            self._links = link_awards(self)
        return self._links

    # --- findings ------------------------------------------------------------------------

    def finding(
        self,
        code: FindingCode,
        section: str,
        citation: Citation,
        message: str,
        *,
        fields: list[str] | tuple[str, ...] = (),
        documents: list[str] | tuple[str, ...] = (),
        pages: list[int] | tuple[int, ...] | set[int] = (),
    ) -> Finding:
        return Finding.make(
            code,
            message,
            fields=list(fields),
            documents=list(documents),
            pages=sorted({int(p) for p in pages if p}),
            rule=self.pack.rule_id(section),
            citation=citation.render(),
        )


def parse_year_month(text: object) -> tuple[int, int] | None:
    """(year, month) of a normalised date 'YYYY-MM' or 'YYYY-MM-DD'; None otherwise."""
    m = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", str(text).strip()) if text is not None else None
    if not m or not 1 <= int(m[2]) <= 12:
        return None
    return int(m[1]), int(m[2])
