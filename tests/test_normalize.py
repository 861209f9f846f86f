"""Value normalisation: written variants and OCR slips on both sides of every rule."""

from __future__ import annotations

import json
import string
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shenbao.extractors.normalize import (
    SKILL_LEVELS,
    count_text_length,
    normalize_credit_code,
    normalize_date,
    normalize_field,
    normalize_id_number,
    normalize_phone,
    normalize_text,
    parse_chinese_int,
    skill_level_rank,
)
from shenbao.models.result import FIELD_KEYS
from shenbao.rules.validators import (
    USCC_ALPHABET,
    credit_code_check_char,
    id_check_char,
    validate_credit_code,
    validate_id_number,
)


def cases(key: str, pairs: list[tuple[str | None, object]]) -> list[tuple[str, str | None, object]]:
    return [(key, raw, want) for raw, want in pairs]


# --- dates -------------------------------------------------------------------------------

DATE_CASES = cases(
    "master_birth",
    [
        ("1979年3月", "1979-03"),
        ("1979.03", "1979-03"),
        ("1979-3", "1979-03"),
        ("1979/03/05", "1979-03-05"),
        ("1979年03月05日", "1979-03-05"),
        ("197903", "1979-03"),
        ("19790305", "1979-03-05"),
        ("1979.3.5", "1979-03-05"),
        ("1988.8", "1988-08"),
        ("1979年3 月", "1979-03"),  # OCR spaces
        ("1979 .03", "1979-03"),
        ("1 9 7 9 年 3 月", "1979-03"),
        ("l979.O3", "1979-03"),  # OCR look-alikes
        ("1970年3月7L", "1970-03-07"),  # trailing OCR noise
        ("2000年05月20日1", "2000-05-20"),
        ("１９７９年３月", "1979-03"),  # full-width digits
        ("1979年3月\n", "1979-03"),
        ("出生年月：1979.03", "1979-03"),  # label leaked into the cell
        # must not read as a date
        ("", None),
        ("无", None),
        ("/", None),
        ("年  月  日", None),
        ("1979年", None),  # a year alone is not a date of the contract
        ("79年3月", None),  # two-digit year: which century?
        ("1979.13", None),
        ("1979年2月30日", None),
        ("1899.12", None),
        ("220183196812034391", None),  # an ID number is not a date
        ("200;年10月", None),  # unreadable digit: no guess
    ],
) + cases(
    "fill_date",
    [
        ("二〇二五年五月", "2025-05"),
        ("二〇二五年五月二十日", "2025-05-20"),
        ("二〇二五年五月十一日", "2025-05-11"),
        ("二〇2五年四月二十六日", "2025-04-26"),  # one numeral read as an Arabic digit
        ("12025年4月", None),  # five digits: no year
        # the 〇 of a Chinese-numeral year lost, misread as another numeral, or as O / 0
        ("二二五年九月", "2025-09"),
        ("二二二五年四月二十六日", "2025-04-26"),
        ("二O二五年九月", "2025-09"),
        ("二0二五年九月", "2025-09"),
        ("一九八年三月", None),  # a lost digit of 198x cannot be put back
        ("二〇二年五月", None),  # the 〇 is there: another numeral was lost, no year to invent
        ("二零二四年十二月三十一日", "2024-12-31"),
        ("2025年5月20日", "2025-05-20"),
        ("2025.5.20", "2025-05-20"),
        ("2024.04.18", "2024-04-18"),
        ("填报时间：2023年8月9日", "2023-08-09"),
        ("年 月 日", None),
    ],
) + cases("master_work_start", [("2007年10月", "2007-10"), ("2001.07", "2001-07"), ("1994-09", "1994-09")]) + cases(
    "submission_date", [("2025-10-08T12:59:00", "2025-10-08")]
)


@pytest.mark.parametrize(("key", "raw", "want"), DATE_CASES)
def test_dates(key: str, raw: str, want: object) -> None:
    assert normalize_field(key, raw) == want


