"""read_form: cover + 申报表 pages -> canonical fields with provenance, text layer and scan."""

from __future__ import annotations

from pathlib import Path

import pytest

from shenbao.extractors.form.cover import remove_seal_marks
from shenbao.extractors.form.labels import LabelTable
from shenbao.extractors.form.reader import (
    AWARDS_CLAIMED,
    AWARDS_RAW,
    FieldRead,
    read_form,
    read_label_fields,
    split_claims,
)
from shenbao.pipeline.ingest import ingest
from shenbao.pipeline.types import Page, PageKind, TextLine
from tests import _form_builders as fb

ACHIEVEMENTS = (fb.ACHIEVEMENTS_1 + fb.ACHIEVEMENTS_2).replace("\n", "")

EXPECTED = {
    "unit_name": "山西鑫海重工集团有限公司",
    "unit_type": "民营企业",
    "unit_head": "白武林",
    "unit_head_phone": "0358-8035066",
    "contact_name": "邹俊峰",
    "contact_phone": "0358-3761258",
    "contact_mobile": "13912345678",
    "email": "rkfov25@126.com",
    "fax": None,
    "address": "吕梁市交城县龙凤北大街234号",
    "postcode": "030500",
    "bank_account": "交通银行吕梁交城支行 3757175630174952819",
    "studio_occupation": "焊工",
    "master_name": "戴勇辉",
    "master_gender": "男",
    "master_ethnicity": "汉族",
    "master_birth": "1984-04",
    "master_id_number": "141124198404133956",
    "master_skill_level": "技师",
    "studio_team_size": 3,
    "achievements": ACHIEVEMENTS,
    "fill_date": "2025-05-11",
}
PAGE_OF = {"unit_name": 1, "master_name": 1, "fill_date": 1, "studio_occupation": 1, "master_skill_level": 1}


@pytest.fixture(scope="module")
def packet_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pages = [fb.cover_form(), fb.main_form(), fb.continuation_form()]
    return fb.draw_pdf(tmp_path_factory.mktemp("reader") / "packet.pdf", pages)


@pytest.fixture(scope="module")
def text_pages(packet_pdf: Path) -> list[Page]:
    return ingest(packet_pdf).pages


def values(fields: dict[str, FieldRead]) -> dict[str, object]:
    return {k: fields[k].value if k in fields else "<absent>" for k in EXPECTED}


def test_text_layer_form(text_pages: list[Page]) -> None:
    assert all(p.kind == PageKind.TEXT for p in text_pages)
    fields = read_form(text_pages, "lvliang-2025")
    assert values(fields) == EXPECTED
    for key, f in fields.items():
        assert f.confidence == 1.0, key
        assert f.page == PAGE_OF.get(key, 2), key
    # the bbox of a value is its text, inside its cell (pt)
    x0, y0, x1, y1 = fields["contact_mobile"].bbox
    assert 440 <= x0 < x1 <= 545 and 120 <= y0 < y1 <= 150
    # the achievements cell goes on over the page break: both parts, in order
    assert fields["achievements"].raw.endswith("应用。")


def test_awards_cell(text_pages: list[Page]) -> None:
    fields = read_form(text_pages, "lvliang-2025")
    assert fields[AWARDS_RAW].value == "2011年吕梁技术能手\n享受山西省政府特殊津贴（2013年）"
    claimed = fields[AWARDS_CLAIMED].value
    assert [(a.claimed_text, a.year) for a in claimed] == [
        ("2011年吕梁技术能手", 2011),
        ("享受山西省政府特殊津贴（2013年）", 2013),
    ]
    assert all(a.page == 2 for a in claimed)


def test_scanned_form_turned_with_seal(packet_pdf: Path, text_pages: list[Page]) -> None:
    """The same packet as 200 dpi scans, a little askew, a red seal over the cover's unit line."""
    scans = []
    for i, page in enumerate(text_pages):
        image = fb.render(packet_pdf, i)
        seal = (470.0, 330.0) if i == 0 else None
        scans.append(fb.scan_page(page, image, angle=1.2 if i == 1 else 0.0, confidence=0.96, seal=seal))
    fields = read_form(scans, "lvliang-2025")
    assert values(fields) == EXPECTED
    for key, want in EXPECTED.items():
        f = fields[key]
        assert f.page == PAGE_OF.get(key, 2), key
        if want is not None:
            assert 0.9 <= f.confidence < 1.0, key
    # confidence: the lowest confidence of the OCR lines the value was read from
    phone_lines = [ln for ln in scans[1].lines if ln.text == "13912345678"]
    assert fields["contact_mobile"].confidence == min(ln.confidence for ln in phone_lines)
    # bbox in the scan's pixels, around the value's line
    x0, y0, x1, y1 = fields["contact_mobile"].bbox
    line = phone_lines[0]
    assert abs(x0 - line.bbox[0]) < 3 and abs(y1 - line.bbox[3]) < 3


