"""Value normalisation: raw cell text → the normalised value RESULT.md defines for each field.

`normalize_field(key, raw)` dispatches on the canonical field key to one helper per kind of
value. Every helper takes the raw text of a form cell (text layer or OCR, line breaks and all)
and returns the normalised value, or None when the cell holds no value (empty, 无, /, ——, 空 …).
None of them raises on bad text.
"""

from __future__ import annotations

from collections.abc import Callable

from shenbao.extractors.normalize.choices import (
    ETHNIC_GROUPS,
    SKILL_LEVELS,
    normalize_ethnicity,
    normalize_gender,
    normalize_political,
    normalize_skill_level,
    normalize_yes_no,
    skill_level_rank,
)
from shenbao.extractors.normalize.codes import normalize_credit_code, normalize_id_number
from shenbao.extractors.normalize.composite import (
    normalize_bank_account,
    normalize_employer_title,
    normalize_person_name,
    normalize_unit_name,
)
from shenbao.extractors.normalize.contact import normalize_email, normalize_phone, normalize_postcode
from shenbao.extractors.normalize.dates import normalize_date
from shenbao.extractors.normalize.numbers import (
    fix_digit_lookalikes,
    normalize_amount_yuan,
    normalize_area,
    normalize_team_size,
    parse_chinese_int,
)
from shenbao.extractors.normalize.text import count_text_length, is_placeholder, normalize_text, strip_label

Value = str | int | float | None

# Form labels per key (RESULT.md), stripped when they leaked into the cell text.
FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "unit_name": ("申报单位名称", "申报单位全称", "申报单位"),
    "unit_type": ("单位性质",),
    "unit_credit_code": ("统一社会信用代码", "社会统一信用代码"),
    "unit_is_central_soe": ("是否央企",),
    "unit_head": ("负责人",),
    "unit_head_phone": ("办公电话",),
    "contact_name": ("联系人",),
    "contact_phone": ("办公电话",),
    "contact_mobile": ("手机",),
    "email": ("E-mail", "E-mai", "电子邮箱"),
    "fax": ("传真",),
    "address": ("通讯地址", "通信地址"),
    "postcode": ("邮政编码",),
    "bank_account": (),  # its labels sit between the parts; normalize_bank_account drops them
    "is_plaqued": ("是否已经授牌",),
    "studio_name": ("申办工作室名称", "工作室名称"),
    "studio_occupation": ("工作室职业（工种）", "工作室职业(工种)"),
    "master_name": ("技能大师姓名", "领办人姓名", "专家姓名"),
    "master_gender": ("性别",),
    "master_ethnicity": ("民族",),
    "master_birth": ("出生年月", "出生日期"),
    "master_work_start": ("参加工作时间",),
    "master_political": ("政治面貌",),
    "master_id_number": ("身份证号",),
    "master_employer_title": ("工作单位及职务",),
    "master_industry": ("所属行业",),
    "master_occupation": ("从事职业（工种）", "从事职业(工种)"),
    "master_skill_level": ("领办人职业技能等级", "职业技能等级"),
    "master_phone": ("联系电话",),
    "studio_location": ("工作室地点", "工作室地址"),
    "studio_area_m2": ("工作室面积",),
    "studio_team_size": ("工作室人员", "工作室成员", "工作室规模"),
    "studio_facilities": ("工作室基本设施",),
    "achievements": (),
    "fund_use": ("项目资金主要用途及预期效果",),
    "fill_date": ("填报时间", "填报日期"),
    "submission_date": (),
    "training_fund_total": ("职工教育经费总额",),
    "training_fund_high_skill": ("用于高技能人才培养的经费",),
}


def _landline_first(raw: str) -> str | None:
    return normalize_phone(raw, prefer="landline")


def _mobile_first(raw: str) -> str | None:
    return normalize_phone(raw, prefer="mobile")


_BY_KEY: dict[str, Callable[[str], Value]] = {
    "unit_name": normalize_unit_name,
    "unit_type": normalize_text,
    "unit_credit_code": normalize_credit_code,
    "unit_is_central_soe": normalize_yes_no,
    "unit_head": normalize_person_name,
    "unit_head_phone": _landline_first,
    "contact_name": normalize_person_name,
    "contact_phone": _landline_first,
    "contact_mobile": _mobile_first,
    "email": normalize_email,
    "fax": _landline_first,
    "address": normalize_text,
    "postcode": normalize_postcode,
    "bank_account": normalize_bank_account,
    "is_plaqued": normalize_yes_no,
    "studio_name": normalize_text,
    "studio_occupation": normalize_text,
    "master_name": normalize_person_name,
    "master_gender": normalize_gender,
    "master_ethnicity": normalize_ethnicity,
    "master_birth": normalize_date,
    "master_work_start": normalize_date,
    "master_political": normalize_political,
    "master_id_number": normalize_id_number,
    "master_employer_title": normalize_employer_title,
    "master_industry": normalize_text,
    "master_occupation": normalize_text,
    "master_skill_level": normalize_skill_level,
    "master_phone": _mobile_first,
    "studio_location": normalize_text,
    "studio_area_m2": normalize_area,
    "studio_team_size": normalize_team_size,
    "studio_facilities": normalize_text,
    "achievements": normalize_text,
    "fund_use": normalize_text,
    "fill_date": normalize_date,
    "submission_date": normalize_date,
    "training_fund_total": normalize_amount_yuan,
    "training_fund_high_skill": normalize_amount_yuan,
}


# Keys whose normaliser takes one shape of value only (a date, a phone number, a code, a
# choice, a number): a text it accepts is that field's value, not a word of some label.
SHAPED_KEYS: frozenset[str] = frozenset(
    key for key, helper in _BY_KEY.items()
    if helper in (normalize_date, normalize_email, _landline_first, _mobile_first, normalize_postcode,
                  normalize_id_number, normalize_credit_code, normalize_gender, normalize_ethnicity,
                  normalize_yes_no, normalize_area, normalize_team_size, normalize_amount_yuan)
)


def normalize_field(key: str, raw: str | None) -> Value:
    """The normalised value of canonical field `key` from the raw text of its cell.

    None when the cell holds no value. Raises KeyError for a key RESULT.md does not define
    (a programming error, not bad input).
    """
    try:
        helper = _BY_KEY[key]
    except KeyError:
        raise KeyError(f"unknown field key {key!r}; see RESULT.md 'Canonical field keys'") from None
    if raw is None:
        return None
    text = str(raw)
    labels = FIELD_LABELS.get(key, ())
    if labels:
        text = strip_label(text, labels)
    if is_placeholder(text) and helper not in (normalize_yes_no,):
        return None
    return helper(text)


__all__ = [
    "ETHNIC_GROUPS",
    "FIELD_LABELS",
    "SHAPED_KEYS",
    "SKILL_LEVELS",
    "Value",
    "count_text_length",
    "fix_digit_lookalikes",
    "is_placeholder",
    "normalize_amount_yuan",
    "normalize_area",
    "normalize_bank_account",
    "normalize_credit_code",
    "normalize_date",
    "normalize_email",
    "normalize_employer_title",
    "normalize_ethnicity",
    "normalize_field",
    "normalize_gender",
    "normalize_id_number",
    "normalize_person_name",
    "normalize_phone",
    "normalize_political",
    "normalize_postcode",
    "normalize_skill_level",
    "normalize_team_size",
    "normalize_text",
    "normalize_unit_name",
    "normalize_yes_no",
    "parse_chinese_int",
    "skill_level_rank",
]