def test_date_precision() -> None:
    assert normalize_date("1979年3月5日", precision="month") == "1979-03"
    assert normalize_date("1979年3月5日", precision="day") == "1979-03-05"
    assert normalize_date("1979年3月", precision="day") is None
    with pytest.raises(ValueError):
        normalize_date("1979年3月", precision="week")


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)), st.integers(0, 5))
def test_generated_dates_in_every_written_form(d: date, form: int) -> None:
    written = [
        f"{d.year}年{d.month}月{d.day}日",
        f"{d.year}.{d.month:02d}.{d.day:02d}",
        f"{d.year}/{d.month}/{d.day}",
        f"{d:%Y%m%d}",
        f"{d.year} - {d.month} - {d.day}",
        f"{d.year}年{d.month:02d}月{d.day:02d}日",
    ][form]
    assert normalize_date(written) == d.isoformat()
    assert normalize_date(written.replace(f"{d.day:02d}日", "").replace(f"{d.day}日", "")
                          if "年" in written else f"{d.year}.{d.month}") == f"{d:%Y-%m}"


# --- Chinese numerals --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "want"),
    [("十二", 12), ("二十", 20), ("二十一", 21), ("一百零五", 105), ("两千", 2000), ("伍佰柒拾叁万", 5730000),
     ("二〇二五", 2025), ("十", 10), ("三十一", 31), ("一万二千", 12000), ("", None), ("十二人", None), ("abc", None)],
)
def test_chinese_numerals(text: str, want: int | None) -> None:
    assert parse_chinese_int(text) == want


# --- skill level -------------------------------------------------------------------------

SKILL_CASES = cases(
    "master_skill_level",
    [
        ("技师", "技师"),
        ("高级技师", "高级技师"),
        ("高级工", "高级工"),
        ("中级工", "中级工"),
        ("初级工", "初级工"),
        ("特级技师", "特级技师"),
        ("首席技师", "首席技师"),
        ("五级", "初级工"),
        ("四级", "中级工"),
        ("三级", "高级工"),
        ("二级", "技师"),
        ("一级", "高级技师"),
        ("2级", "技师"),
        ("二级/技师", "技师"),
        ("技师（二级）", "技师"),
        ("二级（技师）", "技师"),
        ("高级技师(一级)", "高级技师"),
        ("一级/高级技师", "高级技师"),
        ("三级/高级工", "高级工"),
        ("国家职业资格二级", "技师"),
        ("职业资格一级", "高级技师"),
        ("高 级 技 师", "高级技师"),
        ("一级 高级技手.", "高级技师"),  # OCR garbled the name, the grade survives
        ("—级/高级技手", "高级技师"),  # OCR read 一 as a dash
        ("高级技师级", "高级技师"),
        ("高级技帅", "高级技师"),
        ("领办人职业技能等级：三级（高级工）", "高级工"),
        # must not normalise to a level
        ("高级工程师", None),  # a title, not a skill level ("高级工" is inside it)
        ("工程师", None),
        ("高级", None),
        ("无", None),
        ("", None),
    ],
)


@pytest.mark.parametrize(("key", "raw", "want"), SKILL_CASES)
def test_skill_level(key: str, raw: str, want: object) -> None:
    assert normalize_field(key, raw) == want


def test_skill_level_rank_orders_levels() -> None:
    ranks = [skill_level_rank(level) for level in SKILL_LEVELS]
    assert ranks == sorted(ranks) and len(set(ranks)) == len(SKILL_LEVELS)
    assert skill_level_rank("高级技师") > skill_level_rank("技师") > skill_level_rank("高级工")
    assert skill_level_rank(None) is None and skill_level_rank("工程师") is None


# --- gender, ethnicity, political, yes/no ----------------------------------------------

CHOICE_CASES = (
    cases(
        "master_gender",
        [("男", "男"), ("女", "女"), ("男性", "男"), ("女 性", "女"), ("M", "男"), ("Female", "女"), ("☑男 □女", "男"),
         ("男□ 女☑", "女"), ("男女", None), ("无", None), ("未知", None), ("", None)],
    )
    + cases(
        "master_ethnicity",
        [("汉", "汉族"), ("汉族", "汉族"), ("汉 族", "汉族"), ("蒙古", "蒙古族"), ("蒙古族", "蒙古族"), ("蒙族", "蒙古族"),
         ("维族", "维吾尔族"), ("朝鲜", "朝鲜族"), ("土家族", "土家族"), ("土族", "土族"), ("回", "回族"), ("满", "满族"),
         ("汉战", "汉族"),  # OCR slip on 族
         ("民族：汉", "汉族"), ("穿青人", "穿青人"), ("无", None), ("", None)],
    )
    + cases(
        "master_political",
        [("中共党员", "中共党员"), ("党员", "中共党员"), ("中国共产党党员", "中共党员"), ("预备党员", "中共预备党员"),
         ("民盟", "民盟盟员"), ("民盟盟员", "民盟盟员"), ("九三学社", "九三学社社员"), ("群众", "群众"), ("团员", "共青团员"),
         ("无党派", "无党派人士"), ("/", None)],
    )
    + cases(
        "is_plaqued",
        [("是", "是"), ("否", "否"), ("无", "否"), ("☑是 □否", "是"), ("是□ 否☑", "否"), ("已授牌", "是"), ("未授牌", "否"),
         ("Y", "是"), ("/", None), ("", None), ("——", None)],
    )
    + cases(
        "unit_is_central_soe",
        [("否", "否"), ("是（中国非金属矿业集团）", "是"), ("非央企", "否"), ("是否央企：否", "否")],
    )
)