def test_award_tables_with_sections(tmp_path: Path) -> None:
    path = fb.draw_pdf(tmp_path / "awards.pdf", [fb.award_table_form()])
    fields = read_form(ingest(path).pages, "wuhan-2024")
    claimed = fields[AWARDS_CLAIMED].value
    assert [(a.claimed_text, a.year, a.section, a.issuer) for a in claimed] == [
        ("湖北省技能大师", 2016, "省部级获奖情况", "湖北省人社厅"),
        ("“武汉工匠”", 2019, "其它获奖情况", "武汉市人民政府"),
        ("武汉市首席技师", 2021, "其它获奖情况", "武汉市人社局"),
    ]
    assert fields[AWARDS_RAW].value.splitlines()[0] == "湖北省技能大师"


def test_header_row_and_two_level_header(tmp_path: Path) -> None:
    path = fb.draw_pdf(tmp_path / "header.pdf", [fb.header_row_form()])
    fields = read_form(ingest(path).pages)
    got = {k: fields[k].value for k in ("master_name", "master_gender", "master_birth", "master_political",
                                        "contact_name", "contact_phone", "studio_facilities", "studio_team_size")}
    assert got == {
        "master_name": "王建国",
        "master_gender": "男",
        "master_birth": "1979-03-01",
        "master_political": "群众",
        "contact_name": "刘利林",
        "contact_phone": "023-37651781",
        "studio_facilities": "实训车间一间，设备20台套。",
        "studio_team_size": 3,
    }


def test_page_without_image_or_rules_reads_label_lines() -> None:
    """An OCR'd page whose image is gone: its "label：value" lines are still read."""
    lines = [
        TextLine("申报单位：", (100, 100, 200, 130), 0.99),
        TextLine("吕梁华信化工有限公司", (300, 100, 560, 130), 0.95),
        TextLine("领办人姓名：梁英娟", (100, 200, 330, 230), 0.9),
        TextLine("长期从事化工总控工工作：经验丰富", (100, 300, 600, 330), 0.9),
    ]
    page = Page(number=3, kind=PageKind.SCAN, source="x", width=1654, height=2339, lines=lines)
    fields = read_form([page])
    assert fields["unit_name"].value == "吕梁华信化工有限公司"
    assert fields["unit_name"].confidence == 0.95
    assert fields["master_name"].value == "梁英娟"
    assert fields["master_name"].bbox[0] > 200  # the value's part of the line, not the label's
    assert set(fields) == {"unit_name", "master_name"}


@pytest.mark.parametrize(
    ("raw", "items"),
    [
        ("1、2012年荣获巴渝青年技能之星\n2、先进工作者（2018年）", ["2012年荣获巴渝青年技能之星", "先进工作者（2018年）"]),
        ("2015年被授予“吉林省首席技师”荣誉称号；2017年吉林省劳动模范", ["2015年被授予“吉林省首席技师”荣誉称号", "2017年吉林省劳动模范"]),
        ("2013年荣获长春市首席技师：2016年长春市技术能手", ["2013年荣获长春市首席技师", "2016年长春市技术能手"]),
        ("①全国技术能手（2019年）②三晋技术能手", ["全国技术能手（2019年）", "三晋技术能手"]),
        ("岗位标兵（2016年）：全国技术能手（2022年）", ["岗位标兵（2016年）", "全国技术能手（2022年）"]),
        ("获奖情况：全国技术能手（2022年）", ["获奖情况：全国技术能手（2022年）"]),
        ("1、2015年长春市技术能手2、2021年吉林省劳动模范", ["2015年长春市技术能手", "2021年吉林省劳动模范"]),
        ("2011年A、2013年B。", ["2011年A", "2013年B"]),
        ("获第12、13届大赛一等奖", ["获第12、13届大赛一等奖"]),
        ("无", []),
    ],
)
def test_split_claims(raw: str, items: list[str]) -> None:
    assert split_claims(raw) == items


