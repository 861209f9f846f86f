"""Chinese names a reviewer reads instead of the contract's keys and codes."""

from __future__ import annotations

import re

from shenbao.models.labels import DOCUMENT_LABELS, FIELD_LABELS

FINDING_LABELS: dict[str, str] = {
    "MISSING_FIELD": "必填项为空",
    "MISSING_DOCUMENT": "缺少必需材料",
    "ID_CHECKSUM_INVALID": "身份证号校验失败",
    "ID_BIRTH_MISMATCH": "出生日期与身份证号不符",
    "ID_GENDER_MISMATCH": "性别与身份证号不符",
    "NAME_MISMATCH": "证件姓名与申报表不符",
    "ID_NUMBER_MISMATCH": "证件号码与申报表不符",
    "AWARD_UNRECOGNISED": "荣誉未在认可名录中",
    "AWARD_NO_EVIDENCE": "荣誉缺少证书",
    "AWARD_HOLDER_MISMATCH": "荣誉证书持有人不符",
    "AWARD_YEAR_MISMATCH": "荣誉年份不符",
    "AWARD_ORDER": "荣誉未按时间顺序填写",
    "NO_QUALIFYING_HONOUR": "无符合条件的荣誉",
    "SKILL_LEVEL_INSUFFICIENT": "技能等级未达要求",
    "SKILL_LEVEL_MISMATCH": "技能等级与证书不符",
    "CREDIT_CODE_INVALID": "统一社会信用代码无效",
    "TEAM_SIZE_OUT_OF_RANGE": "团队人数超出范围",
    "TRAINING_FUND_BELOW_MIN": "高技能人才培养经费不足50%",
    "SUBMITTED_LATE": "逾期报送",
    "SUBMITTED_OUTSIDE_WINDOW": "未在受理期内报送",
    "DUPLICATE_APPLICANT": "重复申报",
    "STUDIO_NAME_FORMAT": "工作室名称格式不符",
    "WORK_START_IMPLAUSIBLE": "参加工作时间不合理",
    "CONTACT_INVALID": "联系方式格式有误",
    "TEXT_LENGTH": "字数不符合要求",
    "SUMMARY_MISMATCH": "汇总表与申报表不一致",
    "LOW_CONFIDENCE": "识别置信度低",
    "UNREADABLE_INPUT": "文件无法读取",
}

SEVERITY_LABELS: dict[str, str] = {"error": "错误", "warning": "警告", "info": "提示"}
SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}

JURISDICTION_LABELS: dict[str, str] = {
    "lvliang-2025": "吕梁市（2025年）",
    "hohhot": "呼和浩特市",
    "changchun-2025": "长春市（2025年）",
    "wuhan-2024": "武汉市（2024年）",
    "liangping-2023": "重庆市梁平区（2023年）",
}

LEVEL_LABELS: dict[str, str] = {
    "national": "国家级",
    "provincial": "省级",
    "city": "市级",
    "district": "区县级",
    "enterprise": "企业级",
}

_AWARD_REF = re.compile(r"^awards\[(\d+)\]$")


def award_index(ref: str) -> int | None:
    """`awards[3]` -> 3 (the corpus names one award of a finding this way); else None."""
    m = _AWARD_REF.match(ref)
    return int(m.group(1)) if m else None


def field_label(key: str) -> str:
    index = award_index(key)
    if index is not None:
        return f"荣誉 {index + 1}"
    if key == "awards":
        return "全部荣誉"
    return FIELD_LABELS.get(key, key)


def document_label(doc_type: str) -> str:
    return DOCUMENT_LABELS.get(doc_type, doc_type)


def finding_label(code: str) -> str:
    return FINDING_LABELS.get(code, code)


def severity_label(severity: str) -> str:
    return SEVERITY_LABELS.get(severity, severity)


def jurisdiction_label(jurisdiction: str | None) -> str:
    if not jurisdiction:
        return "未识别"
    return JURISDICTION_LABELS.get(jurisdiction, jurisdiction)


def level_label(level: str | None) -> str:
    if not level:
        return ""
    return LEVEL_LABELS.get(level, level)