@pytest.mark.parametrize(("key", "raw", "want"), CHOICE_CASES)
def test_choices(key: str, raw: str, want: object) -> None:
    assert normalize_field(key, raw) == want


# --- phones, e-mail, postcode --------------------------------------------------------------

CONTACT_CASES = (
    cases(
        "unit_head_phone",
        [
            ("0358-6941032", "0358-6941032"),
            ("(0358)6941032", "0358-6941032"),
            ("（0358）6941032", "0358-6941032"),
            ("0358 6941032", "0358-6941032"),
            ("03586941032", "0358-6941032"),
            ("0358—6941032", "0358-6941032"),
            ("０３５８－６９４１０３２", "0358-6941032"),
            ("027-82558090", "027-82558090"),
            ("02782558090", "027-82558090"),  # 027 is a 3-digit area code
            ("010 12345678", "010-12345678"),
            ("0431 728900:0", "0431-72890010"),  # OCR ':' for a thin 1
            ("0431-81122:05", "0431-81122105"),
            ("O358-694lO32", "0358-6941032"),
            ("0358-6941032转801", "0358-6941032-801"),
            ("办公电话：0358-6941032", "0358-6941032"),
            ("6941032", "6941032"),
            ("0358-694103", "0358-694103"),  # malformed: kept for the validator to report
            ("无", None),
            ("/", None),
            ("同上", None),
            ("未填写", None),
        ],
    )
    + cases(
        "contact_mobile",
        [
            ("13792607014", "13792607014"),
            ("137 9260 7014", "13792607014"),
            ("137-9260-7014", "13792607014"),
            ("+86 13792607014", "13792607014"),
            ("+86-137-9260-7014", "13792607014"),
            ("（办公）027-82558090 （手机）13824320801", "13824320801"),
            ("13792607014 / 0358-6941032", "13792607014"),
            ("1379260701", "1379260701"),  # 10 digits: kept, invalid
        ],
    )
    + cases("contact_phone", [("（办公）027-82558090 （手机）13824320801", "027-82558090")])
    + cases("fax", [("无", None), ("——", None), ("/", None), ("0431-25018525", "0431-25018525"), ("043129832398", "0431-29832398")])
    + cases(
        "email",
        [
            ("273750741@qq.com", "273750741@qq.com"),
            ("4101207826#qq.com", "4101207826@qq.com"),  # OCR '#' for '@'
            ("ｔｃｗ１４＠１２６．ｃｏｍ", "tcw14@126.com"),
            ("tcw14 @ 126 . com", "tcw14@126.com"),
            ("rkfov25@1\n26.com", "rkfov25@126.com"),  # wrapped mid-address
            ("E-mail：tcw14@126.com", "tcw14@126.com"),
            ("Tcw14@126.COM", "Tcw14@126.com"),  # local part kept as written
            ("abc@qq.corn", "abc@qq.com"),
            ("abc@qq。com", "abc@qq.com"),
            ("abc(at)163.com", "abc@163.com"),
            ("viuolgd@l63.com", "viuolgd@163.com"),  # a public mail domain but for look-alikes
            ("zhang@I26.com", "zhang@126.com"),
            ("zhang@l63.net", "zhang@l63.net"),  # no public domain: as written
            ("zhang@lab.com", "zhang@lab.com"),  # no digit in it: a unit's own domain
            ("无", None),
            ("", None),
        ],
    )
    + cases(
        "postcode",
        [
            ("130012", "130012"),
            ("1300:2", "130012"),
            ("13OO12", "130012"),
            ("０３３０００", "033000"),
            ("邮政编码：030500", "030500"),
            ("030 500", "030500"),
            ("01005", "01005"),  # wrong as written: kept so CONTACT_INVALID can say so
            ("4302000", "4302000"),
            ("无", None),
            ("", None),
        ],
    )
)


