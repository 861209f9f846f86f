"""The pure matcher that mends a garbled form value from other pages (matchers/corroborate.py).

All names, units and codes here are invented; ID numbers and credit codes get their real check
characters from the validators so "valid" means what the rules mean by it.
"""

from __future__ import annotations

import pytest
from rapidfuzz.distance import Indel

from shenbao.extractors.normalize import ETHNIC_GROUPS
from shenbao.matchers.corroborate import (
    Mend,
    PageText,
    Reading,
    Settings,
    best_substring,
    mend_by_label,
    mend_by_search,
    mend_code,
    mend_from_vocabulary,
    mend_with_entity,
    search,
)
from shenbao.pipeline.corroboration import page_text
from shenbao.pipeline.types import Page, PageKind, TextLine
from shenbao.rules.misreads import MALFORMED
from shenbao.rules.validators import (
    credit_code_check_char,
    id_check_char,
    validate_credit_code,
    validate_id_number,
)

UNIT = "晋阳市恒泰机械制造有限责任公司"
GARBLED_UNIT = "晋阳市恒泰机械制造有限员任公司"  # 责 read as 员, as a recogniser does


def _id(first17: str) -> str:
    return first17 + id_check_char(first17)


def _uscc(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


ID_OK = _id("14010219760314251")  # 1976-03-14, Taiyuan district code
ID_OTHER = _id("65010419881213556")  # another person entirely
USCC_OK = _uscc("91140100MA0K7QW3R")


def _text(page: int, text: str, confidence: float, source: str = "申报报告/申报书") -> PageText:
    return PageText(page, source, text, [confidence] * len(text))


def _valid_id(s: str) -> bool:
    return validate_id_number(s).valid


# --- best_substring / search ---------------------------------------------------------------


def test_best_substring_exact_hit() -> None:
    text = f"本单位{UNIT}成立于二〇〇八年"
    assert best_substring(UNIT, text) == (3, 3 + len(UNIT), 0)


def test_best_substring_one_substitution() -> None:
    text = f"本单位{UNIT}成立于二〇〇八年"
    start, end, edits = best_substring(GARBLED_UNIT, text)
    assert text[start:end] == UNIT and edits == 1


@pytest.mark.parametrize(
    "pattern",
    [
        "晋阳市恒泰机械制造有限责（任公司",  # a mark read into the pattern: one char too many
        "晋阳市恒泰机械制造有限任公司",  # a char lost from the pattern
    ],
)
def test_best_substring_insertion_or_deletion_keeps_the_boundaries(pattern: str) -> None:
    # Chars on either side (位 before, 成 after) must not be taken into the hit.
    text = f"兹证明本单位{UNIT}成立于二〇〇八年，现有职工三百余人"
    start, end, edits = best_substring(pattern, text)
    assert text[start:end] == UNIT
    assert edits == 1


def test_best_substring_tie_breaks_by_length_then_first() -> None:
    # "华" (one deletion), "吕华" and "华联" (one substitution each) are all one edit away; the
    # two-character one nearest the pattern's length, and of those the first, wins.
    text = "吕华联系电话0431-85551234"
    start, end, edits = best_substring("1华", text)
    assert (text[start:end], edits) == ("吕华", 1)


def test_best_substring_empty_inputs() -> None:
    assert best_substring("", "abc") is None
    assert best_substring("abc", "") is None


def test_search_finds_nothing_beyond_max_edits() -> None:
    text = f"本单位{UNIT}成立于二〇〇八年"
    assert search("太原市鑫源纺织品贸易有限公司", text, 2) is None
    # Two substitutions exist, one is allowed.
    assert search("晋阳市恒泰机械制造有限员任公可", text, 1) is None
    assert search("晋阳市恒泰机械制造有限员任公可", text, 2) is not None


def test_search_on_a_long_page_finds_a_name_wrapped_over_a_line_join() -> None:
    filler = "我单位高度重视高技能人才队伍建设，坚持以师带徒、岗位练兵的方式培养青年技术骨干。"
    rows = [
        filler * 3,
        "现将有关情况报告如下：申报单位晋阳市恒泰机",  # the name breaks at the end of a row
        "械制造有限责任公司位于晋阳市高新区创业大街18号。" + filler,
        filler * 2,
    ]
    lines = [TextLine(row, (40.0, 100.0 + 40 * i, 1500.0, 130.0 + 40 * i), 0.93) for i, row in enumerate(rows)]
    page = Page(number=3, kind=PageKind.SCAN, source="x.pdf p.3", width=1654, height=2339, lines=lines)
    pt = page_text(page, "申报报告/申报书")
    assert len(pt.text) > 4 * len(UNIT)  # long enough that search takes the fuzzy-scan path
    assert len(pt.confidences) == len(pt.text)
    hit = search(GARBLED_UNIT, pt.text, 4)
    assert hit is not None
    start, end, edits = hit
    assert pt.text[start:end] == UNIT and edits == 1
    reading = pt.reading(start, end)
    assert reading == Reading(UNIT, 3, 0.93, "申报报告/申报书")


# --- mend_by_search ------------------------------------------------------------------------------


def test_two_pages_agreeing_mend_the_value() -> None:
    # Neither page is sure enough alone (0.9 < 0.95), together they are.
    texts = [_text(3, f"申报单位：{UNIT}", 0.9), _text(7, f"{UNIT}职工教育经费使用情况", 0.9, "培训经费证明")]
    mend = mend_by_search("unit_name", GARBLED_UNIT, 0.8, texts)
    assert mend is not None
    assert (mend.key, mend.old, mend.new) == ("unit_name", GARBLED_UNIT, UNIT)
    assert sorted(r.page for r in mend.support) == [3, 7]


def test_one_page_read_surer_than_the_form_mends_the_value() -> None:
    mend = mend_by_search("unit_name", GARBLED_UNIT, 0.8, [_text(3, f"申报单位：{UNIT}", 0.99)])
    assert mend == Mend("unit_name", GARBLED_UNIT, UNIT, [Reading(UNIT, 3, 0.99, "申报报告/申报书")])


@pytest.mark.parametrize(
    ("form_confidence", "page_confidence"),
    [
        (0.80, 0.90),  # the one page is not sure enough
        (0.94, 0.96),  # sure, but not surer than the form by the margin
    ],
)
def test_one_page_not_surer_than_the_form_does_not_mend(form_confidence: float, page_confidence: float) -> None:
    texts = [_text(3, f"申报单位：{UNIT}", page_confidence)]
    assert mend_by_search("unit_name", GARBLED_UNIT, form_confidence, texts) is None


def test_form_value_found_verbatim_elsewhere_is_kept() -> None:
    # Two pages say 有限责任公司, but a third says exactly what the form says: the applicant may
    # well have written that, so nothing is mended.
    old = "晋阳市恒泰机械制造有限公司"
    texts = [
        _text(2, f"申报单位：{old}", 0.9),
        _text(3, f"申报单位：{UNIT}", 0.99),
        _text(4, f"{UNIT}职工教育经费", 0.99),
    ]
    assert mend_by_search("unit_name", old, 0.8, texts) is None
    # Without the verbatim page the other two would have carried it.
    assert mend_by_search("unit_name", old, 0.8, texts[1:]) is not None


def test_a_well_read_form_value_is_kept() -> None:
    texts = [_text(3, f"申报单位：{UNIT}", 0.99), _text(4, f"{UNIT}职工教育经费", 0.99)]
    assert mend_by_search("unit_name", GARBLED_UNIT, 0.97, texts) is None
    assert mend_by_search("unit_name", GARBLED_UNIT, 0.96, texts) is not None


def test_value_of_several_parts_is_mended_part_by_part() -> None:
    texts = [_text(3, f"现任{UNIT}总工程师，从事数控加工二十年", 0.99)]
    mend = mend_by_search("master_employer_title", f"{GARBLED_UNIT} 总工程帅", 0.7, texts)
    assert mend is not None
    assert mend.new == f"{UNIT} 总工程师"  # the space between the parts kept
    assert [r.text for r in mend.support] == [UNIT, "总工程师"]


def test_short_part_is_left_alone() -> None:
    # "主往" is too short to look for (it would match anywhere); the unit beside it is mended.
    texts = [_text(3, f"现任{UNIT}主任，从事数控加工二十年", 0.99)]
    mend = mend_by_search("master_employer_title", f"{GARBLED_UNIT} 主往", 0.7, texts)
    assert mend is not None
    assert mend.new == f"{UNIT} 主往"


@pytest.mark.parametrize(("read", "mended"), [
    # A grey seal's star after the name: no character of it, though the form page goes on
    # with the 单 of 单位性质.
    ("长春博远汽车零部件有限公司★", "长春博远汽车零部件有限公司"),
    # ... or stamped over the name's last character, which the other page still shows.
    ("长春博远汽车零部件有限公★", "长春博远汽车零部件有限公司"),
    ("★长春博远汽车零部件有限公司", "长春博远汽车零部件有限公司"),
])
def test_a_seal_star_at_a_value_end_is_no_character(read: str, mended: str) -> None:
    texts = [_text(7, "申报单位名称长春博远汽车零部件有限公司单位性质民营企业", 0.99)]
    mend = mend_by_search("unit_name", read, 0.95, texts)
    assert mend is not None and mend.new == mended


def test_short_value_alone_is_not_searched() -> None:
    assert mend_by_search("unit_head", "俞明", 0.5, [_text(3, "法定代表人俞明辉", 0.99)]) is None


# --- mend_by_label -------------------------------------------------------------------------------


def _label(text: str, page: int = 5, confidence: float = 0.98, source: str = "营业执照") -> Reading:
    return Reading(text, page, confidence, source)


def test_very_shaky_name_with_two_of_three_chars_wrong_is_mended_from_a_clean_label() -> None:
    mend = mend_by_label("unit_head", "前男辉", 0.5, [_label("俞明辉")])
    assert mend is not None
    assert (mend.old, mend.new) == ("前男辉", "俞明辉")
    assert mend.support == [_label("俞明辉")]
    # merely shaky: two different characters of three may be another person
    assert mend_by_label("unit_head", "前男辉", 0.7, [_label("俞明辉")]) is None


def test_how_far_a_name_may_differ_depends_on_how_it_was_read() -> None:
    # Read clearly (0.97): a name that differs is another person's.
    assert mend_by_label("unit_head", "俞男辉", 0.97, [_label("俞明辉")]) is None
    # Less sure: one different character of three is a misread, two are another person.
    mend = mend_by_label("unit_head", "俞男辉", 0.9, [_label("俞明辉")])
    assert mend is not None and mend.new == "俞明辉"
    assert mend_by_label("unit_head", "前男辉", 0.9, [_label("俞明辉")]) is None
    # A two-character name read as two Chinese characters: one is half the name, left alone.
    assert mend_by_label("contact_name", "王伟", 0.8, [_label("王芳")]) is None
    # ... unless the read holds what no Chinese name does
    mend = mend_by_label("contact_name", "王1", 0.8, [_label("王芳")])
    assert mend is not None and mend.new == "王芳"


def test_the_closest_part_of_a_raw_label_value_is_taken() -> None:
    # What follows 联系人 in a report runs on into the next label.
    readings = [_label("吕华联系电话：0431-85551234", 9, 0.97, "推荐报告")]
    mend = mend_by_label("contact_name", "1华", 0.6, readings)
    assert mend is not None
    assert mend.new == "吕华"
    assert mend.support == [Reading("吕华", 9, 0.97, "推荐报告")]


def test_candidates_with_punctuation_inside_are_refused() -> None:
    assert mend_by_label("contact_name", "张小五", 0.6, [_label("张,小伍", source="推荐报告")]) is None
    # The same reading without the comma is taken: the comma is what refused it.
    mend = mend_by_label("contact_name", "张小五", 0.6, [_label("张小伍", source="推荐报告")])
    assert mend is not None and mend.new == "张小伍"


def test_label_mend_needs_a_reading_surer_than_a_lone_form_read() -> None:
    assert mend_by_label("unit_head", "前男辉", 0.7, [_label("俞明辉", confidence=0.9)]) is None
    assert mend_by_label("unit_head", "前男辉", 0.97, [_label("俞明辉")]) is None  # trusted form read


# --- mend_code -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "old",
    [
        ID_OK[:2] + ":" + ID_OK[3:],  # a digit read as a colon
        ID_OK[:9] + ID_OK[10:],  # a digit lost: 17 characters
    ],
)
def test_malformed_id_is_mended_from_a_valid_id_card_number(old: str) -> None:
    readings = [Reading(ID_OK, 4, 0.99, "身份证复印件")]
    mend = mend_code("master_id_number", old, readings, MALFORMED["master_id_number"], _valid_id)
    assert mend is not None
    assert (mend.old, mend.new) == (old, ID_OK)
    assert mend.support == readings


