"""Evidence readers: fixture-built text-layer packets against the plan's exact values, and
hand-built OCR-like pages (label and value fused or split, look-alike characters, lost labels).

No OCR runs here: scanned pages are `Page(kind=SCAN)` objects with the lines an OCR engine
would give (boxes in pixels of a 200 dpi page).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shenbao.extractors.evidence import Evidence, fill_fields_from_evidence, read_evidence
from shenbao.extractors.evidence.layout import PageText
from shenbao.extractors.evidence.titles import find_title, normalize_grade, title_grade
from shenbao.extractors.evidence.training_fund import parse_amount
from shenbao.fixtures import PacketSpec, build_packet
from shenbao.fixtures.texts import length as plan_length
from shenbao.matchers.honours import load_honours
from shenbao.models import Document
from shenbao.pipeline.ingest import ingest
from shenbao.pipeline.types import Page, PageKind, TextLine
from shenbao.rules.validators import id_check_char

# --- fixture packets -------------------------------------------------------------------------------


def _read_built(spec: PacketSpec, tmp: Path):
    built = build_packet(spec, tmp, "text_pdf")
    packet = ingest(built.path)
    documents = [Document(**d) for d in built.truth["documents"]]
    evidence = read_evidence(packet.pages, documents, jurisdiction=spec.jurisdiction)
    return built.plan, built.truth, evidence


def _v(value):
    return value.value if value is not None else None


def _check_id_card(plan, evidence: Evidence) -> None:
    assert len(evidence.id_cards) == 1
    card, want = evidence.id_cards[0], plan.id_card
    assert _v(card.name) == want["name"]
    assert _v(card.gender) == want["gender"]
    assert _v(card.ethnicity) == want["ethnicity"] + "族"
    assert _v(card.birth) == want["birth"]
    assert _v(card.address) == want["address"]
    assert _v(card.id_number) == want["number"]
    assert _v(card.authority) == want["issuer"]
    assert _v(card.valid_period) == want["valid"]
    # provenance: a text layer gives full confidence and a box on the card's page
    assert card.name.confidence == 1.0 and card.name.page in card.pages and card.name.bbox is not None


def _check_qualification(plan, evidence: Evidence) -> None:
    quals = [c for c in evidence.certificates if c.doc_type == "qualification_certificate"]
    assert len(quals) == 1
    cert, q = quals[0], plan.qual
    assert _v(cert.name) == q.name
    assert _v(cert.gender) == q.gender
    assert _v(cert.id_number) == q.id_number
    assert _v(cert.level) == q.level
    assert _v(cert.occupation) == q.occupation
    assert _v(cert.number) == q.number
    assert _v(cert.issue_date) == q.issued.isoformat()
    assert _v(cert.issuer) == q.issuer


def _check_honours(plan, evidence: Evidence) -> None:
    with_cert = [a for a in plan.awards if a.certificate]
    assert len(evidence.honour_certificates) == len(with_cert)
    for read, award in zip(evidence.honour_certificates, with_cert, strict=True):
        assert _v(read.holder) == award.cert_holder
        assert _v(read.year) == award.cert_year
        assert _v(read.issuer) == award.cert_issuer
        if award.title is not None:
            assert read.title == award.title
            assert read.match_score is not None and read.match_score >= 70
        assert str(_v(read.title_text)) in award.cert_title or award.cert_title in str(_v(read.title_text))


def _check_license(plan, truth, evidence: Evidence) -> None:
    assert len(evidence.business_licenses) == 1
    lic, unit = evidence.business_licenses[0], plan.unit
    assert _v(lic.name) == unit.name
    assert _v(lic.credit_code) == truth["fields"]["unit_credit_code"]["value"]
    assert _v(lic.legal_rep) == unit.legal_rep
    if unit.kind == "enterprise":
        assert _v(lic.founded) == unit.founded.isoformat()
        assert _v(lic.kind) in ("有限责任公司", "股份有限公司")
    else:  # 事业单位法人证书: no 类型, no 成立日期
        assert lic.founded is None


def _check_fund(plan, truth, evidence: Evidence) -> None:
    total, high, _year = plan.training_fund
    assert len(evidence.training_funds) == 1
    assert _v(evidence.training_funds[0].total) == total
    assert _v(evidence.training_funds[0].high_skill) == high
    fields = fill_fields_from_evidence(evidence)
    assert fields["training_fund_total"].value == truth["fields"]["training_fund_total"]["value"]
    assert fields["training_fund_high_skill"].value == truth["fields"]["training_fund_high_skill"]["value"]


def _check_summary(plan, evidence: Evidence, keys: tuple[str, ...]) -> None:
    rows = [r for r in evidence.table_rows if r.doc_type == "summary_table"]
    assert len(rows) == 1
    cells = rows[0].cells
    for key in keys:
        want = plan.summary["_level"] if key == "master_skill_level" else plan.summary[key]
        assert _v(cells.get(key)) == want, key


@pytest.mark.parametrize(
    ("jurisdiction", "seed", "unit_kind"),
    [
        ("lvliang-2025", 11, "enterprise"),
        ("hohhot", 12, "school"),
        ("changchun-2025", 13, "enterprise"),
        ("wuhan-2024", 14, "school"),
        ("liangping-2023", 15, "enterprise"),
    ],
)
def test_fixture_packet_evidence(tmp_path: Path, jurisdiction: str, seed: int, unit_kind: str) -> None:
    fund = jurisdiction != "liangping-2023"
    spec = PacketSpec(
        f"ev-{jurisdiction}", jurisdiction, seed=seed, unit_kind=unit_kind, include_training_fund=fund,
        include_business_license=True, include_title_certificate=jurisdiction == "liangping-2023",
        n_awards=2,
    )
    plan, truth, evidence = _read_built(spec, tmp_path)
    _check_id_card(plan, evidence)
    _check_qualification(plan, evidence)
    _check_honours(plan, evidence)
    _check_license(plan, truth, evidence)
    if fund:
        _check_fund(plan, truth, evidence)
    else:
        assert evidence.training_funds == [] and fill_fields_from_evidence(evidence) == {}
    summary_keys = {
        "changchun-2025": ("master_name", "master_id_number", "master_skill_level", "unit_name", "unit_credit_code"),
        "wuhan-2024": ("master_name", "master_skill_level", "unit_name"),
        "liangping-2023": ("master_name", "master_id_number", "master_skill_level", "unit_name"),
    }.get(jurisdiction)
    if summary_keys:
        _check_summary(plan, evidence, summary_keys)
    if jurisdiction == "wuhan-2024":
        rows = [r for r in evidence.table_rows if r.doc_type == "award_table"]
        assert [_v(r.cells.get("year")) for r in rows] == [a.year for a in plan.awards]
        assert [_v(r.cells.get("section")) for r in rows] == [a.section for a in plan.awards]
        assert all(_v(r.cells.get("issuer")) for r in rows)
    if jurisdiction == "liangping-2023":
        titles = [c for c in evidence.certificates if c.doc_type == "title_certificate"]
        assert len(titles) == 1
        assert _v(titles[0].title_rank) == "高级工程师" and _v(titles[0].title_grade) == "副高级"
        assert _v(titles[0].name) == plan.person.name
        deeds = [p for p in evidence.prose if p.doc_type == "deeds_material"]
        assert len(deeds) == 1
        # the counting rule: the body's non-whitespace characters, heading excluded
        assert deeds[0].length == sum(plan_length(p) for p in plan.deeds)
    reports = [p for p in evidence.prose if p.doc_type == "application_report"]
    assert reports and reports[0].length > 300


def test_fixture_mismatches_are_read_as_printed(tmp_path: Path) -> None:
    spec = PacketSpec(
        "ev-mismatch", "lvliang-2025", seed=21, include_training_fund=True,
        inject=("NAME_MISMATCH:id_card", "ID_NUMBER_MISMATCH:qualification_certificate", "SKILL_LEVEL_MISMATCH",
                "TRAINING_FUND_BELOW_MIN"),
    )
    plan, truth, evidence = _read_built(spec, tmp_path)
    form_name = truth["fields"]["master_name"]["value"]
    card = evidence.id_cards[0]
    assert _v(card.name) == plan.id_card["name"] != form_name
    cert = evidence.certificates[0]
    assert _v(cert.id_number) == plan.qual.id_number != truth["fields"]["master_id_number"]["value"]
    assert _v(cert.level) == plan.qual.level != truth["fields"]["master_skill_level"]["value"]
    total, high, _ = plan.training_fund
    fund = evidence.training_funds[0]
    assert (_v(fund.total), _v(fund.high_skill)) == (total, high) and high * 2 < total


def test_fixture_award_defects_are_read_as_printed(tmp_path: Path) -> None:
    spec = PacketSpec("ev-awards", "hohhot", seed=33, n_awards=2,
                      inject=("AWARD_HOLDER_MISMATCH:0", "AWARD_YEAR_MISMATCH:1"))
    plan, _truth, evidence = _read_built(spec, tmp_path)
    reads = evidence.honour_certificates
    certs = [a for a in plan.awards if a.certificate]
    assert [_v(r.holder) for r in reads] == [a.cert_holder for a in certs]
    assert [_v(r.year) for r in reads] == [a.cert_year for a in certs]
    assert any(a.cert_holder != plan.person.name for a in certs)
    assert any(a.cert_year != a.year for a in certs)


# --- OCR-like pages ----------------------------------------------------------------------------------


def _line(text: str, x0: float, y0: float, x1: float | None = None, h: float = 40.0, conf: float = 0.97) -> TextLine:
    # about 40 px per character at 200 dpi for 11-12 pt type
    if x1 is None:
        x1 = x0 + sum(40.0 if ord(c) > 0x2E80 else 22.0 for c in text)
    return TextLine(text=text, bbox=(x0, y0, x1, y0 + h), confidence=conf)


def _scan(number: int, lines: list[TextLine], width: float = 1655, height: float = 2339) -> Page:
    return Page(number=number, kind=PageKind.SCAN, source=f"test p.{number}", width=width, height=height, lines=lines)


def _id(prefix17: str) -> str:
    return prefix17 + id_check_char(prefix17)


def _read(doc_type: str, pages: list[Page]) -> Evidence:
    return read_evidence(pages, [Document(type=doc_type, pages=[p.number for p in pages])])


def test_id_card_ocr_fused_labels_and_lookalikes() -> None:
    number = _id("22010619700307257")
    ocr_number = number[:4] + "O" + number[5:]  # the digit 0 read as the letter O
    page = _scan(3, [
        _line("姓名韩强明", 525, 378),
        _line("性別男", 523, 439),  # traditional 別
        _line("民族汉", 769, 435),
        _line("出生", 525, 502),
        _line("1970年3月7日", 651, 502),
        _line("任址吉林省长春市绿园区文", 527, 565),  # 住 read as 任
        _line("化路160号", 652, 609),
        _line("公民身份号码", 527, 758),
        _line(ocr_number, 728, 755, 1126),
        _line("中华人民共和国", 793, 1086),
        _line("签发机关", 582, 1370),
        _line("长春市公安局绿园区分局", 749, 1366),
        _line("有效期限", 583, 1431),
        _line("2010.07.03-2030.07.03", 748, 1427, 1103),
    ])
    card = _read("id_card", [page]).id_cards[0]
    assert _v(card.name) == "韩强明"
    assert _v(card.gender) == "男"
    assert _v(card.ethnicity) == "汉族"
    assert _v(card.birth) == "1970-03-07"
    assert _v(card.address) == "吉林省长春市绿园区文化路160号"
    assert _v(card.id_number) == number
    assert _v(card.authority) == "长春市公安局绿园区分局"
    assert _v(card.valid_period) == "2010.07.03-2030.07.03"
    assert card.name.confidence == pytest.approx(0.97)
    assert card.address.page == 3 and card.address.bbox[1] < 600 < card.address.bbox[3]


def test_id_card_value_split_from_label_and_back_on_its_own_page() -> None:
    # value box a little higher than its label's (OCR boxes), the back on the next page
    front = _scan(5, [
        _line("王丽", 408, 323, h=53),
        _line("姓名", 285, 337),
        _line("性别", 284, 398),
        _line("女", 401, 397),
        _line("民族", 534, 398),
        _line("蒙古", 640, 396),
        _line("出生", 289, 465),
        _line("1985年11月2日", 416, 455),
        _line("住址", 288, 525),
        _line("内蒙古自治区呼和浩特", 419, 514),
        _line("市新城区兴华路12号", 420, 558),
        _line("公民身份号码", 296, 727),
        _line(_id("15010219851102162"), 504, 711, 908),
    ])
    back = _scan(6, [
        _line("中华人民共和国", 578, 300),
        _line("居民身份证", 555, 390),
        _line("签发机关", 363, 600),
        _line("呼和浩特市公安局新城区分局", 533, 590),
        _line("有效期限", 364, 660),
        _line("2009.06.15-2029.06.15", 534, 650, 897),
    ])
    card = _read("id_card", [front, back]).id_cards[0]
    assert card.pages == [5, 6]
    assert (_v(card.name), _v(card.gender), _v(card.ethnicity)) == ("王丽", "女", "蒙古族")
    assert _v(card.address) == "内蒙古自治区呼和浩特市新城区兴华路12号"
    assert _v(card.id_number) == _id("15010219851102162")
    assert _v(card.authority) == "呼和浩特市公安局新城区分局" and card.authority.page == 6


def test_label_words_inside_a_value_are_not_labels() -> None:
    page = _scan(2, [
        _line("姓名 张建国", 300, 300),
        _line("性别男民族回", 300, 360),  # fused: 民族 follows the short gender value
        _line("住址 重庆市渝中区民族路", 300, 480),  # 民族 here is part of the street name
        _line("12号3栋出生巷5号", 420, 522),
    ])
    card = _read("id_card", [page]).id_cards[0]
    assert (_v(card.gender), _v(card.ethnicity)) == ("男", "回族")
    assert _v(card.address) == "重庆市渝中区民族路12号3栋出生巷5号"


def test_id_card_lost_labels_fall_back_on_position() -> None:
    page = _scan(2, [
        _line("李武林", 515, 297),  # 姓名 not read at all
        _line("刻 男 民族汉", 415, 348),  # 性别 misread
        _line("注生 1970年3月7L", 416, 402),  # 出生 misread, 日 read as L
        _line("公民身分号码" + _id("22010619700307257"), 423, 608, 914),  # 份 read as 分
    ])
    card = _read("id_card", [page]).id_cards[0]
    assert _v(card.name) == "李武林" and card.name.confidence < 0.97  # read by position: marked less sure
    assert _v(card.gender) == "男"
    assert _v(card.birth) == "1970-03-07"
    assert _v(card.id_number) == _id("22010619700307257")


def test_qualification_certificate_two_columns_fused() -> None:
    number = _id("22012219840805950")
    page = _scan(9, [
        _line("职业技能等级证书", 1514, 237, h=76),  # the heading is not the 职业技能等级 label
        _line("姓名陆勤敏", 540, 329),
        _line("性别女", 543, 410, 766),
        _line("职业（种）：轨道交通车辆装调工", 1296, 402),  # 工 lost inside the brackets
        _line("身份证号", 543, 489),
        _line(number, 722, 489, 1065),
        _line("职业技能等级:", 1297, 496),
        _line("技师", 1548, 494),
        _line("认定日期:", 1298, 584),
        _line("2023年11月26日", 1561, 581),
        _line("评价机构：", 1300, 676),
        _line("吉林省职业技能鉴定中心", 1567, 668),
        _line("证书编号：S592665416770488148", 226, 1298, 751),
    ], width=2339, height=1655)
    cert = _read("qualification_certificate", [page]).certificates[0]
    assert cert.doc_type == "qualification_certificate"
    assert (_v(cert.name), _v(cert.gender), _v(cert.id_number)) == ("陆勤敏", "女", number)
    assert _v(cert.occupation) == "轨道交通车辆装调工"
    assert _v(cert.level) == "技师"
    assert _v(cert.issue_date) == "2023-11-26"
    assert _v(cert.issuer) == "吉林省职业技能鉴定中心"
    assert _v(cert.number) == "S592665416770488148"


@pytest.mark.parametrize(("written", "level"), [
    ("四级（中级工）", "中级工"), ("一级/高级技师", "高级技师"), ("职业资格二级", "技师"), ("高级工", "高级工"),
])
def test_qualification_old_booklet_levels(written: str, level: str) -> None:
    page = _scan(4, [
        _line("中华人民共和国", 1335, 237),
        _line("职业资格证书", 1360, 300),
        _line("姓名周华林", 508, 313),
        _line("证件号码 " + _id("50010119690315669"), 512, 455),
        _line("职业（工种）：农产品食品检验员", 1190, 455),
        _line("等 级：", 1191, 552),
        _line(written, 1400, 552),
        _line("发证机关：", 1187, 711),
        _line("重庆市职业技能鉴定指导中心", 1400, 711),
    ], width=2135, height=1531)
    cert = _read("qualification_certificate", [page]).certificates[0]
    assert _v(cert.level) == level
    assert _v(cert.occupation) == "农产品食品检验员"
    assert _v(cert.issuer) == "重庆市职业技能鉴定指导中心"


def test_labels_with_a_stray_character_inside() -> None:
    page = _scan(4, [
        _line("姓名李武林", 455, 279),
        _line("发证日1期： 2007年2月7日", 1057, 564),  # a speck read as "1"
        _line("证址书编号：6036169294768138", 189, 1049),  # the seal's edge read as 址
    ], width=1901, height=1365)
    cert = _read("qualification_certificate", [page]).certificates[0]
    assert _v(cert.issue_date) == "2007-02-07"
    assert _v(cert.number) == "6036169294768138"


def test_title_certificate_grade_from_certificate_or_table() -> None:
    written = _scan(10, [
        _line("专业技术职务任职资格证书", 804, 208, h=90),
        _line("姓名：", 553, 415), _line("邵波", 861, 423),
        _line("资格名称:", 552, 685), _line("高级工程师", 845, 691),
        _line("级别:", 545, 769), _line("副高级", 852, 777),
        _line("批准时间：", 505, 863), _line("2016年12月", 852, 870),
        _line("评审委员会:", 546, 952), _line("重庆市工程技术系列高级职称评审委员会", 854, 958),
    ], width=2339, height=1655)
    cert = _read("title_certificate", [written]).certificates[0]
    assert (_v(cert.name), _v(cert.title_rank), _v(cert.title_grade)) == ("邵波", "高级工程师", "副高级")
    assert _v(cert.issue_date) == "2016-12"
    no_grade = _scan(11, [
        _line("姓名：张敏", 553, 415),
        _line("职称：正高级讲师", 552, 685),
    ])
    cert = _read("title_certificate", [no_grade]).certificates[0]
    assert (_v(cert.title_rank), _v(cert.title_grade)) == ("正高级讲师", "正高级")


def test_title_table() -> None:
    assert find_title("高级工程师（机械）") == "高级工程师"
    assert find_title("正高级工程师") == "正高级工程师"
    assert title_grade(find_title("副教授")) == "副高级"
    assert title_grade(find_title("教授")) == "正高级"
    assert title_grade(find_title("助理工程师")) == "初级"
    assert title_grade(find_title("主治医师")) == "中级"
    assert find_title("高级技师") is None  # a skill level, not a professional title
    assert normalize_grade("副高") == "副高级" and normalize_grade("中级职称") == "中级"


def test_honour_certificate_ocr_prose() -> None:
    honours = load_honours()
    page = _scan(8, [
        _line("荣誉证书", 975, 242, h=115),
        _line("黄勇波同志：", 243, 511),
        _line("在2014年度工作中成绩突出，被授予“三晋技术能", 334, 594),
        _line("手”荣誉称号。特发此证，以资鼓励。", 243, 660),
        _line("山西省人力资源和社会保障厅", 1336, 1188),
        _line("二〇一五年一月", 1560, 1260),
        _line("证书编号：201183254", 222, 1462),
    ])
    ev = read_evidence([page], [Document(type="honour_certificate", pages=[8])], honours)
    read = ev.honour_certificates[0]
    assert _v(read.holder) == "黄勇波"
    assert read.title == "三晋技术能手" and _v(read.title_text) == "三晋技术能手"
    assert _v(read.year) == 2015  # the issue date, not the year the honour was for (2014年度)
    assert _v(read.issuer) == "山西省人力资源和社会保障厅"
    assert read.year.bbox[1] == pytest.approx(1260)


def test_honour_certificate_holder_variants() -> None:
    fused = _scan(1, [
        _line("为表彰程玲同志为发展我国制造业事业做出的突出贡献，特决定从2019年起发给政府特", 224, 457),
        _line("殊津贴并颁发证书。", 232, 574),
        _line("中华人民共和国国务院", 1404, 1061),
        _line("2019年12月", 1577, 1131),
    ], width=1964, height=1451)
    read = _read("honour_certificate", [fused]).honour_certificates[0]
    assert _v(read.holder) == "程玲"
    assert read.title == "享受国务院政府特殊津贴"
    assert _v(read.year) == 2019
    spaced = _scan(2, [
        _line("授予 吴红云 同志", 253, 518),
        _line("“湖北省技能大师”荣誉称号。", 279, 608),
        _line("湖北省人力资源和社会保障厅人力资源和社", 1465, 1206),  # seal lettering run in
        _line("二〇一二年十一月", 1675, 1294),
    ], width=2362, height=1688)
    read = _read("honour_certificate", [spaced]).honour_certificates[0]
    assert _v(read.holder) == "吴红云"
    assert read.title == "湖北省技能大师"
    assert (_v(read.year), _v(read.issuer)) == (2012, "湖北省人力资源和社会保障厅")


def test_honour_certificate_unrecognised_and_lost_date() -> None:
    page = _scan(4, [
        _line("授予 严静莉 同志", 90, 185),
        _line("“岗位标兵”荣誉称号。", 90, 250),
        _line("呼和浩特晋锐餐饮管理有限公司工会委员会", 437, 432),
        _line("20年6月", 617, 500),  # OCR lost two digits under the seal: no year rather than a wrong one
    ])
    read = _read("honour_certificate", [page]).honour_certificates[0]
    assert _v(read.holder) == "严静莉"
    lost_two = _scan(5, [
        _line("蒋磊同志：", 312, 543),
        _line("被授予“湖北省技能大师”荣誉称号。特发此证，以资鼓励。", 396, 652),
        _line("湖北省人力资源和社会保障厅", 1725, 1208),
        _line("〇一四年十月", 1906, 1277),  # 二〇一四: only 20xx starts 〇, so still certain
    ], width=2339, height=1655)
    year = _read("honour_certificate", [lost_two]).honour_certificates[0].year
    assert _v(year) == 2014 and year.confidence < 0.8
    assert _v(read.title_text) == "岗位标兵" and read.title is None
    assert read.year is None
    assert _v(read.issuer) == "呼和浩特晋锐餐饮管理有限公司工会委员会"


def test_business_license_fused_code_and_half_labels() -> None:
    page = _scan(7, [
        _line("营业执照", 621, 329, h=119),
        _line("统一社会信用代码91220104MA00TRMY75", 196, 552, 893),
        _line("称", 334, 665),  # 名 of the letter-spaced 名　　称 lost
        _line("长春市永盛轨道客车有限责任公司", 504, 667),
        _line("类 型", 190, 747),
        _line("有限责任公司(自然人投资或控股)", 501, 751),
        _line("法定代表人", 194, 828),
        _line("沈平兵", 496, 832),
        _line("成立日期 2013年03月08日", 189, 994),
    ])
    lic = _read("business_license", [page]).business_licenses[0]
    assert _v(lic.credit_code) == "91220104MA00TRMY75"
    assert _v(lic.name) == "长春市永盛轨道客车有限责任公司"
    assert _v(lic.kind) == "有限责任公司（自然人投资或控股）"  # brackets normalised to full width
    assert _v(lic.legal_rep) == "沈平兵"
    assert _v(lic.founded) == "2013-03-08"


def test_training_fund_ocr_separators_and_wan() -> None:
    table = _scan(9, [
        _line("2024年度职工教育经费使用情况说明", 405, 215),
        _line("长春华信职业技术学院2024年度按规定足额提取职工教育经费，主要用于职工", 236, 274),
        _line("技能培训、高技能人才培养交流等。具体情况如下：", 178, 322),
        _line("项目", 410, 412), _line("金额（元）", 800, 412),
        _line("职工教育经费总额", 335, 484), _line("4.530.000", 800, 484),  # commas read as dots
        _line("其中：用于高技能人才培养的经费", 248, 552), _line("980.500", 800, 552),
        _line("占比", 412, 624), _line("21.6%", 800, 624),
    ], width=1369, height=1904)
    fund = _read("training_fund_proof", [table]).training_funds[0]
    assert (_v(fund.total), _v(fund.high_skill)) == (4530000, 980500)
    assert fund.total.raw == "4.530.000"
    prose = _scan(3, [
        _line("2024年度我单位职工教育经费总额为392.12万元，其中用于高技能人", 200, 300),
        _line("才培养的经费为200万元，占比51%。", 160, 360),
    ])
    fund = _read("training_fund_proof", [prose]).training_funds[0]
    assert (_v(fund.total), _v(fund.high_skill)) == (3921200, 2000000)
    column = _scan(4, [
        _line("项目", 410, 412), _line("金额（万元）", 800, 412),
        _line("职工教育经费总额", 335, 484), _line("205.5", 800, 484),
        _line("其中：用于高技能人才培养的经费", 248, 552), _line("120", 800, 552),
    ])
    ev = _read("training_fund_proof", [column])
    assert {k: v.value for k, v in fill_fields_from_evidence(ev).items()} == {
        "training_fund_total": 2055000, "training_fund_high_skill": 1200000}


def _fund_table(total: str, high: str, share: str, kind: PageKind = PageKind.SCAN) -> Page:
    page = _scan(9, [
        _line("项目", 410, 412), _line("金额（元）", 800, 412),
        _line("职工教育经费总额", 335, 484), _line(total, 800, 484),
        _line("其中：用于高技能人才培养的经费", 248, 552), _line(high, 800, 552),
        _line("占比", 412, 624), _line(share, 800, 624),
    ], width=1369, height=1904)
    page.kind = kind
    return page


@pytest.mark.parametrize(("total", "high", "share", "expected"), [
    ("4.530.000", "2.613.000.00", "58.3%", (4530000, 2643000)),  # one digit of the share's amount misread
    ("4,580,000", "2,643,000", "58.3%", (4530000, 2643000)),  # ... of the total
    ("4,530,000", "2,613,000", "57.7%", (4530000, 2613000)),  # all three agree: nothing to mend
    ("4,530,000", "2,613,000", "58%", (4530000, 2613000)),  # 57.7 is 58 to a whole per cent
    # 60%: 2,713,000 of the total, or 2,613,000 of 4,330,000 — two ways out, so none is taken
    ("4,530,000", "2,613,000", "60%", (4530000, 2613000)),
    ("4,530,000.00.", "2,643,000.00", "58.3%", (4530000, 2643000)),  # a full stop after an amount
])
def test_training_fund_amounts_checked_against_the_written_share(total: str, high: str, share: str,
                                                                 expected: tuple[int, int]) -> None:
    fund = _read("training_fund_proof", [_fund_table(total, high, share)]).training_funds[0]
    assert (_v(fund.total), _v(fund.high_skill)) == expected
    assert fund.high_skill.raw == high  # what the page says stays on record


def test_training_fund_on_a_text_layer_is_never_mended() -> None:
    # A text layer says what the applicant wrote; a share that disagrees is theirs to explain.
    page = _fund_table("4,530,000", "2,613,000", "58.3%", kind=PageKind.TEXT)
    fund = _read("training_fund_proof", [page]).training_funds[0]
    assert (_v(fund.total), _v(fund.high_skill)) == (4530000, 2613000)


def test_share_on_a_scan_never_mends_amounts_of_a_text_layer() -> None:
    amounts = _fund_table("4,530,000", "2,613,000", "", kind=PageKind.TEXT)
    share = _scan(10, [_line("占比", 412, 624), _line("58.3%", 800, 624)])
    fund = _read("training_fund_proof", [amounts, share]).training_funds[0]
    assert (_v(fund.total), _v(fund.high_skill)) == (4530000, 2613000)


def test_another_rate_on_the_page_is_not_taken_for_the_share() -> None:
    # "提取比例 8%" is the extraction rate; the amounts as read agree with 占比 60%: nothing to mend.
    prose = _scan(3, [
        _line("职工教育经费提取比例为工资总额的8%。2024年度职工教育经费总额为100000元，", 160, 300),
        _line("其中用于高技能人才培养的经费为60000元，占比60%。", 160, 360),
    ])
    fund = _read("training_fund_proof", [prose]).training_funds[0]
    assert (_v(fund.total), _v(fund.high_skill)) == (100000, 60000)


def test_parse_amount() -> None:
    assert parse_amount("3,921,200.00", False) == 3921200
    assert parse_amount("2.613.000.00", False) == 2613000
    assert parse_amount("2,800.000", False) == 2800000
    assert float(parse_amount("392.125", True)) == 392.125
    assert parse_amount("12,34", False) is not None  # 12.34: a two-digit tail is decimals
    assert parse_amount("1,23,4567", False) is None


def test_summary_table_without_rules_uses_header_columns() -> None:
    # a photographed 汇总表 whose rules were not found: columns from the header words
    number = _id("50023019761018299")
    page = _scan(4, [
        _line("梁平区技能大师工作室汇总表", 737, 91),
        _line("序号", 95, 267), _line("申报单位名称", 235, 267), _line("专家姓名", 640, 267),
        _line("性别", 860, 267), _line("身份证号", 1040, 267), _line("职业（工种）", 1420, 267),
        _line("技能等级", 1720, 267), _line("团队人数", 1960, 267),
        _line("1", 113, 402), _line("重庆晋锐汽车服务有", 159, 383), _line("限公司", 225, 425),
        _line("方峰", 660, 402), _line("男", 880, 402), _line(number, 980, 402, 1380),
        _line("汽车维修工", 1420, 402), _line("技师（二级）", 1700, 402), _line("12", 1990, 402),
        _line("联系人：董杰俊", 110, 601),
    ], width=2339, height=1655)
    rows = _read("summary_table", [page]).table_rows
    assert len(rows) == 1
    cells = {k: v.value for k, v in rows[0].cells.items()}
    assert cells["master_name"] == "方峰"
    assert cells["master_id_number"] == number
    assert cells["master_skill_level"] == "技师"
    assert cells["unit_name"] == "重庆晋锐汽车服务有限公司"
    assert cells["master_gender"] == "男"


def test_prose_counts_body_without_heading_and_signature() -> None:
    body = ["方峰同志自1995年参加工作以来，始终坚守在一线岗位，爱岗敬业、精益求精。", "他先后培养徒弟16名。"]
    page = Page(number=6, kind=PageKind.TEXT, source="t", width=595, height=842, lines=[
        TextLine("方峰同志事迹材料", (238, 73, 358, 88)),
        TextLine(body[0], (97, 98, 534, 111)),
        TextLine(body[1], (97, 120, 230, 132)),
        TextLine("- 1 -", (290, 800, 305, 810)),
    ])
    last = Page(number=7, kind=PageKind.TEXT, source="t", width=595, height=842, lines=[
        TextLine("他常说：“技能是干出来的。”", (97, 60, 300, 72)),
        TextLine("重庆晋锐汽车服务有限公司", (355, 599, 505, 612)),
        TextLine("二〇二三年八月二日", (393, 624, 505, 637)),
    ])
    ev = read_evidence([page, last], [Document(type="deeds_material", pages=[6, 7])])
    prose = ev.prose[0]
    assert prose.pages == [6, 7]
    expected = "".join(body) + "他常说：“技能是干出来的。”"
    assert prose.text.replace("\n", "") == expected
    assert prose.length == len(expected)


def test_bad_input_does_not_crash() -> None:
    empty = _scan(1, [])
    docs = [Document(type=t, pages=[1]) for t in (
        "id_card", "qualification_certificate", "title_certificate", "honour_certificate", "business_license",
        "training_fund_proof", "summary_table", "award_table", "deeds_material")]
    docs.append(Document(type="id_card", pages=[99]))  # a page the list does not hold
    ev = read_evidence([empty], docs)
    assert ev.id_cards[0].name is None and ev.id_cards[0].id_number is None and len(ev.id_cards) == 1
    assert ev.certificates[0].level is None and ev.honour_certificates[0].title is None
    assert ev.table_rows == [] and ev.prose[0].length == 0
    assert fill_fields_from_evidence(ev) == {}


def test_page_text_rows_and_labels() -> None:
    # letter-spaced label words of a text layer make one label; the value ends at a wide gap
    page = Page(number=1, kind=PageKind.TEXT, source="t", width=595, height=842, lines=[
        TextLine("姓", (200, 119, 212, 131)), TextLine("名", (236, 119, 248, 131)),
        TextLine("严静莉", (265, 119, 301, 131)), TextLine("中华人民共和国", (561, 116, 701, 134)),
    ])
    pt = PageText.of(page)
    assert len(pt.rows) == 1
    spans = pt.read_labels({"name": ("姓名",)})
    assert spans["name"].text == "严静莉"
    assert spans["name"].bbox == pytest.approx((265, 119, 301, 131))


# --- dev corpus (text-layer packets only: no OCR in tests) ------------------------------------------


@pytest.mark.corpus
def test_corpus_text_layer_evidence_agrees_with_truth(corpus_dir: Path) -> None:
    """On the corpus's text-layer packets, what the evidence says must agree with the truth:
    the form's values, except where the truth raises a finding that says they differ."""
    import json

    checked = 0
    for truth_file in sorted((corpus_dir / "truth").glob("*.json")):
        truth = json.loads(truth_file.read_text(encoding="utf-8"))
        pid = truth["packet_id"]
        path = corpus_dir / "packets" / f"{pid}.pdf"
        if not truth["documents"] or not path.is_file():
            continue
        packet = ingest(path)
        if any(p.kind is not PageKind.TEXT for p in packet.pages):
            continue
        ev = read_evidence(packet.pages, [Document(**d) for d in truth["documents"]])
        fields = {k: f.get("value") for k, f in truth["fields"].items()}

        findings = {(f["code"], d) for f in truth["findings"] for d in f.get("documents", [])}

        def flagged(code: str, doc: str, findings: set = findings) -> bool:
            return (code, doc) in findings

        for card in ev.id_cards:
            assert (_v(card.name) == fields["master_name"]) != flagged("NAME_MISMATCH", "id_card"), pid
            assert (_v(card.id_number) == fields["master_id_number"]) != flagged("ID_NUMBER_MISMATCH", "id_card"), pid
        for cert in ev.certificates:
            if cert.doc_type == "qualification_certificate":
                doc = cert.doc_type
                assert (_v(cert.name) == fields["master_name"]) != flagged("NAME_MISMATCH", doc), pid
                assert (_v(cert.level) == fields["master_skill_level"]) != flagged("SKILL_LEVEL_MISMATCH", doc), pid
        for proof in ev.training_funds:
            assert _v(proof.total) == fields.get("training_fund_total"), pid
            assert _v(proof.high_skill) == fields.get("training_fund_high_skill"), pid
        for hc in ev.honour_certificates:
            assert hc.holder is not None and hc.year is not None and hc.title_text is not None, pid
        checked += 1
    assert checked >= 5


def test_row_grouping_tall_glyph_joins_slanted_line_does_not() -> None:
    from shenbao.extractors.evidence.rows import group_rows

    value = TextLine("长春金石轨道客车有限公司", (496, 673, 918, 718))
    tall = TextLine("名", (188, 673, 235, 767))  # a lone label glyph: box twice the text height
    rows = group_rows([value, tall])
    assert [[ln.text for ln in r] for r in rows] == [["名", "长春金石轨道客车有限公司"]]
    # a slanted long line: box 100 px tall, text 40 px; the next row starts 50 px lower
    slanted = TextLine("在2014年度工作中成绩突出，被授予", (300, 500, 1400, 600),
                       polygon=[(300, 560), (1400, 500), (1400, 540), (300, 600)])
    below = TextLine("荣誉称号", (300, 600, 460, 640))
    assert len(group_rows([slanted, below])) == 2
