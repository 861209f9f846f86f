"""Honour list, honour matcher, year extraction and mention finding (shenbao.matchers)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shenbao.matchers.claimtext import normalise_claim
from shenbao.matchers.honours import (
    JURISDICTIONS,
    HonourList,
    HonourListError,
    extract_year,
    load_honours,
    match_honour,
)
from shenbao.matchers.lookalikes import LOOKALIKES, fold
from shenbao.matchers.mentions import find_mentions


@pytest.fixture(scope="module")
def honours() -> HonourList:
    return load_honours()


# ----------------------------------------------------------------------------- the list


def test_default_list_loads_with_sources(honours: HonourList) -> None:
    assert len(honours) >= 40
    assert all(h.source for h in honours), "every row says where it comes from"
    for jurisdiction in ("lvliang-2025", "hohhot", "changchun-2025", "wuhan-2024", "liangping-2023"):
        assert honours.accepted_titles(jurisdiction), jurisdiction


@pytest.mark.parametrize(
    ("title", "accepted", "not_accepted"),
    [
        ("中华技能大奖", {"lvliang-2025", "hohhot", "changchun-2025", "wuhan-2024"}, {"liangping-2023"}),
        ("三晋技术能手", {"lvliang-2025"}, {"hohhot", "wuhan-2024"}),
        ("吕梁技术状元", {"lvliang-2025"}, {"changchun-2025"}),
        ("全国劳动模范", {"hohhot", "changchun-2025"}, {"lvliang-2025", "wuhan-2024"}),
        ("内蒙古自治区劳动模范", set(), set(JURISDICTIONS)),
        ("北疆工匠", {"hohhot"}, {"wuhan-2024"}),
        ("武汉工匠", {"wuhan-2024"}, {"hohhot"}),
        ("湖北省突出贡献人才", {"wuhan-2024"}, {"lvliang-2025"}),
        ("吉林省首席技师", {"changchun-2025"}, {"wuhan-2024"}),
        ("区县级非物质文化遗产代表性传承人", {"liangping-2023"}, {"lvliang-2025"}),
        ("重庆技能大师", set(), set(JURISDICTIONS)),
    ],
)
def test_acceptance_by_jurisdiction(
    honours: HonourList, title: str, accepted: set[str], not_accepted: set[str]
) -> None:
    for jurisdiction in accepted:
        assert honours.is_accepted(title, jurisdiction), (title, jurisdiction)
    for jurisdiction in not_accepted:
        assert not honours.is_accepted(title, jurisdiction), (title, jurisdiction)
    assert not honours.is_accepted(None, "hohhot")


def test_every_spelling_of_the_list_matches_its_own_honour(honours: HonourList) -> None:
    for honour, spelling in honours.spellings():
        assert normalise_claim(spelling), spelling
        m = match_honour(spelling, honours)
        assert m.title == honour.title, (spelling, m)
        for jurisdiction in honour.accepted_by:
            assert match_honour(spelling, honours, jurisdiction).title == honour.title, (
                spelling,
                jurisdiction,
            )


_CSV = (
    "title,aliases,level,region,issuer,accepted_by,source\n"
    "全国技术能手,国家级技术能手,national,全国,人力资源和社会保障部,hohhot|wuhan-2024,notice\n"
    "武汉工匠,,city,武汉,武汉市人民政府,wuhan-2024,notice\n"
    ",,,,,,\n"
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_list_as_excel_saves_it(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "honours.csv"
    path.write_bytes(_CSV.replace("\n", "\r\n").encode(encoding))
    lst = load_honours(path)
    assert [h.title for h in lst] == ["全国技术能手", "武汉工匠"]  # the blank Excel row is skipped
    assert lst.get("全国技术能手").aliases == ("国家级技术能手",)  # type: ignore[union-attr]
    assert lst.accepted_titles("wuhan-2024") == {"全国技术能手", "武汉工匠"}
    assert match_honour("2018年荣获“武汉工匠”称号", lst, "wuhan-2024").title == "武汉工匠"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("全国技术能手,,nation,全国,部,hohhot,x\n", "level"),
        ("全国技术能手,,national,全国,部,hohhot|beijing,x\n", "beijing"),
        ("全国技术能手,,national,全国,部,,x\n全国技术能手,,national,全国,部,,x\n", "twice"),
        ("", "no honours"),
    ],
)
def test_malformed_list_names_the_problem(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("title,aliases,level,region,issuer,accepted_by,source\n" + body, encoding="utf-8")
    with pytest.raises(HonourListError, match=message):
        load_honours(path)


def test_missing_column_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("name,level\n全国技术能手,national\n", encoding="utf-8")
    with pytest.raises(HonourListError, match="title"):
        load_honours(path)
    with pytest.raises(HonourListError, match="cannot read"):
        load_honours(tmp_path / "absent.csv")


# ----------------------------------------------------------------------------- matching

_WRAPPINGS = (
    "{t}",
    "{y}年荣获{t}",
    "{y}年被授予“{t}”荣誉称号",
    "1、{t}（{y}年）",
    "(2) “{t}”[{y}]",
    "③{t}称号获得者（{y}）",
    "{y}年度获{t}称号",
    "「{t}」",
    "２０１９年获得{t}",
)


@pytest.mark.parametrize(
    ("title", "jurisdiction"),
    [
        ("三晋技术能手", "lvliang-2025"),
        ("吕梁技术能手", "lvliang-2025"),
        ("全国技术能手", "changchun-2025"),
        ("长春市首席技师", "changchun-2025"),
        ("北疆工匠", "hohhot"),
        ("全区技术能手", "hohhot"),
        ("武汉市技能大师", "wuhan-2024"),
        ("巴渝青年技能之星", "liangping-2023"),
        ("吕梁市级非物质文化遗产代表性传承人", "lvliang-2025"),
    ],
)
def test_written_variants_match(honours: HonourList, title: str, jurisdiction: str) -> None:
    for wrapping in _WRAPPINGS:
        claimed = wrapping.format(t=title, y=2016)
        m = match_honour(claimed, honours, jurisdiction)
        assert m.title == title, (claimed, m)
        assert m.score >= 95


@pytest.mark.parametrize(
    ("claimed", "jurisdiction", "title"),
    [
        ("荣获山西省“三晋技术能乎”称号（2019年）", "lvliang-2025", "三晋技术能手"),
        ("2017年获山西省“三晋技术能手”", None, "三晋技术能手"),
        ("全国技朮能手", None, "全国技术能手"),
        ("全国芳动摸范", None, "全国劳动模范"),
        ("“武汉工近”", "wuhan-2024", "武汉工匠"),
        ("湖北省技能大帅", None, "湖北省技能大师"),
        ("吕梁技术熊手", None, "吕梁技术能手"),
        ("被授予“长吞市技术能手”荣誉称号", None, "长春市技术能手"),
        ("全国技能手", None, "全国技术能手"),  # a dropped character
        ("湖北省武汉工匠", None, "武汉工匠"),  # the province in front of a city title
        ("全国“五一”劳动奖章", None, "全国五一劳动奖章"),
        ("五一劳动奖章", None, "全国五一劳动奖章"),
        ("自治区首席技师", None, "内蒙古自治区首席技师"),
        ("市级非遗项目传承人", "lvliang-2025", "吕梁市级非物质文化遗产代表性传承人"),
        (
            "吕梁市级非物质文化遗产代表性项目“柳林盘子”代表性传承人",
            None,
            "吕梁市级非物质文化遗产代表性传承人",
        ),
        ("全市技术能手", "liangping-2023", "重庆市技术能手"),
    ],
)
def test_slips_and_wordings_match(
    honours: HonourList, claimed: str, jurisdiction: str | None, title: str
) -> None:
    m = match_honour(claimed, honours, jurisdiction)
    assert m.title == title, m


def test_every_title_survives_a_lookalike_slip(honours: HonourList) -> None:
    variant_of = {canon: variants[0] for canon, variants in LOOKALIKES.items()}
    damaged = 0
    for honour in honours:
        chars = list(honour.title)
        for i, ch in enumerate(chars):
            if ch in variant_of:
                chars[i] = variant_of[ch]
                break
        else:
            continue
        slip = "".join(chars)
        assert fold(slip) != slip
        damaged += 1
        assert match_honour(slip, honours).title == honour.title, slip
    assert damaged >= 30


@pytest.mark.parametrize(
    "claimed",
    [
        "享受国务院政府特殊津贴",
        "国务院特殊津贴专家",
        "享受国务院特殊津贴的高级技师",
        "2015年享受国务院津贴",
        "政府特殊津贴",
    ],
)
def test_state_council_allowance_wordings(honours: HonourList, claimed: str) -> None:
    m = match_honour(claimed, honours, "wuhan-2024")
    assert m.title == "享受国务院政府特殊津贴"
    assert m.level == "national" and m.issuer == "国务院" and m.accepted is True


def test_provincial_allowance_resolved_by_jurisdiction(honours: HonourList) -> None:
    claimed = "享受省政府津贴高级技师"
    assert match_honour(claimed, honours, "lvliang-2025").title == "享受山西省政府特殊津贴"
    assert match_honour(claimed, honours, "wuhan-2024").title == "享受湖北省政府专项津贴"
    undecided = match_honour(claimed, honours)  # no jurisdiction: 山西 or 湖北 cannot be told
    assert undecided.title is None
    assert {t for t, _ in undecided.alternatives[:2]} == {"享受山西省政府特殊津贴", "享受湖北省政府专项津贴"}


@pytest.mark.parametrize(
    "claimed",
    [
        "优秀共产党员",
        "三八红旗手",
        "先进工作者",
        "优秀教师",
        "2016年被授予“岗位标兵”荣誉称号",
        "安全生产先进个人",
        "公司首席技师",
        "全国行业技术能手",
        "全国青年岗位能手",
        "技术革新能手",
        "大国工匠",
        "山西省首席技师",
        "呼和浩特市技术状元",
        "首席技师",
        "技术能手",
        "",
        "（2019年）",
    ],
)
def test_other_honours_are_not_recognised(honours: HonourList, claimed: str) -> None:
    for jurisdiction in (None, *JURISDICTIONS):
        m = match_honour(claimed, honours, jurisdiction)
        assert m.title is None, (claimed, jurisdiction, m)


@pytest.mark.parametrize(
    ("claimed", "title", "never"),
    [
        ("吕梁技术能手", "吕梁技术能手", {"三晋技术能手", "全国技术能手"}),
        ("三晋技术能手", "三晋技术能手", {"吕梁技术能手", "全国技术能手"}),
        ("全国技术能手", "全国技术能手", {"三晋技术能手", "吕梁技术能手"}),
        ("武汉工匠", "武汉工匠", {"武汉市技能大师"}),
        ("武汉市技能大师", "武汉市技能大师", {"武汉工匠", "湖北省技能大师"}),
        ("全国劳动模范", "全国劳动模范", {"长春市劳动模范", "吉林省劳动模范"}),
        ("长春市劳动模范", "长春市劳动模范", {"全国劳动模范"}),
        ("全国五一劳动奖章", "全国五一劳动奖章", {"湖北省五一劳动奖章"}),
    ],
)
def test_same_words_different_honours(honours: HonourList, claimed: str, title: str, never: set[str]) -> None:
    for jurisdiction in (None, *JURISDICTIONS):
        m = match_honour(claimed, honours, jurisdiction)
        assert m.title == title, (claimed, jurisdiction, m)
        assert all(score < 70 for alt, score in m.alternatives if alt in never), m.alternatives


def test_tier_words_decide_between_family_members(honours: HonourList) -> None:
    # a bare 省 or 市 in front: the jurisdiction's own province/city, never the national honour
    m = match_honour("省五一劳动奖章", honours, "wuhan-2024")
    assert m.title == "湖北省五一劳动奖章"
    assert match_honour("省五一劳动奖章", honours).title is None
    assert match_honour("市劳动模范", honours, "changchun-2025").title == "长春市劳动模范"
    assert match_honour("省首席技师", honours, "wuhan-2024").title == "湖北省首席技师"
    assert match_honour("市首席技师", honours, "wuhan-2024").title == "武汉市首席技师"
    # two honours run together by a missing separator name two tiers: neither is taken
    assert match_honour("全国技术能手、三晋", honours, "lvliang-2025").title is None


def test_match_carries_the_audit_trail(honours: HonourList) -> None:
    m = match_honour("2019年荣获三晋技术能乎称号", honours, "lvliang-2025")
    assert (m.title, m.level, m.region, m.accepted) == ("三晋技术能手", "provincial", "山西", True)
    assert m.issuer == "山西省人力资源和社会保障厅"
    assert m.alternatives[0] == ("三晋技术能手", m.score)
    scores = [s for _, s in m.alternatives]
    assert scores == sorted(scores, reverse=True) and len(m.alternatives) == 3
    assert m.normalised == "三晋技术能手"
    assert match_honour("三晋技术能手", honours, "hohhot").accepted is False


@pytest.mark.parametrize(
    ("claimed", "title", "accepted_in_changchun"),
    [
        ("2019年全国焊工职业技能大赛第三名", "国家级职业技能竞赛前5名", True),
        ("第46届世界技能大赛银牌", "国家级职业技能竞赛前5名", True),
        ("全国数控技能大赛第八名", "国家级职业技能竞赛获奖", False),
        ("吉林省一类职业技能竞赛第二名", "省级一类职业技能竞赛前3名", True),
        ("吉林省二类职业技能竞赛第一名", "省级职业技能竞赛获奖", False),
        ("吉林省一类职业技能竞赛第五名", "省级职业技能竞赛获奖", False),
        ("长春市一类职业技能竞赛第一名", "市级一类职业技能竞赛第1名", True),
        ("长春市职业技能大赛二等奖", "市级职业技能竞赛获奖", False),
    ],
)
def test_competition_placings(
    honours: HonourList, claimed: str, title: str, accepted_in_changchun: bool
) -> None:
    m = match_honour(claimed, honours, "changchun-2025")
    assert m.title == title, m
    assert m.accepted is accepted_in_changchun


def test_threshold_is_a_parameter(honours: HonourList) -> None:
    m = match_honour("全国技能手", honours)  # one character dropped: recognised, below 100
    assert m.title == "全国技术能手" and 70 <= m.score < 100
    assert match_honour("全国技能手", honours, threshold=m.score + 1).title is None


# ----------------------------------------------------------------------------- years


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("2019年被授予“三晋技术能手”", 2019),
        ("三晋技术能手（2019）", 2019),
        ("三晋技术能手[2019]", 2019),
        ("2019年度全国技术能手", 2019),
        ("发证日期：2019.05.12", 2019),
        ("二〇一九年十二月", 2019),
        ("２０１８年", 2018),
        ("身份证号 142301197908120017", None),
        ("证书编号 20191234", None),
        ("全国技术能手", None),
        ("", None),
    ],
)
def test_extract_year(text: str, year: int | None) -> None:
    assert extract_year(text) == year


# ----------------------------------------------------------------------------- mentions


def test_mentions_in_a_certificate(honours: HonourList) -> None:
    text = (
        "荣誉证书\n王建国同志：\n"
        "在2019年度工作中成绩突出，被授予山西省“三晋技术能乎”荣誉称号。\n"
        "身份证号：142301197908120017\n证书编号：20191401001234567890123\n"
        "山西省人力资源和社会保障厅\n二〇一九年十二月二十日"
    )
    found = find_mentions(text, honours)
    for m in found:
        assert text[m.start : m.end] == m.text
    by_kind = {m.kind: m for m in found}
    assert set(by_kind) == {"honour", "year", "id_number", "date"}
    assert by_kind["honour"].title == "三晋技术能手" and by_kind["honour"].text == "三晋技术能乎"
    assert by_kind["year"].value == 2019 and by_kind["year"].start == text.index("2019年度")
    assert by_kind["id_number"].value == "142301197908120017"
    assert by_kind["date"].value == "2019-12-20"
    assert sum(m.kind == "id_number" for m in found) == 1  # the 23-digit certificate number is not one


def test_mentions_in_prose(honours: HonourList) -> None:
    text = "该同志2013年荣获全国“五一”劳动奖章，2016年5月被评为武汉工匠，享受国务院政府特殊津贴；身份证号42010119800101123x。"
    found = find_mentions(text, honours)
    honours_found = [(m.title, m.text) for m in found if m.kind == "honour"]
    assert honours_found == [
        ("全国五一劳动奖章", "全国“五一”劳动奖章"),
        ("武汉工匠", "武汉工匠"),
        ("享受国务院政府特殊津贴", "享受国务院政府特殊津贴"),
    ]
    assert [m.value for m in found if m.kind == "year"] == [2013]
    assert [m.value for m in found if m.kind == "date"] == ["2016-05"]
    assert [m.value for m in found if m.kind == "id_number"] == ["42010119800101123X"]
    starts = [m.start for m in found]
    assert starts == sorted(starts)
    assert find_mentions("", honours) == []


# ----------------------------------------------------------------------------- dev corpus


@pytest.mark.corpus
def test_corpus_form_claims(corpus_dir: Path, honours: HonourList) -> None:
    """Every award of the dev truth, as written on the form, gets its truth title (or none)."""
    total = 0
    for path in sorted((corpus_dir / "truth").glob("*.json")):
        truth = json.loads(path.read_text(encoding="utf-8"))
        for award in truth.get("awards", []):
            total += 1
            m = match_honour(award["claimed_text"], honours, truth["jurisdiction"])
            assert m.title == award.get("title"), (path.name, award["claimed_text"], m)
    assert total > 0
