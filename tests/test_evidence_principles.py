"""The evidence readers' principles, each on a page the test lays out itself: a holder named
by any salutation or none, a label never taken as a name, dates read in part, letter-spaced
labels a detector reads down the column, compound and bilingual labels, values printed over
their labels, values wrapping in their own column, codes kept as printed."""

from __future__ import annotations

import pytest

from shenbao.extractors.evidence.certificate import read_qualification, read_title
from shenbao.extractors.evidence.holder import read_holder
from shenbao.extractors.evidence.honour import read_honour_certificate
from shenbao.extractors.evidence.layout import PageText
from shenbao.extractors.evidence.license import read_business_license
from shenbao.extractors.evidence.rows import stand_columns
from shenbao.matchers.honours import load_honours
from shenbao.models import Document, FindingCode
from shenbao.pipeline.evidence_fields import fill_document_fields, malformed_code_findings
from shenbao.pipeline.types import Page, PageKind, TextLine

CHAR = 40.0
PITCH = 60.0  # rows 60 apart: 20 between a line's text and the next, as print sets them


def _page(rows: list[list[tuple[str, float]]], kind: PageKind = PageKind.SCAN, number: int = 1,
          extra: list[TextLine] | None = None) -> Page:
    """A page whose row i stands at y = PITCH i; each (text, x) is one OCR line from x on."""
    lines = []
    for i, row in enumerate(rows):
        y = PITCH * i
        for text, x in row:
            lines.append(TextLine(text, (x, y, x + CHAR * len(text), y + CHAR), 0.99))
    return Page(number=number, kind=kind, source="test", width=2000, height=100 * len(rows) + 100,
                lines=lines + (extra or []))


def _text(page: Page) -> PageText:
    return PageText.of(page)


# --- holder ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("rows", "holder"), [
    ([[("荣誉证书", 500)], [("王建国同志：", 100)], [("被评为三晋技术能手。", 200)]], "王建国"),
    ([[("荣誉证书", 500)], [("蔡文雅", 100), ("同学：", 260)], [("被评为优秀团员", 200)]], "蔡文雅"),
    ([[("授予 刘宇航 同志：", 100)], [("“优秀共产党员”称号", 200)]], "刘宇航"),
    ([[("李秀英女士：", 100)], [("荣获先进工作者称号", 200)]], "李秀英"),
    ([[("同学：朱毅", 100)], [("您的团队荣获二等奖。", 200)]], "朱毅"),
    ([[("荣誉证书", 500)], [("张海燕：", 100)], [("在2019年度工作中被评为劳动模范。", 200)]], "张海燕"),
    ([[("荣誉证书", 500)], [("周晓明", 100)], [("在全省技能大赛中，荣获", 200)], [("一等奖", 400)]], "周晓明"),
    ([[("殷成文姚鹏郭思邈 同学", 100)], [("荣获：一等奖", 200)]], "殷成文、姚鹏、郭思邈"),
    ([[("2016全国高校移动互联网应用开发创新大赛", 100)], [("队员：奚冬博孙天旭赵羽晗", 100)],
      [("指导老师：黄玉划", 100)], [("一等奖", 300)]], "奚冬博、孙天旭、赵羽晗"),
])
def test_holder_by_any_salutation_or_none(rows, holder):
    value = read_holder(_text(_page(rows)))
    assert value is not None and value.value == holder


def test_a_label_or_a_verb_is_never_the_holder():
    # "指导单位：" opens a line like a name with a colon would; "荣获：" stands alone on its line
    page = _page([[("荣誉证书", 500)], [("指导单位：", 100)], [("荣获：", 100)], [("一等奖", 400)]])
    assert read_holder(_text(page)) is None


# --- honour phrase, year and issuer --------------------------------------------------------


def _honour(rows):
    return read_honour_certificate([_text(_page(rows))], load_honours())