@pytest.mark.parametrize(("key", "raw", "want"), CONTACT_CASES)
def test_contact(key: str, raw: str, want: object) -> None:
    assert normalize_field(key, raw) == want


@given(st.sampled_from(["0358", "0471", "0431", "027", "023", "010"]), st.integers(0, 9_999_999))
def test_generated_landlines_in_every_written_form(area: str, n: int) -> None:
    local = f"{n:07d}" if len(area) == 4 else f"{n:08d}"
    local = "8" + local[1:]  # local numbers do not start with 0/1
    want = f"{area}-{local}"
    for written in (want, f"({area}){local}", f"{area} {local}", f"{area}{local}", f"{area}－{local}"):
        assert normalize_phone(written) == want


# --- numbers ----------------------------------------------------------------------------------

NUMBER_CASES = (
    cases(
        "studio_area_m2",
        [
            ("300平方米", 300),
            ("300m²", 300),
            ("300㎡", 300),
            ("300 m2", 300),
            ("300M2", 300),
            ("约300平方米", 300),
            ("1,200平方米", 1200),
            ("120.5平方米", 120.5),
            ("120.0㎡", 120),
            ("240", 240),
            ("三百平方米", 300),
            ("l20平方米", 120),
            ("240²", 240),  # OCR lost the m of m²; NFKC must not make the ² a digit (2402)
            ("240 ²", 240),
            ("实训区200㎡、办公室50㎡", 250),
            ("总面积300平方米，其中实训区200平方米", 300),
            ("无", None),
            ("待定", None),
            ("", None),
        ],
    )
    + cases(
        "studio_team_size",
        [
            ("12人", 12),
            ("12", 12),
            ("十二人", 12),
            ("共12人", 12),
            ("共 12 人：张三、李四", 12),  # a stated total wins over the list
            ("团队成员13名：吴勇林、陈刚、韩梅燕", 13),
            ("10人（石武俊、付辉）", 10),
            ("技能大师1人", 1),
            ("共10人，其中高级技师2人、技师3人", 10),
            ("技能大师1人、高级技师3人、技师5人", 9),
            ("工作室现有成员12人，平均年龄35岁", 12),
            ("张三、李四、王五", 3),
            ("张三，李四，王五，赵六", 4),
            ("张三、李\n四、王五", 3),  # a name wrapped mid-name
            ("石斌永、钱亮鹏、\n于平海、谢平永、杨斌刚、\n闫燕静", 6),
            ("张三（组长）、李四、王五", 3),
            ("组长：张三；成员：李四、王五", 3),
            ("张三 李四 王五", 3),
            ("曾刚 男 27 竹编工艺师 技师\n徐艳红 女 36 竹编工艺师 中级工\n于亮 男 28 竹编工艺师 高级工", 3),
            ("姓名 性别 年龄\n曾刚 男 27\n徐艳红 女 36", 2),
            ("万人杰、李四", 2),  # 万 in a name is not ten thousand
            ("顾东、潘亮春、程杰明、武宏等", None),  # incomplete list
            ("若干", None),
            ("无", None),
            ("", None),
        ],
    )
    + cases(
        "training_fund_total",
        [
            ("5730000.00", 5730000),
            ("5,730,000.00元", 5730000),
            ("4,150,000.00", 4150000),
            ("5 730 000", 5730000),
            ("573万元", 5730000),
            ("573.5万元", 5735000),
            ("2,800.000", 2800000),  # OCR read a ',' as '.'
            ("5730000.50", 5730000.5),
            ("伍佰柒拾叁万元整", 5730000),
            ("人民币573万元（伍佰柒拾叁万元整）", 5730000),
            ("无", None),
            ("待定", None),
        ],
    )
    + cases("training_fund_high_skill", [("4339000.00元", 4339000), ("433.9万", 4339000)])
)