def test_well_formed_id_that_differs_from_the_card_is_not_mended() -> None:
    # 18 digits with a wrong digit: something a person writes; the rules must see it.
    wrong = ID_OK[:10] + ("5" if ID_OK[10] != "5" else "6") + ID_OK[11:]
    assert MALFORMED["master_id_number"](wrong) is None and not _valid_id(wrong)
    readings = [Reading(ID_OK, 4, 0.99, "身份证复印件")]
    assert mend_code("master_id_number", wrong, readings, MALFORMED["master_id_number"], _valid_id) is None


def test_candidate_failing_its_checksum_is_not_used() -> None:
    old = ID_OK[:2] + ":" + ID_OK[3:]
    bad_check = ID_OK[:17] + ("0" if ID_OK[17] != "0" else "1")
    assert not _valid_id(bad_check)
    readings = [Reading(bad_check, 4, 0.99, "身份证复印件")]
    assert mend_code("master_id_number", old, readings, MALFORMED["master_id_number"], _valid_id) is None


def test_dissimilar_valid_code_is_not_used() -> None:
    old = ID_OK[:2] + ":" + ID_OK[3:]
    assert _valid_id(ID_OTHER)
    assert Indel.normalized_similarity(old, ID_OTHER) < Settings().code_min_similarity
    readings = [Reading(ID_OTHER, 4, 0.99, "身份证复印件")]
    assert mend_code("master_id_number", old, readings, MALFORMED["master_id_number"], _valid_id) is None