def test_honour_phrase_after_its_trigger_without_its_period():
    read = _honour([[("王芳同学：", 100)], [("被评为2023-2024学年度", 200)], [("优秀学生干部", 300)],
                    [("特发此证，以资鼓励。", 200)], [("共青团某某大学委员会", 900)], [("二〇二四年五月", 1000)]])
    assert read.title_text.value == "优秀学生干部"
    assert read.year.value == 2024
    assert read.issuer.value == "共青团某某大学委员会"


def test_a_prize_rank_alone_takes_its_event():
    read = _honour([[("王芳同学：", 100)], [("在第九届全省数控技能大赛中", 200)], [("荣获：", 100)],
                    [("二等奖", 400)], [("特发此证。", 200)]])
    assert read.title_text.value == "第九届全省数控技能大赛二等奖"


def test_quotes_round_an_event_are_not_the_honour():
    read = _honour([[("王芳同学：", 100)], [("你在暑期“三下乡”社会实践活动中，荣获：", 200)],
                    [("社会实践优秀个人", 300)], [("特发此证。", 200)]])
    assert read.title_text.value == "社会实践优秀个人"


@pytest.mark.parametrize(("date", "context", "year", "partial"), [
    ("二〇七年一月", "在2016年度工作中成绩突出，被授予“吉林省劳动模范”称号。", 2017, True),
    ("一八年六月", "在2017-2018学年中表现突出，被评为优秀共产党员。", 2018, True),
    ("二〇二年二月", "在2020年度工作中成绩突出，被授予“全国技术能手”称号。", None, True),
    ("二〇一九年五月", "被评为三晋技术能手。", 2019, False),
])
def test_a_year_read_in_part_keeps_what_it_can(date, context, year, partial):
    read = _honour([[("王建国同志：", 100)], [(context, 100)], [("某某省人民政府", 900)], [(date, 1000)]])
    assert read.year is not None
    assert read.year.value == year
    assert bool(read.year.partial) is partial


def test_a_school_year_is_not_the_issue_year():
    read = _honour([[("王芳同学：", 100)], [("在2024—2025学年被评为三好学生。", 100)], [("某某大学", 900)]])
    assert read.year is None


def test_issuer_over_two_lines_and_not_the_seal_lettering():
    read = _honour([[("刘宇航同志：", 100)], [("被评为优秀共产党员。", 100)],
                    [("中共东北大学秦皇岛分校", 900)], [("计算机与通信工程学院委员会", 880)],
                    [("二〇二五年十二月三十一日", 900)]])
    assert read.issuer.value == "中共东北大学秦皇岛分校计算机与通信工程学院委员会"
    sealed = _honour([[("韩强明同志:", 100)], [("经评审，被评为吉林省首席技师。", 100)],
                      [("力资源和社会", 950)], [("吉林省人力资源和社会保障厅", 900)], [("2015年5月", 1000)]])
    assert sealed.issuer.value == "吉林省人力资源和社会保障厅"


def test_a_date_read_into_the_issuer_run_is_not_the_issuer():
    read = _honour([[("裴政同学获得", 100)], [("三好学生", 300)], [("二〇二三年十二月二十二日安徽大学", 900)]])
    assert read.issuer.value == "安徽大学"


def test_an_issuer_running_on_past_its_body_word_is_flagged_unless_it_echoes():
    cut = _honour([[("温梦甜同志", 100)], [("被评为优秀共产党员", 100)], [("中共某某工程学院党", 900)],
                   [("二〇一八年六月", 950)]])
    assert cut.issuer.value == "中共某某工程学院" and cut.issuer.partial
    echoed = _honour([[("王建国同志：", 100)], [("被授予“三晋技术能手”称号。", 100)], [("吕梁市人民政府鹿市人民政", 900)],
                      [("二〇一九年五月", 950)]])
    assert echoed.issuer.value == "吕梁市人民政府" and not echoed.issuer.partial


def test_an_issuer_opening_with_a_place_names_last_character_is_flagged():
    read = _honour([[("陈烈鹏同学：", 100)], [("荣获某某软件学院学生奖学金三等奖。", 100)], [("州软件学院", 900)],
                    [("2023年6月", 950)]])
    assert read.issuer.value == "州软件学院" and read.issuer.partial