@pytest.mark.parametrize(("key", "raw", "want"), NUMBER_CASES)
def test_numbers(key: str, raw: str, want: object) -> None:
    got = normalize_field(key, raw)
    assert got == want and type(got) is type(want)


# --- ID numbers and credit codes ---------------------------------------------------------------

ID_CASES = cases(
    "master_id_number",
    [
        ("11010519491231002X", "11010519491231002X"),
        ("11010519491231002x", "11010519491231002X"),
        ("110105 19491231 002X", "11010519491231002X"),
        ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"),
        ("身份证号：11010519491231002X", "11010519491231002X"),
        ("11O10519491231002X", "11010519491231002X"),  # O for 0, the checksum agrees
        ("110l0519491231002X", "110105194912310O2X".replace("O", "0").replace("l", "1")),
        ("1101051949123l002X", "11010519491231002X"),
        # a wrong digit is not "repaired" (digits are never swapped for digits)
        ("110105194912310021", "110105194912310021"),
        # a look-alike whose repair does not validate stays as written (upper-cased)
        ("11010519491231O021", "11010519491231O021"),
        ("1101051949123100", "1101051949123100"),  # too short: cleaned, not padded
        ("无", None),
    ],
)
CODE_CASES = cases(
    "unit_credit_code",
    [
        ("91110000600037341L", "91110000600037341L"),
        ("91110000600037341l", "91110000600037341L"),
        ("9111 0000 6000 3734 1L", "91110000600037341L"),
        ("911100006OOO37341L", "91110000600037341L"),  # O is not in the alphabet
        ("9111000O600037341L", "91110000600037341L"),  # a letter in the region digits
        ("91110000600037341！".replace("！", "L"), "91110000600037341L"),
        ("91220104MAUE6W!Y90", "91220104MAUE6W1Y90"),  # '!' for 1
        (":22201060738065901", "122201060738065901"),  # ':' for a leading 1
        ("统一社会信用代码：91420115MA4WQFGQ0H", "91420115MA4WQFGQ0H"),
        # a code that is wrong with valid characters stays wrong
        ("91110000600037341M", "91110000600037341M"),
        ("无", None),
    ],
)


@pytest.mark.parametrize(("key", "raw", "want"), ID_CASES + CODE_CASES)
def test_codes(key: str, raw: str, want: object) -> None:
    assert normalize_field(key, raw) == want


PROVINCES = [11, 14, 15, 22, 42, 50]
LOOKALIKE_OF = {"0": "O", "1": "l", "2": "Z", "5": "S", "6": "G", "8": "B"}


@st.composite
def valid_ids(draw: st.DrawFn) -> str:
    first17 = (
        f"{draw(st.sampled_from(PROVINCES)):02d}{draw(st.integers(0, 9999)):04d}"
        f"{draw(st.dates(min_value=date(1930, 1, 1), max_value=date(2005, 12, 31))):%Y%m%d}{draw(st.integers(0, 999)):03d}"
    )
    return first17 + id_check_char(first17)


@given(valid_ids(), st.data())
def test_one_ocr_lookalike_in_an_id_is_repaired(number: str, data: st.DataObject) -> None:
    positions = [i for i, c in enumerate(number) if c in LOOKALIKE_OF]
    if not positions:
        return
    pos = data.draw(st.sampled_from(positions))
    slipped = number[:pos] + LOOKALIKE_OF[number[pos]] + number[pos + 1 :]
    assert normalize_id_number(slipped) == number
    assert validate_id_number(normalize_id_number(slipped)).valid


@st.composite
def valid_codes(draw: st.DrawFn) -> str:
    first17 = (
        draw(st.sampled_from("159")) + draw(st.sampled_from("123"))
        + "".join(draw(st.lists(st.sampled_from(string.digits), min_size=6, max_size=6)))
        + "".join(draw(st.lists(st.sampled_from(USCC_ALPHABET), min_size=9, max_size=9)))
    )
    return first17 + credit_code_check_char(first17)


@given(valid_codes(), st.data())
def test_one_impossible_character_in_a_credit_code_is_repaired(code: str, data: st.DataObject) -> None:
    # O/I/Z/S are outside the alphabet, so wherever they appear they are OCR slips.
    slips = {"0": "O", "1": "I", "2": "Z", "5": "S"}
    positions = [i for i, c in enumerate(code) if c in slips]
    if not positions:
        return
    pos = data.draw(st.sampled_from(positions))
    slipped = code[:pos] + slips[code[pos]] + code[pos + 1 :]
    assert normalize_credit_code(slipped) == code