def test_malformed_credit_code_is_mended_from_the_licence() -> None:
    old = USCC_OK[:6] + "!" + USCC_OK[7:]
    readings = [Reading(USCC_OK, 6, 0.96, "营业执照")]
    mend = mend_code("unit_credit_code", old, readings, MALFORMED["unit_credit_code"], validate_credit_code)
    assert mend is not None and mend.new == USCC_OK


def test_code_given_by_more_pages_wins() -> None:
    old = ID_OK[:2] + ":" + ID_OK[3:]
    # A second valid number one digit off (and one page), against the card's number on two pages.
    near = _id(ID_OK[:16] + ("1" if ID_OK[16] != "1" else "3"))
    readings = [
        Reading(near, 8, 0.99, "职业资格（技能等级）证书"),
        Reading(ID_OK, 4, 0.95, "身份证复印件"),
        Reading(ID_OK, 5, 0.97, "身份证复印件"),
    ]
    mend = mend_code("master_id_number", old, readings, MALFORMED["master_id_number"], _valid_id)
    assert mend is not None
    assert mend.new == ID_OK
    assert [r.page for r in mend.support] == [5, 4]  # best first


# --- mend_from_vocabulary --------------------------------------------------------------------------

ETHNIC_WITH_ZU = tuple(g + "族" for g in ETHNIC_GROUPS)  # how forms and ID cards write them
UNIT_TYPES = ("国有企业", "国有控股企业", "民营企业", "私营企业", "集体企业", "事业单位", "机关", "民办非企业单位", "企业")