@pytest.mark.parametrize(
    ("text", "clean"),
    [
        ("山西鑫海重工集团有限公司（公章）", "山西鑫海重工集团有限公司"),
        ("呼和浩特晋锐餐饮管理有限（公公司章）", "呼和浩特晋锐餐饮管理有限公司"),  # glyphs interleaved by x
        ("吕梁市恒昌重工有限责任公司公章）", "吕梁市恒昌重工有限责任公司"),  # OCR lost a bracket
        ("中国章程研究会", "中国章程研究会"),
    ],
)
def test_remove_seal_marks(text: str, clean: str) -> None:
    assert remove_seal_marks(text) == clean


def test_studio_name_from_report_lines() -> None:
    lines = [
        TextLine("呼和浩特市技能大师工作室申报书", (300, 100, 900, 140), 0.99),
        TextLine("一、申办工作室名称及职业（工种）", (150, 200, 700, 240), 0.99),
        TextLine("申办工作室名称：", (150, 260, 420, 300), 0.98),
        TextLine("呼和浩特市严静莉技能大师工作室", (430, 260, 900, 300), 0.97),
        TextLine("职业（工种）：中式烹调师", (150, 320, 560, 360), 0.99),
    ]
    page = Page(number=6, kind=PageKind.SCAN, source="x", width=1654, height=2339, lines=lines)
    fields = read_label_fields([page], {"studio_name"})
    assert set(fields) == {"studio_name"}
    assert fields["studio_name"].value == "呼和浩特市严静莉技能大师工作室"
    assert fields["studio_name"].page == 6


def test_jurisdiction_entries_come_first(tmp_path: Path) -> None:
    """A label that means another field in one notice's form: its jurisdiction entry wins there."""
    yaml_text = """
fields:
  - key: master_phone
    aliases: [联系电话]
  - key: master_name
    aliases: [技能大师姓名]
sections: []
jurisdictions:
  test-j:
    - key: contact_phone
      aliases: [联系电话]
"""
    path = tmp_path / "labels.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    table = LabelTable.load(path)
    assert table.match("联系电话").resolve([]) == "master_phone"
    assert table.match("联系电话", "test-j").resolve([]) == "contact_phone"


def test_form_without_visible_rules_is_read_row_by_row(text_pages: list[Page]) -> None:
    """A form page whose rules cannot be seen (an OCR text layer over a scan): the labels along
    each row still pair with the values after them, in the row's context."""
    form = text_pages[1]
    bare = Page(number=form.number, kind=PageKind.TEXT, source="x", width=form.width, height=form.height,
                lines=form.lines, rulings=[])
    fields = read_form([bare])
    got = {k: fields[k].value for k in ("unit_name", "unit_type", "unit_head", "unit_head_phone", "contact_name",
                                        "contact_phone", "contact_mobile", "postcode", "master_gender",
                                        "master_birth", "master_id_number", "master_ethnicity")}
    assert got == {k: EXPECTED[k] for k in got} | {"unit_type": "民营企业"}


def test_spaced_out_cover_label_takes_its_longest_alias() -> None:
    """领 办 人 姓 名 spaced out on a cover: the whole label is 领办人姓名, the value is the name."""
    from shenbao.extractors.form.cover import read_label_lines
    from shenbao.extractors.form.labels import LabelTable
    from shenbao.pipeline.types import TextLine

    parts = ["领", "办", "人", "姓", "名", "于宁建"]
    row = [TextLine(t, (100.0 + 20 * i, 400.0, 115.0 + 20 * i + (30 if len(t) > 1 else 0), 414.0)) for i, t in enumerate(parts)]
    (line,) = read_label_lines(row, LabelTable.load(), "wuhan-2024")
    assert line.match.entries[0].key == "master_name"
    assert line.raw == "于宁建"


def test_an_empty_honours_cell_is_found_empty() -> None:
    # Found and empty (the applicant's omission) is not the same as not found (a label garbled
    # past reading): the rules judge the first, the second goes to a person (rules/misreads.py).
    from shenbao.extractors.form.reader import AWARDS_CLAIMED, AWARDS_RAW, _add_awards, _Read

    fields: dict = {}
    _add_awards(fields, {"_awards": _Read("_awards", "  ", 2, (0.0, 0.0, 10.0, 10.0), 0.99, "获奖情况")})
    assert fields[AWARDS_RAW].value == "" and fields[AWARDS_RAW].page == 2
    assert AWARDS_CLAIMED not in fields
    fields = {}
    _add_awards(fields, {})
    assert fields == {}
