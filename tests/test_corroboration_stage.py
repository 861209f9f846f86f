"""Stage "corroborate" (pipeline/corroboration.py) on packets built by hand: which form values
it mends from which pages, what it reports, and what it must leave alone.

Names, units and codes are invented; valid codes get their check characters from the validators.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from shenbao.extractors.evidence.model import BusinessLicenseRead, Evidence, IdCardRead, Value
from shenbao.extractors.ocr.base import OcrEngine, PageOcr
from shenbao.extractors.ocr.recorded import image_key
from shenbao.fixtures import Degrade, PacketSpec, build_packet
from shenbao.models import Document, DocumentType, FieldResult, Finding, FindingCode, Result
from shenbao.pipeline.corroboration import CorroborationError, CorroborationTable, stage_corroborate
from shenbao.pipeline.ingest import ingest
from shenbao.pipeline.review import PAGE_STAGES, PacketContext, ReviewOptions, review_packet
from shenbao.pipeline.types import Packet, PacketFormat, Page, PageKind, TextLine
from shenbao.rules.validators import credit_code_check_char, id_check_char

UNIT = "晋阳市恒泰机械制造有限责任公司"
GARBLED_UNIT = "晋阳市恒泰机械制造有限员任公司"
ID_OK = "14010219760314251" + id_check_char("14010219760314251")
USCC_OK = "91140100MA0K7QW3R" + credit_code_check_char("91140100MA0K7QW3R")

FORM, REPORT, FUND, ID_CARD, OTHER = 1, 2, 3, 4, 5


def _line(text: str, row: int, confidence: float, x0: float = 120.0) -> TextLine:
    # One OCR line per row, rows 60 px apart: group_rows keeps them apart.
    return TextLine(text, (x0, 200.0 + 60 * row, x0 + 40.0 * len(text), 236.0 + 60 * row), confidence)


def _page(number: int, rows: list[str], confidence: float = 0.99, kind: PageKind = PageKind.SCAN) -> Page:
    return Page(number=number, kind=kind, source=f"p.pdf p.{number}", width=1654, height=2339,
                lines=[_line(text, i, confidence) for i, text in enumerate(rows)])


def _ctx(pages: list[Page], documents: dict[int, DocumentType], fields: dict[str, FieldResult],
         evidence: Evidence | None = None, findings: list[Finding] | None = None) -> PacketContext:
    packet = Packet("corr-1", Path("corr-1.pdf"), PacketFormat.SCAN_PDF, "0" * 64, pages=pages)
    result = Result(packet_id="corr-1", jurisdiction="lvliang-2025",
                    documents=[Document(type=t, pages=[n]) for n, t in sorted(documents.items())],
                    fields=fields, findings=list(findings or []))
    ctx = PacketContext(source=packet.path, options=ReviewOptions(), packet=packet, result=result)
    ctx.evidence = evidence
    return ctx


def _form_page(rows: list[str], kind: PageKind = PageKind.SCAN) -> Page:
    return _page(FORM, rows, 0.8, kind)


def _report_page(confidence: float = 0.9) -> Page:
    # The unit's name wraps from one row to the next, as it does in running text.
    return _page(REPORT, [
        "关于申报晋阳市技能大师工作室的报告",
        "我单位晋阳市恒泰机械制",
        "造有限责任公司始建于二〇〇八年，主营数控机床零部件加工。",
    ], confidence)


def _fund_page(confidence: float = 0.9) -> Page:
    return _page(FUND, [f"{UNIT}2024年度职工教育经费使用情况说明", "职工教育经费总额：48.6万元"], confidence)


def _unit_field(value: str | None = GARBLED_UNIT, confidence: float = 0.8) -> FieldResult:
    return FieldResult(value=value, page=FORM, bbox=[300.0, 200.0, 900.0, 236.0], confidence=confidence)


def _low(ctx: PacketContext, key: str) -> list[Finding]:
    return [f for f in ctx.result.findings if f.code == FindingCode.LOW_CONFIDENCE and f.fields == [key]]


BASE_DOCS = {FORM: DocumentType.APPLICATION_FORM, REPORT: DocumentType.APPLICATION_REPORT,
             FUND: DocumentType.TRAINING_FUND_PROOF}


# --- unit name by search ------------------------------------------------------------------


def test_garbled_unit_name_is_mended_from_report_and_fund_proof() -> None:
    earlier = Finding.make(FindingCode.LOW_CONFIDENCE, f"申报单位名称“{GARBLED_UNIT}”识别置信度低",
                           fields=["unit_name"], pages=[FORM])
    other = Finding.make(FindingCode.LOW_CONFIDENCE, "通讯地址识别置信度低", fields=["address"], pages=[FORM])
    ctx = _ctx([_form_page([f"申报单位名称 {GARBLED_UNIT}"]), _report_page(), _fund_page()], BASE_DOCS,
               {"unit_name": _unit_field()}, findings=[earlier, other])
    stage_corroborate(ctx)
    field = ctx.result.fields["unit_name"]
    assert (field.value, field.page) == (UNIT, FORM)
    lows = _low(ctx, "unit_name")
    assert len(lows) == 1 and lows[0] is not earlier  # the shaky-read finding replaced
    low = lows[0]
    assert low.pages == [FORM, REPORT, FUND]
    assert GARBLED_UNIT in low.message and UNIT in low.message
    assert "申报报告/申报书（第2页）" in low.message
    assert f"（第{FUND}页）" in low.message
    assert _low(ctx, "address") == [other]  # another field's finding stays


def test_field_on_a_text_layer_page_is_untouched() -> None:
    ctx = _ctx([_form_page([f"申报单位名称 {GARBLED_UNIT}"], PageKind.TEXT), _report_page(), _fund_page()],
               BASE_DOCS, {"unit_name": _unit_field()})
    stage_corroborate(ctx)
    assert ctx.result.fields["unit_name"].value == GARBLED_UNIT
    assert ctx.result.findings == []


@pytest.mark.parametrize(
    ("source_type", "mended"),
    [(DocumentType.SUMMARY_TABLE, False), (DocumentType.AWARD_TABLE, False), (DocumentType.OTHER, True)],
)
def test_summary_and_award_tables_are_no_source(source_type: DocumentType, mended: bool) -> None:
    table_page = _page(2, [f"申报单位 {UNIT} 技能大师 俞明辉"], 0.99)
    ctx = _ctx([_form_page([f"申报单位名称 {GARBLED_UNIT}"]), table_page],
               {FORM: DocumentType.APPLICATION_FORM, 2: source_type}, {"unit_name": _unit_field()})
    stage_corroborate(ctx)
    assert ctx.result.fields["unit_name"].value == (UNIT if mended else GARBLED_UNIT)
    assert len(_low(ctx, "unit_name")) == (1 if mended else 0)


@pytest.mark.parametrize(("licence_address", "mended"), [
    ("晋阳市恒泰路218号", True),  # the form's address, exactly: settled however shakily it was read
    ("晋阳市恒泰路2l8号", False),  # another page's slip confirms nothing
])
def test_an_address_another_page_states_exactly_mends_the_studio_location(licence_address: str,
                                                                          mended: bool) -> None:
    licence = _page(2, [f"住所 {licence_address}"], 0.9)
    address = FieldResult(value="晋阳市恒泰路218号", page=FORM, bbox=[300.0, 200.0, 900.0, 236.0], confidence=0.85)
    location = FieldResult(value="晋阳市恒秦路218号实训车间", page=FORM, bbox=[300.0, 260.0, 900.0, 296.0],
                           confidence=0.85)
    ctx = _ctx([_form_page(["通讯地址", "工作室地点"]), licence],
               {FORM: DocumentType.APPLICATION_FORM, 2: DocumentType.BUSINESS_LICENSE},
               {"address": address, "studio_location": location})
    stage_corroborate(ctx)
    assert ctx.result.fields["studio_location"].value == ("晋阳市恒泰路218号实训车间" if mended else "晋阳市恒秦路218号实训车间")
    assert ctx.result.fields["address"].value == "晋阳市恒泰路218号"
    if mended:
        assert "通讯地址一栏" in _low(ctx, "studio_location")[0].message
    # What the rules are told: which form values other documents state exactly, and where.
    assert ctx.confirmed_values.get("address") == ([2] if mended else None)


@pytest.mark.parametrize("value", [None, ""])
def test_empty_field_is_not_filled(value: str | None) -> None:
    ctx = _ctx([_form_page(["申报单位名称"]), _report_page(0.99), _fund_page(0.99)], BASE_DOCS,
               {"unit_name": _unit_field(value)})
    stage_corroborate(ctx)
    assert ctx.result.fields["unit_name"].value == value
    assert ctx.result.findings == []


def test_value_only_one_low_confidence_page_gives_is_not_taken() -> None:
    ctx = _ctx([_form_page([f"申报单位名称 {GARBLED_UNIT}"]), _report_page(0.9)],
               {FORM: DocumentType.APPLICATION_FORM, REPORT: DocumentType.APPLICATION_REPORT},
               {"unit_name": _unit_field()})
    stage_corroborate(ctx)
    assert ctx.result.fields["unit_name"].value == GARBLED_UNIT
    assert ctx.result.findings == []


def test_well_read_form_value_is_kept() -> None:
    ctx = _ctx([_form_page([f"申报单位名称 {GARBLED_UNIT}"]), _report_page(0.99), _fund_page(0.99)], BASE_DOCS,
               {"unit_name": _unit_field(confidence=0.98)})
    stage_corroborate(ctx)
    assert ctx.result.fields["unit_name"].value == GARBLED_UNIT


# --- codes from evidence ---------------------------------------------------------------------


def _id_evidence(number: str = ID_OK, ethnicity: str | None = None) -> Evidence:
    card = IdCardRead(pages=[ID_CARD], id_number=Value(number, number, ID_CARD, None, 0.99))
    if ethnicity:
        card.ethnicity = Value(ethnicity, ethnicity, ID_CARD, None, 0.98)
    return Evidence(id_cards=[card])


def _id_ctx(form_value: str, evidence: Evidence) -> PacketContext:
    return _ctx(
        [_form_page([f"身份证号 {form_value}"]), _page(ID_CARD, ["公民身份号码", ID_OK])],
        {FORM: DocumentType.APPLICATION_FORM, ID_CARD: DocumentType.ID_CARD},
        {"master_id_number": FieldResult(value=form_value, page=FORM, confidence=0.9)},
        evidence=evidence,
    )


@pytest.mark.parametrize("garbled", [ID_OK[:2] + ":" + ID_OK[3:], ID_OK[:11] + ID_OK[12:]])
def test_malformed_id_is_mended_from_the_id_card(garbled: str) -> None:
    ctx = _id_ctx(garbled, _id_evidence())
    stage_corroborate(ctx)
    assert ctx.result.fields["master_id_number"].value == ID_OK
    (low,) = _low(ctx, "master_id_number")
    assert low.pages == [FORM, ID_CARD]
    assert garbled in low.message and ID_OK in low.message and "身份证复印件（第4页）" in low.message


def test_well_formed_id_differing_from_the_card_is_left_for_the_rules() -> None:
    wrong = ID_OK[:10] + ("5" if ID_OK[10] != "5" else "6") + ID_OK[11:]
    ctx = _id_ctx(wrong, _id_evidence())
    stage_corroborate(ctx)
    assert ctx.result.fields["master_id_number"].value == wrong
    assert ctx.result.findings == []


def test_malformed_credit_code_is_mended_from_the_licence() -> None:
    garbled = USCC_OK[:5] + "：" + USCC_OK[6:]
    licence = BusinessLicenseRead(pages=[OTHER], credit_code=Value(USCC_OK, USCC_OK, OTHER, None, 0.97))
    ctx = _ctx([_form_page([f"统一社会信用代码 {garbled}"]), _page(OTHER, ["营业执照", USCC_OK])],
               {FORM: DocumentType.APPLICATION_FORM, OTHER: DocumentType.BUSINESS_LICENSE},
               {"unit_credit_code": FieldResult(value=garbled, page=FORM, confidence=0.85)},
               evidence=Evidence(business_licenses=[licence]))
    stage_corroborate(ctx)
    assert ctx.result.fields["unit_credit_code"].value == USCC_OK
    (low,) = _low(ctx, "unit_credit_code")
    assert "营业执照（第5页）" in low.message


# --- labelled values ---------------------------------------------------------------------------


def test_unit_head_is_mended_from_a_legal_representative_line() -> None:
    other = Page(number=OTHER, kind=PageKind.SCAN, source="p.pdf p.5", width=1654, height=2339, lines=[
        _line("开户许可证", 0, 0.99),
        _line("法定代表人（单位负责人）：", 1, 0.98),
        _line("俞明辉", 1, 0.98, x0=700.0),
    ])
    ctx = _ctx([_form_page(["单位负责人 前男辉"]), other],
               {FORM: DocumentType.APPLICATION_FORM, OTHER: DocumentType.OTHER},
               {"unit_head": FieldResult(value="前男辉", page=FORM, confidence=0.5)})
    stage_corroborate(ctx)
    assert ctx.result.fields["unit_head"].value == "俞明辉"
    (low,) = _low(ctx, "unit_head")
    assert low.pages == [FORM, OTHER] and "其他材料（第5页）" in low.message


def test_contact_name_is_mended_from_the_recommendation_report() -> None:
    report = Page(number=REPORT, kind=PageKind.SCAN, source="p.pdf p.2", width=1654, height=2339, lines=[
        _line("联系人：吕华", 0, 0.97),
        _line("联系电话：0431-85551234", 0, 0.97, x0=500.0),
    ])
    ctx = _ctx([_form_page(["联系人 1华"]), report],
               {FORM: DocumentType.APPLICATION_FORM, REPORT: DocumentType.RECOMMENDATION_REPORT},
               {"contact_name": FieldResult(value="1华", page=FORM, confidence=0.6)})
    stage_corroborate(ctx)
    assert ctx.result.fields["contact_name"].value == "吕华"
    assert "推荐报告（第2页）" in _low(ctx, "contact_name")[0].message


def test_labelled_value_on_the_form_itself_is_no_source() -> None:
    # The cover repeats the form's cells; they are what is being checked, not a second opinion.
    cover = _page(2, ["单位负责人：俞明辉"], 0.99)
    ctx = _ctx([_form_page(["单位负责人 前男辉"]), cover],
               {FORM: DocumentType.APPLICATION_FORM, 2: DocumentType.COVER},
               {"unit_head": FieldResult(value="前男辉", page=FORM, confidence=0.6)})
    stage_corroborate(ctx)
    assert ctx.result.fields["unit_head"].value == "前男辉"


def test_labelled_value_from_one_low_confidence_line_is_not_taken() -> None:
    other = _page(OTHER, ["法定代表人：俞明辉"], 0.6)
    ctx = _ctx([_form_page(["单位负责人 前男辉"]), other],
               {FORM: DocumentType.APPLICATION_FORM, OTHER: DocumentType.OTHER},
               {"unit_head": FieldResult(value="前男辉", page=FORM, confidence=0.6)})
    stage_corroborate(ctx)
    assert ctx.result.fields["unit_head"].value == "前男辉"


# --- vocabularies -----------------------------------------------------------------------------


def test_unit_type_is_snapped_to_its_list() -> None:
    ctx = _ctx([_form_page(["单位性质 业单位"])], {FORM: DocumentType.APPLICATION_FORM},
               {"unit_type": FieldResult(value="业单位", page=FORM, confidence=0.7)})
    stage_corroborate(ctx)
    assert ctx.result.fields["unit_type"].value == "事业单位"
    (low,) = _low(ctx, "unit_type")
    assert low.pages == [FORM] and "业单位" in low.message and "事业单位" in low.message


def test_listed_unit_type_is_kept() -> None:
    ctx = _ctx([_form_page(["单位性质 国有独资企业"])], {FORM: DocumentType.APPLICATION_FORM},
               {"unit_type": FieldResult(value="国有独资企业", page=FORM, confidence=0.7)})
    stage_corroborate(ctx)
    assert ctx.result.fields["unit_type"].value == "国有独资企业"
    assert ctx.result.findings == []


def test_ethnicity_that_is_no_group_is_taken_from_the_id_card() -> None:
    ctx = _ctx([_form_page(["民族 汶族"]), _page(ID_CARD, ["民族 汉"])],
               {FORM: DocumentType.APPLICATION_FORM, ID_CARD: DocumentType.ID_CARD},
               {"master_ethnicity": FieldResult(value="汶族", page=FORM, confidence=0.7)},
               evidence=_id_evidence(ethnicity="汉族"))
    stage_corroborate(ctx)
    assert ctx.result.fields["master_ethnicity"].value == "汉族"


def test_listed_ethnicity_is_not_changed_by_the_id_card() -> None:
    ctx = _ctx([_form_page(["民族 回族"]), _page(ID_CARD, ["民族 汉"])],
               {FORM: DocumentType.APPLICATION_FORM, ID_CARD: DocumentType.ID_CARD},
               {"master_ethnicity": FieldResult(value="回族", page=FORM, confidence=0.7)},
               evidence=_id_evidence(ethnicity="汉族"))
    stage_corroborate(ctx)
    assert ctx.result.fields["master_ethnicity"].value == "回族"
    assert ctx.result.findings == []


# --- wiring and data ---------------------------------------------------------------------------


def test_stage_runs_after_evidence_and_before_rules() -> None:
    names = [name for name, _ in PAGE_STAGES]
    assert names.index("evidence") < names.index("corroborate") < names.index("rules")


def test_stage_without_a_packet_does_nothing() -> None:
    ctx = PacketContext(source=Path("x.pdf"), options=ReviewOptions())
    ctx.result.fields["unit_name"] = _unit_field()
    stage_corroborate(ctx)
    assert ctx.result.fields["unit_name"].value == GARBLED_UNIT


def test_default_table_loads() -> None:
    table = CorroborationTable.load()
    assert "unit_name" in table.search and "unit_head" in table.labelled
    assert {"summary_table", "award_table"} <= table.skip_documents
    assert set(table.codes) == {"master_id_number", "unit_credit_code"}
    assert "事业单位" in table.vocabularies["unit_type"][0]


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("search: [unit_name, unit_nam]\n", "unit_nam"),
        ("labelled: [head_of_unit]\n", "head_of_unit"),
        ("codes:\n  contact_mobile: [id_card.id_number]\n", "contact_mobile"),
        ("vocabularies:\n  unit_type:\n    from: []\n", "unit_type"),
    ],
)
def test_table_refuses_what_it_cannot_use(tmp_path: Path, text: str, complaint: str) -> None:
    path = tmp_path / "corroboration.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CorroborationError, match=complaint):
        CorroborationTable.load(path)


# --- end to end ------------------------------------------------------------------------------


class _TextLayerReplay(OcrEngine):
    """"OCR" of an undegraded scan: the clean text layer behind each page image, scaled to the
    image's pixels, with `garble(page, text)` deciding what the recogniser got wrong (and at
    what confidence)."""

    name = "replay"

    def __init__(self, pages: dict[str, tuple[Page, tuple[int, int]]],
                 garble: Callable[[int, str], tuple[str, float]]) -> None:
        self.pages = pages
        self.garble = garble

    def recognize(self, image: np.ndarray) -> list[TextLine]:
        return []

    def read_page(self, image: np.ndarray) -> PageOcr:
        text_page, (h, w) = self.pages[image_key(image)]
        s = w / text_page.width
        lines = []
        for ln in text_page.lines:
            text, confidence = self.garble(text_page.number, ln.text)
            x0, y0, x1, y1 = ln.bbox
            lines.append(replace(ln, text=text, bbox=(x0 * s, y0 * s, x1 * s, y1 * s), confidence=confidence,
                                 polygon=None))
        return PageOcr(lines, w, h, engine=self.name)


def test_review_of_a_scanned_packet_mends_what_ocr_garbled(tmp_path: Path) -> None:
    clean = Degrade(skew=0.0, blur=0.0, noise=0.0, contrast=(1.0, 1.0), brightness=(1.0, 1.0), jpeg_quality=90)
    built = build_packet(PacketSpec("corr-e2e", "lvliang-2025", seed=5), tmp_path, "scan_pdf", degrade=clean)
    assert built.text_pdf is not None and built.truth["findings"] == []
    (tmp_path / "text.pdf").write_bytes(built.text_pdf)
    text_pages = ingest(tmp_path / "text.pdf").pages
    scan_pages = ingest(built.path).pages
    replay: dict[str, tuple[Page, tuple[int, int]]] = {}
    for text_page, scan_page in zip(text_pages, scan_pages, strict=True):
        assert scan_page.load_image is not None
        image = scan_page.load_image()
        replay[image_key(image)] = (text_page, image.shape[:2])
    truth = built.truth["fields"]
    unit, id_number = truth["unit_name"]["value"], truth["master_id_number"]["value"]
    form_pages = {n for d in built.truth["documents"] if d["type"] == "application_form" for n in d["pages"]}
    cover_pages = {n for d in built.truth["documents"] if d["type"] == "cover" for n in d["pages"]}

    def garble(page: int, text: str) -> tuple[str, float]:
        # The form's cells and the cover read badly, each its own way; every other page cleanly.
        if page in form_pages and unit in text:
            return text.replace(unit, unit[:-1] + "门"), 0.8
        if page in form_pages and id_number in text:
            return text.replace(id_number, id_number[:2] + ":" + id_number[3:]), 0.85
        if page in cover_pages and unit in text:
            return text.replace(unit, unit[:3] + "汞" + unit[4:]), 0.75
        return text, 0.99

    ctx = review_packet(built.path, ReviewOptions(), engine=_TextLayerReplay(replay, garble))
    assert ctx.problems == []
    fields = ctx.result.fields
    assert fields["unit_name"].value == unit and fields["unit_name"].page in form_pages
    assert fields["master_id_number"].value == id_number
    # The unit inside 工作单位及职务 was garbled the same way: the settled unit name is put back.
    assert fields["master_employer_title"].value == truth["master_employer_title"]["value"]
    # The rules checked the mended ID: no checksum or mismatch finding, only the three mends
    # (and long free texts, which at 0.99 a character are all right with a chance under 0.5).
    assert [f for f in ctx.result.findings if str(f.code) != "LOW_CONFIDENCE"] == []
    doubted = {tuple(f.fields) for f in ctx.result.findings}
    mends = {("master_employer_title",), ("master_id_number",), ("unit_name",)}
    assert mends <= doubted
    assert doubted - mends <= {("achievements",), ("fund_use",), ("studio_facilities",)}
    (id_low,) = _low(ctx, "master_id_number")
    id_cards = [n for d in built.truth["documents"] if d["type"] == "id_card" for n in d["pages"]]
    assert set(id_cards) <= set(id_low.pages)