def test_ethnic_group_is_taken_from_the_id_card_when_the_form_gives_none() -> None:
    readings = [Reading("回族", 4, 0.97, "身份证复印件")]
    mend = mend_from_vocabulary("master_ethnicity", "园族", ETHNIC_WITH_ZU, readings)
    assert mend is not None
    assert (mend.old, mend.new, mend.support) == ("园族", "回族", readings)


def test_a_listed_ethnic_group_is_kept_even_when_the_card_differs() -> None:
    readings = [Reading("回族", 4, 0.97, "身份证复印件")]
    assert mend_from_vocabulary("master_ethnicity", "汉族", ETHNIC_WITH_ZU, readings) is None


@pytest.mark.parametrize("old", ["业单位", "事业单气"])
def test_value_is_snapped_to_the_one_entry_it_plainly_is(old: str) -> None:
    mend = mend_from_vocabulary("unit_type", old, UNIT_TYPES, [])
    assert mend is not None
    assert (mend.new, mend.support) == ("事业单位", [])


@pytest.mark.parametrize(
    "old",
    [
        "营企业",  # 民营企业 or 私营企业: no telling which
        "国有独资企业",  # a real type not on the list; 国有企业 is two characters shorter
    ],
)
def test_no_snap_when_unclear_or_far(old: str) -> None:
    assert mend_from_vocabulary("unit_type", old, UNIT_TYPES, []) is None