@given(valid_codes(), st.integers(0, 17), st.sampled_from(USCC_ALPHABET))
def test_a_wrong_valid_character_is_never_repaired_by_default(code: str, pos: int, new: str) -> None:
    if new == code[pos] or (2 <= pos <= 7 and not new.isdigit()):
        return
    wrong = code[:pos] + new + code[pos + 1 :]
    assert normalize_credit_code(wrong) == wrong
    assert not validate_credit_code(normalize_credit_code(wrong))


def test_lookalike_swap_only_when_asked_and_unique() -> None:
    # Only one character of this code has a look-alike (the B), so a B read as 8 has one repair.
    first17 = "93330000MKNPRWBYH"
    code = first17 + credit_code_check_char(first17)
    slipped = code[:14] + "8" + code[15:]
    assert not validate_credit_code(slipped)
    assert normalize_credit_code(slipped) == slipped  # not by default: 8 is a valid character
    assert normalize_credit_code(slipped, allow_lookalike_swaps=True) == code
    # Here both B→8 undone and 0→U at another place validate: ambiguous, so nothing changes.
    ambiguous = "91110000MA00008000"
    assert validate_credit_code("91110000MA0000B000") and validate_credit_code("91110000MA00U08000")
    assert normalize_credit_code(ambiguous, allow_lookalike_swaps=True) == ambiguous


# --- free text ----------------------------------------------------------------------------

TEXT_CASES = (
    cases(
        "studio_location",
        [
            ("呼和浩特市土默特左旗滨河北路211号生\n产车间二楼", "呼和浩特市土默特左旗滨河北路211号生产车间二楼"),
            ("长春市朝阳区 和平路 170号", "长春市朝阳区和平路170号"),
            ("重庆市梁平区双桂街道建设大道293号实训楼\n三层", "重庆市梁平区双桂街道建设大道293号实训楼三层"),
            ("无", None),
        ],
    )
    + cases(
        "studio_facilities",
        [
            ("拥有独立实训场地，配置专用设备22台（\n套），设备总值约457万元", "拥有独立实训场地，配置专用设备22台（套），设备总值约457万元"),
            ("配置设备41台(套), 另有图书资料", "配置设备41台（套），另有图书资料"),  # OCR ASCII punctuation
            ("配备ＤＣＳ优化控制实训设备１０台", "配备DCS优化控制实训设备10台"),
        ],
    )
    + cases(
        "achievements",
        [
            ("主持完成“\nPLC控制系统改造”技术攻关项目2项", "主持完成“PLC控制系统改造”技术攻关项目2项"),
            ("获得ISO 9001\ncertification and\nmore", "获得ISO 9001 certification and more"),
            ("现有场地120\n平方米", "现有场地120平方米"),
            ("经济效益1\n20万元", "经济效益120万元"),
            ("获奖情况:2020年获全区技术能手称号;2022年草原英才", "获奖情况：2020年获全区技术能手称号；2022年草原英才"),
            ("时间 18:00 截止", "时间18:00截止"),
            ("   \n  ", None),
        ],
    )
    + cases(
        "master_employer_title",
        [
            ("长春金石轨道客车有限公司 技术部部长", "长春金石轨道客车有限公司 技术部部长"),
            ("长春金石轨道客车有限公司技术部部\n长", "长春金石轨道客车有限公司 技术部部长"),
            ("长春金石轨道客车有限公司\n技术部部长", "长春金石轨道客车有限公司 技术部部长"),
            ("长春金石 轨道客车有限公司 技术部部长", "长春金石轨道客车有限公司 技术部部长"),
            ("重庆市梁平长兴职业教育中心班组长", "重庆市梁平长兴职业教育中心 班组长"),
            ("武汉市汇能技师学院技术部部长", "武汉市汇能技师学院 技术部部长"),
            ("某某机械厂厂长", "某某机械厂 厂长"),
            ("某公司技术中心主任", "某公司 技术中心主任"),
            ("某大学 机械学院 教授", "某大学 机械学院 教授"),
            ("某公司", "某公司"),
        ],
    )
    + cases(
        "bank_account",
        [
            ("交通银行吕梁交城支行 3757175630174952819", "交通银行吕梁交城支行 3757175630174952819"),
            ("交通银行吕梁交城支行\n3757175630174952819", "交通银行吕梁交城支行 3757175630174952819"),
            ("中国工商银行长春朝阳支行长春金石轨道客车有限公司2558410301277528825",
             "中国工商银行长春朝阳支行 长春金石轨道客车有限公司 2558410301277528825"),
            ("开户银行：中国银行武汉江夏支行；户名：武汉晋锐重工有限公司；账号：9082 5055 4601 3912 469",
             "中国银行武汉江夏支行 武汉晋锐重工有限公司 9082505546013912469"),
            ("中国工商银行呼和浩特土默特左支行 账号 9383786913390724011", "中国工商银行呼和浩特土默特左支行 9383786913390724011"),
            ("中国银行 6222021234567890123", "中国银行 6222021234567890123"),
            ("无", None),
        ],
    )
    + cases(
        "unit_name",
        [("呼和浩特恒昌机械有限公司（公章）", "呼和浩特恒昌机械有限公司"), ("长春 金石 轨道客车有限公司", "长春金石轨道客车有限公司"),
         ("申报单位：某某有限公司", "某某有限公司")],
    )
    + cases("master_name", [("王  刚", "王刚"), ("陆 琴 敏", "陆琴敏"), ("阿卜杜拉·买买提", "阿卜杜拉·买买提"), ("无", None)])
    + cases("studio_name", [("呼和浩特市严静莉技能大\n师工作室", "呼和浩特市严静莉技能大师工作室")])
)