def test_a_zero_typed_among_chinese_numerals_is_their_ling():
    read = _honour([[("王芳同学：", 100)], [("荣获本科组三等奖，特发此证。", 100)], [("北京市教育委员会", 900)],
                    [("二0一四年十一月", 950)]])
    assert read.year.value == 2014 and not read.year.partial


def test_the_honour_phrase_reads_down_its_own_column():
    # a booklet spread: the slogan of the facing page shares the rows with the honour
    read = _honour([[("徐莉婕同学：", 1100)], [("有道德、有文化、有", 100), ("你被评为2024~2025学年", 1100)],
                    [("纪律、有本领、有担", 100), ("云南省级五好学生", 1100)], [("特发此证，以资鼓励", 1100)]])
    assert read.title_text.value == "云南省级五好学生"


@pytest.mark.parametrize(("body", "tail", "title"), [
    # the quoted words closing the phrase are the honour; what stands before them is whose it is
    ([("被评为某某大学信息工程学院", 100)], [("“优秀共青团员”。", 100)], "优秀共青团员"),
    # quotes inside the phrase mark a word of it, and are not written
    ([("在校园体育节活动中，荣获男子“七人制”", 100)], [("足球赛小组第一名！", 100)], "男子七人制足球赛小组第一名"),
])
def test_quotes_are_the_honour_only_where_they_close_the_phrase(body, tail, title):
    read = _honour([[("王芳同学：", 100)], body, tail, [("特发此证。", 100)]])
    assert read.title_text.value == title


def test_a_rank_after_a_review_clause_takes_its_event():
    read = _honour([[("在“某某杯”2014年华北五省大学生计算机应用大赛中，经评", 100)],
                    [("审获得本科组三等奖，特发此证。", 100)]])
    assert read.title_text.value == "某某杯2014年华北五省大学生计算机应用大赛本科组三等奖"


def test_a_rank_of_a_category_takes_its_event_and_a_lost_ordinal_is_flagged():
    read = _honour([[("王芳：", 100)], [("祝贺你在“第二届某某大学数字艺术大赛”中的作品", 100)],
                    [("《城市之光》荣获数字艺术类", 100)], [("等奖", 700)], [("特发此证。", 100)]])
    assert read.title_text.value == "第二届某某大学数字艺术大赛数字艺术类等奖"
    assert read.title_text.partial


def test_a_year_in_part_within_a_school_year_in_chinese_numerals():
    read = _honour([[("吴晨阳", 100), ("(2015081103)", 400), ("同学：", 900)], [("荣获二〇一五至二〇一六学年", 300)],
                    [("优秀学生干部", 400)], [("某某信息工程大学", 900)], [("1", 500), ("二〇六年十二月", 900)]])
    assert read.holder.value == "吴晨阳"  # a student number between name and salutation is an aside
    assert read.year.value == 2016 and read.year.partial


def test_a_certificate_number_keeps_its_chinese_prefix():
    read = _honour([[("证书编号：", 100), ("教CXDS-MIAC-2016001-009", 400)], [("王芳同学：", 100)],
                    [("荣获一等奖。", 100)]])
    assert read.number.value == "教CXDS-MIAC-2016001-009"


# --- licence: letter-spaced labels, compound labels, two columns, codes as printed ---------------


def test_letter_spaced_labels_read_down_a_column_are_stood_up():
    # the detector gives the labels' first characters as one tall box, their second as another
    column = [TextLine("名类住", (100, 180, 150, 340), 0.99), TextLine("称型所", (300, 180, 350, 340), 0.99)]
    assert [ln.text for ln in stand_columns(column)] == ["名", "类", "住", "称", "型", "所"]
    page = _page([[("营业执照", 500)], [("统一社会信用代码91441900595830037Q", 300)], [],
                  [("广东乡谷村膳食管理有限公司", 400)], [("有限责任公司(自然人投资或控股)", 400)],
                  [("东莞市南城街道周溪隆溪路5号", 400)], [("法定代表人", 100), ("杨芝军", 400)]],
                 extra=column)
    lic = read_business_license([_text(page)])
    assert lic.name.value == "广东乡谷村膳食管理有限公司"
    assert lic.kind.value == "有限责任公司（自然人投资或控股）"
    assert lic.address.value == "东莞市南城街道周溪隆溪路5号"
    assert lic.legal_rep.value == "杨芝军"


