"""Label -> field key matching against data/labels.yaml: wording variants, OCR slips, context."""

from __future__ import annotations

import pytest

from shenbao.extractors.form.labels import LabelTable, compact


@pytest.fixture(scope="module")
def table() -> LabelTable:
    return LabelTable.load()


def key_of(table: LabelTable, text: str, context: list[str] | None = None, relaxed: bool = False) -> str | None:
    m = table.match(text, relaxed=relaxed)
    return None if m is None else m.resolve(context or [])


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("通讯地址", "address"),
        ("通信地址.", "address"),  # OCR's stray full stop
        ("E-mai", "email"),
        ("E-mail", "email"),
        ("Ｅ－ｍａｉｌ", "email"),  # full-width
        ("电子邮箱", "email"),
        ("出生年月", "master_birth"),
        ("出生日期", "master_birth"),
        ("社会统一信用代码", "unit_credit_code"),
        ("统一社会信用代\n码", "unit_credit_code"),
        ("-开户银行、户名、开户账号", "bank_account"),
        ("开户银行及资金账号", "bank_account"),
        ("开户银行", "_bank_name"),
        ("账号", "_bank_number"),
        ("申 报 单 位", "unit_name"),
        ("领  办  人  姓 名", "master_name"),
        ("专家姓名", "master_name"),
        ("职业（工种）", "master_occupation"),
        ("从事职业(工种)", "master_occupation"),
        ("工作室职业（工种）", "studio_occupation"),
        ("技能等级", "master_skill_level"),
        ("工作室规模", "studio_team_size"),
        ("团队人数", "studio_team_size"),
        ("技能大师工作业绩、获奖情况、主要创新发明等情况（可另附页）", "achievements"),
        ("技能大师工作业绩、获省级以上奖励等情况", "achievements"),  # wording variant after the core
        ("命名专家主要工作业绩（300字以内）", "achievements"),
        ("获得中华技能大奖、全国技术能手、三晋技术能手、吕梁技术状元、吕梁技术能手、市级非遗项目传承人以及掌握传统技能、民间绝技的高技能以上人才", "_awards"),
        ("获得市级以上技术能手（首席技师）荣誉称号年度", "_awards"),
        ("获奖情况（区级以上）", "_awards"),
        ("负责入", "unit_head"),  # one OCR slip in a 3-character label
        ("邮政编的", "postcode"),
        ("社会统一倍用代的", "unit_credit_code"),  # two slips in eight characters
        ("申报单位意见", "_ignore"),
        ("工作室面积（平方米）", "studio_area_m2"),  # a unit in brackets
        ("工作室建筑面积(㎡)", "studio_area_m2"),
        ("团队人数（人）", "studio_team_size"),
        ("E-mail地址", "email"),
        ("所在单位及职务", "master_employer_title"),
        # Wordings the five notices' forms do not use but other years' and bureaus' do.
        ("单位开户银行及帐号", "bank_account"),
        ("国家职业资格等级", "master_skill_level"),
        ("主要设施设备", "studio_facilities"),
        ("主要业绩（500字以内）", "achievements"),
        ("资金使用计划", "fund_use"),
        ("获得荣誉称号", "_awards"),
    ],
)
def test_label_variants(table: LabelTable, text: str, key: str) -> None:
    assert key_of(table, text) == key


@pytest.mark.parametrize(
    "text",
    ["汉族", "男", "中共党员", "高级技师", "武汉市人力资源和社会保障局", "0358-8035066", "团队成员7名：任兵志、田涛鹏",
     "工作室包括理论教室、实操车间和技术研讨室", "事业单位", "制造业", ""],
)
def test_values_are_not_labels(table: LabelTable, text: str) -> None:
    assert table.match(text) is None


def test_two_character_labels_must_be_exact(table: LabelTable) -> None:
    assert key_of(table, "民族") == "master_ethnicity"
    assert table.match("民旅") is None
    assert table.match("民旅", relaxed=True) is None


def test_worn_label_needs_relaxed_matching(table: LabelTable) -> None:
    assert table.match("二作室基本没施") is None
    assert key_of(table, "二作室基本没施", relaxed=True) == "studio_facilities"


@pytest.mark.parametrize(
    ("text", "context", "key"),
    [
        ("办公电话", ["unit_head"], "unit_head_phone"),
        ("办公电话", ["contact_name"], "contact_phone"),
        ("办公电话", [], None),  # whose phone? not said: not read
        ("手机", ["contact_phone", "contact_name"], "contact_mobile"),
        ("手机", ["master_phone"], "_mobile"),
        ("手机", [], "contact_mobile"),
        ("联系电话", [], "master_phone"),
        ("联系电话", ["_awards"], "master_phone"),
        ("联系电话", ["contact_name"], "contact_phone"),
        ("姓名", ["contact_name"], "contact_name"),
        ("姓名", ["unit_head"], "unit_head"),
        ("姓名", [], "_col_name"),
    ],
)
def test_context_decides_ambiguous_labels(table: LabelTable, text: str, context: list[str], key: str | None) -> None:
    assert key_of(table, text, context) == key


def test_split_prefix(table: LabelTable) -> None:
    m, rest = table.split_prefix("填报时间：2023年8月2日")
    assert m.resolve([]) == "fill_date" and rest == "2023年8月2日"
    m, rest = table.split_prefix("申报单位XX机械有限公司", cover_only=True)
    assert m.resolve([]) == "unit_name" and rest == "XX机械有限公司"
    assert table.split_prefix("长期从事焊工工作：经验丰富") is None


def test_sections(table: LabelTable) -> None:
    assert table.section("其他获奖情况:") == "其它获奖情况"
    assert table.section("省部级获奖情况：") == "省部级获奖情况"
    assert table.section("主要荣誉") is None


def test_compact_drops_hints_and_punctuation() -> None:
    assert compact("技能大师工作业绩\n（可另附页）") == "技能大师工作业绩"
    assert compact("E-mail：") == "email"
    assert compact("工作室面积（平方米）") == "工作室面积"
    assert compact("联系人") == "联系人"  # 人 is a unit only in brackets