@pytest.mark.parametrize(("key", "raw", "want"), TEXT_CASES)
def test_free_text(key: str, raw: str, want: object) -> None:
    assert normalize_field(key, raw) == want


def test_normalize_text_is_idempotent_on_its_output() -> None:
    raw = "主持完成“\nPLC控制系统改造”, 获得 ISO 9001\ncertification, 经济效益1\n20万元。"
    once = normalize_text(raw)
    assert once is not None and normalize_text(once) == once


@pytest.mark.parametrize(("text", "n"), [("获奖情况：2020年", 10), ("a b\nc", 3), ("", 0), (None, 0), ("　全角 空格 ", 4)])
def test_count_text_length_counts_non_whitespace(text: str | None, n: int) -> None:
    assert count_text_length(text) == n


# --- dispatch ----------------------------------------------------------------------------


def test_every_canonical_key_has_a_normaliser() -> None:
    for key in FIELD_KEYS:
        assert normalize_field(key, None) is None
        assert normalize_field(key, "") is None
        assert normalize_field(key, "  \n ") is None


def test_unknown_key_is_a_clear_error() -> None:
    with pytest.raises(KeyError, match="unknown field key"):
        normalize_field("master_shoe_size", "42")


@given(st.sampled_from(FIELD_KEYS), st.text(max_size=60))
def test_no_normaliser_crashes_on_arbitrary_text(key: str, raw: str) -> None:
    value = normalize_field(key, raw)
    assert value is None or isinstance(value, str | int | float)


# --- corpus: truth values are fixed points ------------------------------------------------------


@pytest.mark.corpus
def test_truth_values_are_already_normalised(corpus_dir) -> None:  # noqa: ANN001
    checked = 0
    for path in sorted((corpus_dir / "truth").glob("*.json")):
        fields = json.loads(path.read_text(encoding="utf-8")).get("fields", {})
        for key, field in fields.items():
            value = field.get("value")
            if value is None or key not in FIELD_KEYS:
                continue
            assert normalize_field(key, str(value)) == value, (path.name, key, value)
            checked += 1
    assert checked > 100


@pytest.mark.parametrize(("text", "unpaired"), [
    ("配置专用设备41台套），设备总值约172万元", "）"),
    ("购置整车电气（装调实训设备", "（"),
    ("配置专用设备41台（套），设备总值约172万元", None),
    ("主持完成“刀具寿命管理”技术攻关项目", None),
    ("依据《标准》(2019)执行", None),
    ("有限责任公司(自然人投资或控股）", None),  # widths mixed by the recogniser still pair
    ("“刀具寿命管理技术攻关", "“"),
])
def test_unpaired_marks(text, unpaired):
    from shenbao.extractors.normalize.text import unpaired_mark

    assert unpaired_mark(text) == unpaired