def test_a_column_of_digits_is_not_stood_up():
    logo = TextLine("000000", (100, 100, 140, 700), 0.5)
    assert stand_columns([logo]) == [logo]


def test_compound_label_and_unread_items_end_values():
    page = _page([[("名", 100), ("称", 300), ("上海腾益冷暖设备有限公司", 400)],
                  [("法定代表人姓名", 100), ("宋锦国", 400), ("注册资本人民币壹佰万元", 1200)],
                  [("公司类型", 100), ("有限责任公司", 400), ("实收资本人民币伍拾万元", 1200)]])
    lic = read_business_license([_text(page)])
    assert lic.legal_rep.value == "宋锦国"
    assert lic.kind.value == "有限责任公司"
    assert lic.capital.value == "人民币壹佰万元"


def test_an_address_wraps_in_its_own_column():
    page = _page([[("经营范围", 100), ("销售：建筑材料、陶瓷制品", 300), ("住", 1100), ("所", 1180),
                   ("佛山市禅城区江湾路北侧、", 1300)],
                  [("五金配件；货物进出口", 300), ("B座之三层北面13号", 1300)],
                  [("登记机关", 900)]])
    lic = read_business_license([_text(page)])
    assert lic.address.value == "佛山市禅城区江湾路北侧、B座之三层北面13号"


def test_a_capital_must_be_an_amount():
    page = _page([[("名", 100), ("称", 300), ("深圳市宝成光电有限公司", 400)],
                  [("注册资本：深圳市实行注册资本认缴登记制度", 100)]])
    assert read_business_license([_text(page)]).capital is None


def test_a_misprinted_credit_code_is_kept_and_reported():
    page = _page([[("统一社会信用代码", 100), ("9144190059583003Q", 500)],
                  [("名", 100), ("称", 300), ("广东乡谷村膳食管理有限公司", 400)]], kind=PageKind.TEXT)
    lic = read_business_license([_text(page)])
    assert lic.credit_code.value == "9144190059583003Q" and lic.credit_code.malformed
    from shenbao.extractors.evidence.model import Evidence

    evidence = Evidence(business_licenses=[lic])
    documents = [Document(type="business_license", pages=[1])]
    fill_document_fields(documents, evidence, [page])
    assert documents[0].fields["credit_code"].value == "9144190059583003Q"
    findings = malformed_code_findings(documents, evidence, {"unit_credit_code": None}, ocr_pages=set())
    assert [f.code for f in findings] == [FindingCode.CREDIT_CODE_INVALID]
    assert findings[0].fields == ["documents[0].fields.credit_code"]
    # read by OCR, a character short is as likely the recogniser's slip: a person looks
    findings = malformed_code_findings(documents, evidence, {"unit_credit_code": None}, ocr_pages={1})
    assert [f.code for f in findings] == [FindingCode.LOW_CONFIDENCE]
    # the form states its own code: the form's checks and the comparison speak for it
    assert malformed_code_findings(documents, evidence, {"unit_credit_code": "91441900595830037Q"}, set()) == []


# --- qualification and title certificates ----------------------------------------------------


def test_values_printed_over_their_labels():
    page = _page([[("顾营盛", 100), ("男", 500), ("钳工", 800)],
                  [("姓名", 100), ("性别", 500), ("职业（工种）", 800)],
                  [("2008年07月21日", 100)],
                  [("发证日期", 100)],
                  [("0829021001400197", 100)],
                  [("证书编号", 100)]])
    cert = read_qualification([_text(page)])
    assert cert.name.value == "顾营盛"
    assert cert.occupation.value == "钳工"
    assert cert.issue_date.value == "2008-07-21"
    assert cert.number.value == "0829021001400197"


