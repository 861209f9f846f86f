"""Long form labels that OCR garbled badly still meet their key in relaxed matching (labels.worn_score);
value cells that quote some of a label's words do not."""

from __future__ import annotations

from pathlib import Path

import pytest

from shenbao.extractors.form.labels import WORN_MIN_SHARE, LabelTable, compact, worn_score


@pytest.fixture(scope="module")
def table() -> LabelTable:
    return LabelTable.load()


def relaxed_key(table: LabelTable, text: str, jurisdiction: str | None = None) -> str | None:
    m = table.match(text, jurisdiction, relaxed=True)
    return None if m is None else m.resolve([])


# Hand-made misreads: about half the characters swapped for look-alikes, a few dropped or
# split, punctuation noise -- beyond the edit-distance slack of relaxed matching.
@pytest.mark.parametrize(
    ("text", "jurisdiction", "key"),
    [
        # 吕梁's honours label, as a worn binarised scan reads it.
        ("我得中学技照人笑全工技木推上、音技术能于日果技术三高技术能！·马发非遗式日传系人及享民传项技能·间绝技管亮技能以上人！",
         "lvliang-2025", "_awards"),
        ("获侍中竿技熊大类、全固技木能于、三普技术能手、吕梁技木状无、吕梁技术能午、市圾非遗项目传永人以及掌提传统技能、民问绝技的高技熊以上人才",
         "lvliang-2025", "_awards"),
        # 长春's honours label.
        ("获待巾级以上技木能于（首席技帅）荣善称兮年庋", "changchun-2025", "_awards"),
        # 呼和浩特's and 吕梁's achievements labels.
        ("技熊大帅二作业续、获奖睛况、主要刨新发朋等情况", "hohhot", "achievements"),
        ("技熊大帅二作亚绩获县币圾以土奖厉或困家专利睛况、王要刨新友明等请况", "lvliang-2025", "achievements"),
        # 长春's fund-use label.
        ("项目贷全主要用涂及预朋攻果", "changchun-2025", "fund_use"),
    ],
)
def test_garbled_long_label_matches_in_relaxed_mode(table: LabelTable, text: str, jurisdiction: str, key: str) -> None:
    assert table.match(text, jurisdiction) is None  # too worn for the normal match
    assert relaxed_key(table, text, jurisdiction) == key


@pytest.mark.parametrize(
    "text",
    [
        # Honours lists naming the same honours as the 吕梁 label.
        "2015年被授予“吕梁技术状元”荣誉称号；2019年被评为三晋技术能手；2021年获全国技术能手称号",
        "2012年获吕梁技术能手，2016年获三晋技术能手，2020年获全国技术能手，市级非遗项目传承人",
        "全国技术能手、三晋技术能手、吕梁技术状元、吕梁技术能手、中华技能大奖",
        "2018年获得市级技术能手荣誉称号，2020年获得首席技师称号",
        # Achievements written in the label's own words.
        "主持完成技术攻关项目6项，获国家专利3项，获市级技术能手称号，创新发明2项",
        "长期从事焊工工作，先后获得全国技术能手、三晋技术能手称号，主持技术革新12项，获国家专利3项，"
        "总结提炼“快速定位法”在本单位推广应用，年节约成本120万元，带徒32名，其中技师9名。",
        "项目资金主要用于购置实训设备、开展技术攻关和带徒培训，预期每年培养高技能人才20名",
        # Addresses, facilities, an opinion cell's authority.
        "吕梁市离石区滨河北中路12号综合楼三层",
        "工作室包括理论教室、实操车间和技术研讨室，配有检测仪器17台套，可同时容纳50人培训。",
        "武汉市人力资源和社会保障局",
    ],
)
def test_long_values_are_not_worn_labels(table: LabelTable, text: str) -> None:
    for jurisdiction in (None, "lvliang-2025", "changchun-2025", "hohhot", "wuhan-2024", "liangping-2023"):
        assert table.match(text, jurisdiction, relaxed=True) is None, jurisdiction


@pytest.mark.parametrize(
    "text",
    [
        # These two already read as labels through the edit-distance slack (the first opens with
        # the alias 获得中华技能大奖全国技术能手, the second with 技能大师工作… against 技能大师工作业绩);
        # the worn-label score alone must still call them values.
        "获得中华技能大奖、全国技术能手、三晋技术能手、吕梁技术状元、吕梁技术能手",
        "技能大师工作室领办人，获国家发明专利2项，获市级以上奖励5次，主要创新成果推广应用",
    ],
)
def test_label_like_values_score_low(table: LabelTable, text: str) -> None:
    t = compact(text)
    entries = [e for es in (table.entries, *table.by_jurisdiction.values()) for e in es]
    assert max(worn_score(t, a) for e in entries for a in e.aliases) < WORN_MIN_SHARE


def test_worn_score_needs_the_whole_label_in_place() -> None:
    alias = compact("技能大师工作业绩、获奖情况、主要创新发明等情况")
    assert worn_score(alias, alias) == 1.0
    # The label's first half alone (a value opening with the same words): later quarters empty.
    assert worn_score(alias[: len(alias) // 2] + "长期从事焊工工作经验丰富", alias) < WORN_MIN_SHARE
    # The same characters shuffled end to front: present, but not where the label has them.
    assert worn_score(alias[len(alias) // 2:] + alias[: len(alias) // 2], alias) < WORN_MIN_SHARE
    # Far longer or shorter text is not a worn copy.
    assert worn_score(alias * 2, alias) == 0.0
    assert worn_score(alias[:8], alias) == 0.0


def test_short_labels_keep_their_slack(table: LabelTable) -> None:
    # Below 12 characters only the edit-distance slack applies: half-wrong short labels stay values.
    assert table.match("工乍宝基夲没拖", relaxed=True) is None
    assert relaxed_key(table, "二作室基本没施") == "studio_facilities"


@pytest.mark.corpus
def test_corpus_worn_honours_label_is_read(corpus_dir: Path) -> None:
    """The 吕梁 scan whose honours label OCR garbled: its honours cell is read as the awards."""
    from shenbao.extractors.form.reader import AWARDS_RAW, read_form
    from shenbao.pipeline.reading import FORM_TYPES, pages_of
    from shenbao.pipeline.review import ReviewOptions, review_packet

    cache = Path("/work/ocrrec")
    src = next((p for p in (corpus_dir / "packets").iterdir() if p.name.split(".")[0] == "lvl-2025-0030"), None)
    if src is None or not cache.is_dir():
        pytest.skip("packet or its OCR cache is not present")
    ctx = review_packet(src, ReviewOptions(ocr_cache=cache), until="classify")
    reads = read_form(pages_of(ctx, FORM_TYPES), "lvliang-2025")
    assert AWARDS_RAW in reads and "技术" in reads[AWARDS_RAW].raw