# --- a settled value inside another ----------------------------------------------------------------

ADDRESS = Reading("泰州市海陵区凤凰路88号", 2, 0.96, "通讯地址一栏")


@pytest.mark.parametrize(
    ("old", "confidence", "new"),
    [
        ("泰州市海陵区风凰路88号实训楼二层", 0.8, "泰州市海陵区凤凰路88号实训楼二层"),  # one slip in the copy
        ("秦州市海陵匚凤凰路88号实训楼二层", 0.8, "泰州市海陵区凤凰路88号实训楼二层"),  # two
        ("泰州市海陵区凤凰路88号实训楼二层", 0.8, None),  # the copy is already right
        ("泰州市海陵区风凰路88号实训楼二层", 0.98, None),  # the value was read clearly
        ("扬州市广陵区文昌路12号实训楼二层", 0.8, None),  # another address altogether
    ],
)
def test_settled_value_put_in_place_of_its_garbled_copy(old: str, confidence: float, new: str | None) -> None:
    mend = mend_with_entity("studio_location", old, confidence, ADDRESS)
    assert (None if mend is None else mend.new) == new
    if mend is not None:
        assert mend.support == [ADDRESS]


def test_a_value_read_clearly_outside_the_list_is_what_was_written() -> None:
    types = ["国有企业", "中外合资企业", "事业单位"]
    # a real type the list lacks, read clearly, stays; read shakily, it is snapped
    assert mend_from_vocabulary("unit_type", "中外合作企业", types, [], form_confidence=0.99) is None
    shaky = mend_from_vocabulary("unit_type", "中外合作企业", types, [], form_confidence=0.8)
    assert shaky is not None and shaky.new == "中外合资企业"
    # a character lost at the cell's edge is put back however sure the read of the rest
    lost = mend_from_vocabulary("unit_type", "业单位", types, [], form_confidence=1.0)
    assert lost is not None and lost.new == "事业单位"
    # an ethnicity the list lacks ("穿青人"), read clearly, is not overwritten by the ID card's
    card = [Reading("汉族", 5, 0.99, "身份证复印件")]
    assert mend_from_vocabulary("master_ethnicity", "穿青人", ["汉族", "回族"], card, form_confidence=0.99) is None