def test_bilingual_and_joint_labels():
    page = _page([[("姓名", 100), ("佟永帅", 300), ("职业(工种)及等级", 700), ("电工三级", 1200)],
                  [("Name", 100), ("Occupation & Skill Level", 700)],
                  [("证书编号Certificate No. 1226020000302376", 100)]])
    cert = read_qualification([_text(page)])
    assert cert.occupation.value == "电工"
    assert cert.level.value == "高级工"
    assert cert.number.value == "1226020000302376"


def test_issue_date_is_not_the_approval_date():
    both = _page([[("资格名称：", 100), ("软件设计师", 400)], [("批准日期：", 100), ("2015.11.07", 400)],
                  [("签发日期：", 100), ("2016.04.08", 400)]])
    assert read_title([_text(both)]).issue_date.value == "2016-04-08"
    unreadable = _page([[("资格名称：", 100), ("软件设计师", 400)], [("批准日期：", 100), ("2015.11.07", 400)],
                        [("签发日期：", 100)]])
    assert read_title([_text(unreadable)]).issue_date is None
    approval_only = _page([[("资格名称：", 100), ("软件设计师", 400)], [("批准日期：", 100), ("2015.11.07", 400)]])
    cert = read_title([_text(approval_only)])
    assert cert.issue_date.value == "2015-11-07"
    assert cert.title_rank.value == "软件设计师"


# --- ID card -----------------------------------------------------------------------------------


def test_an_unreadable_birth_date_comes_from_a_well_formed_number():
    from shenbao.extractors.evidence.id_card import read_id_card

    front = _page([[("姓名谢桃桃", 100)], [("性别女楚民族汉", 100)], [("出生1987年93月171日", 100)],
                   [("住址内蒙古赤峰市红山区四东", 100)], [("公民身份号码370782198709170246", 100)]])
    card = read_id_card([_text(front)])
    assert card.birth.value == "1987-09-17" and card.birth.partial
    assert card.gender.value == "女" and not card.gender.partial
    # a back alone prints no birth date: none is made up from a number found on it
    back = _page([[("签发机关 北京市公安局海淀分局", 100)], [("有效期限 2015.04.13-2035.04.13", 100)],
                  [("370782198709170246", 100)]])
    card = read_id_card([_text(back)])
    assert card.birth is None and card.gender is None
    assert card.valid_until.value == "2035-04-13"


def test_a_certificate_date_read_in_part_and_an_issuer_named_in_prose():
    page = _page([[("本证书由上海库帕思科技有限公司颁发。", 100), ("姓名：", 900), ("陈睿阳", 1040)],
                  [("职业名称：", 900), ("人工智能数据标注", 1100)],
                  [("发证日期：2025年11", 900)]])
    cert = read_qualification([_text(page)])
    assert cert.issuer.value == "上海库帕思科技有限公司"
    assert cert.issue_date.value == "2025-11" and cert.issue_date.partial


def test_a_label_in_another_column_of_the_row_below_does_not_hide_the_value():
    page = _page([[("发证日期", 100)], [("2012年08月23日", 100), ("评定成绩", 900)]])
    assert read_qualification([_text(page)]).issue_date.value == "2012-08-23"


def test_the_holder_before_what_they_did_and_an_id_address_by_place():
    from shenbao.extractors.evidence.id_card import read_id_card

    cert = read_qualification([_text(_page([[("全国CAD技能等级考试", 300)], [("一级证书", 400)],
                                            [("余升桔 参加 2023 年12 月全国CAD技能等级考试", 100)],
                                            [("证书编号：2401001023004180", 100)]]))])
    assert cert.name.value == "余升桔"
    card = read_id_card([_text(_page([[("姓名奥巴马", 100)], [("性别男民族汉", 100)], [("出生1961年8月4日", 100)],
                                      [("华盛顿特区宜宾法尼亚", 100)], [("大道1600号白宫", 100)],
                                      [("公民身份号码 110101196108047890", 100)]]))])
    assert card.address.value == "华盛顿特区宜宾法尼亚大道1600号白宫"
