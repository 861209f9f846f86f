"""Page classification, document grouping and jurisdiction detection on hand-built pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from shenbao.extractors.classify import (
    PageClass,
    RulesError,
    classify_page,
    classify_pages,
    detect_jurisdiction,
    group_documents,
    load_rules,
)
from shenbao.extractors.classify.features import extract_features, group_rows
from shenbao.extractors.classify.rules import Phrase, phrase_score
from shenbao.models import Document, DocumentType, Jurisdiction
from shenbao.pipeline.types import Page, PageKind, Ruling, TextLine

W, H = 595.0, 842.0  # A4 in points
FONT = 14.0


def _row_lines(text: str, y: float, align: str, size: float, split: bool) -> list[TextLine]:
    """One printed row: centred / left / right; `split` puts each glyph in its own word, as
    pdfplumber gives spaced-out titles ("居 民 身 份 证")."""
    cells = text.split("|")
    widths = [len(c) * size for c in cells]
    gap = 3 * size
    total = sum(widths) + gap * (len(cells) - 1)
    x = {"centre": (W - total) / 2, "left": 60.0, "right": W - 60.0 - total}[align]
    out: list[TextLine] = []
    for cell, w in zip(cells, widths, strict=True):
        if split:
            for i, ch in enumerate(cell):
                cx = x + i * size * 1.6
                out.append(TextLine(ch, (cx, y, cx + size, y + size)))
        else:
            out.append(TextLine(cell, (x, y, x + w, y + size)))
        x += w + gap
    return out


def make_page(
    number: int,
    rows: list[str],
    *,
    title: int = 1,
    kind: PageKind = PageKind.TEXT,
    table: bool = False,
    confidence: float = 1.0,
    split_title: bool = False,
    right: tuple[int, ...] = (),
) -> Page:
    """A page whose first `title` rows are centred titles (larger type) and the rest left-aligned
    text; "a|b" in a row puts cells a and b apart, as a form's label and value."""
    lines: list[TextLine] = []
    y = 70.0
    for i, text in enumerate(rows):
        is_title = i < title
        size = 22.0 if is_title else FONT
        align = "centre" if is_title else "right" if i in right else "left"
        for ln in _row_lines(text, y, align, size, split_title and is_title):
            ln.confidence = confidence
            lines.append(ln)
        y += size * 2.0
    rulings = []
    if table:
        rulings = [Ruling(50, 100 + 30 * k, 545, 100 + 30 * k) for k in range(12)]
        rulings += [Ruling(50 + 120 * k, 100, 50 + 120 * k, 430) for k in range(5)]
    return Page(number=number, kind=kind, source=f"test p.{number}", width=W, height=H, lines=lines, rulings=rulings)


# --- realistic page texts -----------------------------------------------------------------

COVER = [
    "武汉市技能大师工作室",
    "申报表",
    "申报单位|武汉市某某机械有限公司",
    "工作室职业（工种）|数控车工",
    "领办人姓名|张三丰",
    "领办人职业技能等级|高级技师",
    "填报时间|二〇二四年六月",
    "市人力资源和社会保障局  财政局  制",
]
FORM_1 = [
    "武汉市技能大师工作室申报表",
    "申报单位名称|武汉市某某机械有限公司|单位性质|有限责任公司",
    "负责人|李四|办公电话|027-83190000",
    "联系人|王五|办公电话|027-83190001|手机|13800000000",
    "E-mail|abc@163.com|传真|027-83190002",
    "通信地址|武汉市江岸区解放大道100号|邮政编码|430010",
    "开户银行及资金账号|中国银行武汉江岸支行 1234567890",
    "技能大师姓名|张三丰|性别|男|民族|汉族|出生年月|1975.03",
    "参加工作时间|1994.07|政治面貌|中共党员|身份证号|420102197503011234",
    "工作单位及职务|武汉市某某机械有限公司 车间主任",
    "从事职业（工种）|数控车工|职业技能等级|高级技师",
    "工作室地点|武汉市江岸区解放大道100号|工作室面积|120平方米",
]
FORM_2 = [
    "技能大师工作业绩、获省部级以上奖励或国家专利情况、主要创新发明等情况（可另附页）",
    "长期从事数控车削加工，主持完成技术攻关项目6项，获国家实用新型专利3项。",
    "申报单位意见|同意申报。（签字盖章） 年 月 日",
    "专家组评审意见|专家组组长（签字)： 年 月 日",
    "市人力资源和社会保障局审批意见|(签字盖章) 年 月 日",
]
AWARD_TABLE = [
    "省部级获奖情况：",
    "获奖项目名称|奖励名称|授予单位|等级|排名|角色|年度",
    "/|湖北省技术能手|湖北省人力资源和社会保障厅|省级|1|本人|2019",
    "其它获奖情况：",
    "获奖项目名称|奖励名称|授予单位|等级|排名|角色|年度",
    "个人荣誉|武汉市技能大师|武汉市人力资源和社会保障局|市级|1|本人|2021",
]
SUMMARY = [
    "梁平区技能大师工作室汇总表",
    "主管部门（盖章）：|填报单位（盖章）：重庆某某竹艺有限公司",
    "序号|申报单位名称|单位职工总人数|专家姓名|性别|年龄|身份证号|职业（工种）|技能等级/职称|团队人数|联系电话",
    "1|重庆某某竹艺有限公司|320|赵六|男|48|500228197501011234|竹编工艺师|技师|8|13900000000",
    "联系人：钱七|联系电话：023-53220000|填报时间：2023年8月10日",
]
REPORT_1 = [
    "呼和浩特市技能大师工作室申报书",
    "一、申办工作室名称及职业（工种）",
    "申办工作室名称：呼和浩特市张三丰技能大师工作室",
    "二、技能大师工作室成立的必要性和现有优势",
    "随着产业转型升级，数控加工岗位对高技能人才的需求日益迫切，现有人才队伍在结构和数量上",
    "仍难以满足生产需要。通过工作室平台开展技术攻关和带徒传技，能够有效解决生产一线难题。",
    "三、技能大师和工作室成员简介",
    "张三丰，男，汉族，1975年3月出生，中共党员，1994年参加工作，现任车间主任。",
]
REPORT_2 = [
    "七、预期成效",
    "三年内培养技师以上高技能人才10名，完成技术革新项目5项，总结推广先进操作法2项，",
    "编写培训教材1部，建立健全工作室管理制度，规范运行，定期开展技术交流活动。",
]
SIGNATURE_TAIL = ["呼和浩特某某机械有限公司", "二〇二五年五月十一日"]
COMMITMENT = [
    "申报材料真实性承诺书",
    "我单位承诺，此次申报呼和浩特市技能大师工作室建设项目，所提供的申报材料及所附资料和资质均",
    "真实、合法。如有不实，我单位愿承担法律责任和相应后果。",
    "单位（公章）：",
    "法人代表（签字）：",
    "年  月  日",
]
ID_CARD = [
    "姓名|张三丰",
    "性别|男|民族|汉",
    "出生|1975|年|3|月|1|日",
    "住址|湖北省武汉市江岸区解放大道100号",
    "公民身份号码|420102197503011234",
    "中华人民共和国",
    "居民身份证",
    "签发机关|武汉市公安局江岸分局",
    "有效期限|2015.03.01-2035.03.01",
]
ID_FRONT = ID_CARD[:5]
ID_BACK = ID_CARD[5:]
QUALIFICATION = [
    "职业技能等级证书",
    "姓名|张三丰",
    "性别|男",
    "职业（工种）：|数控车工",
    "身份证号|420102197503011234",
    "职业技能等级：|高级技师（一级）",
    "认定日期：|2020年12月2日",
    "评价机构：|湖北省职业技能鉴定指导中心",
    "证书编号：|S000000000000000001",
]
TITLE_CERT = [
    "专业技术职务任职资格证书",
    "姓名|张三丰",
    "资格名称|高级工程师",
    "专业名称|机械制造",
    "评审委员会|湖北省工程系列高级职称评审委员会",
    "批准文号|鄂职改办〔2018〕12号",
    "证书编号：|2018000123",
]
HONOUR_1 = [
    "荣誉证书",
    "张三丰同志：",
    "在2019年度工作中成绩突出，被授予“武汉市技术能手”荣誉称号。特发此证，以资鼓励。",
    "武汉市人力资源和社会保障局",
    "二〇二〇年一月",
]
HONOUR_2 = [
    "证  书",
    "授予|张三丰|同志",
    "“湖北省首席技师”荣誉称号。",
    "湖北省人力资源和社会保障厅",
    "2021年5月",
]
BUSINESS = [
    "营业执照",
    "（副本）",
    "统一社会信用代码|91420102MA4K000000",
    "名称|武汉市某某机械有限公司",
    "类型|有限责任公司（自然人投资或控股）",
    "法定代表人|李四",
    "注册资本|1000万元整",
    "成立日期|2005年06月12日",
    "营业期限|长期",
    "住所|武汉市江岸区解放大道100号",
    "经营范围|机械零部件加工、销售。",
    "登记机关",
]
TRAINING_FUND = [
    "关于武汉市某某机械有限公司2023年度职工教育经费使用情况的证明",
    "本公司2023年度按规定足额提取职工教育经费，主要用于职工技能培训、高技能人才培养与交流等。",
    "项目|金额（元）",
    "职工教育经费总额|3,000,000",
    "其中：用于高技能人才培养的经费|1,650,000",
    "占比|55.0%",
    "特此证明。",
]
POLICE = [
    "公安部门意见",
    "张三丰，男，公民身份号码420102197503011234，现住湖北省武汉市江岸区解放大道100号。",
    "经查询公安机关违法犯罪信息系统，截至二〇二四年六月六日，未发现该同志有违法犯罪记录。",
    "特此证明。",
    "武汉市公安局江岸区分局某某派出所",
]
INTEGRITY = [
    "党风廉政建设“一票否决”情况说明",
    "张三丰同志，现任武汉市某某机械有限公司车间主任。",
    "经我单位纪检监察部门审核，该同志自参加工作以来，遵纪守法，廉洁自律，未受到党纪政纪处分，",
    "不存在党风廉政建设“一票否决”情形。特此说明。",
]
SITE_PHOTOS = ["张三丰技能大师工作室“三室一场”照片", "办公室|培训室", "成果展示室|实训场"]
WORK_PHOTO = ["张三丰同志工作照片", "工作中的张三丰", "带徒传技"]
DEEDS_1 = [
    "张三丰同志事迹材料",
    "张三丰同志自1994年参加工作以来，始终坚守在数控车工岗位一线，爱岗敬业、精益求精。刚参加工",
    "作时，他从最基础的操作学起，每天提前一小时到岗，下班后还要反复练习，笔记写满了8本。",
    "面对复杂曲面加工中长期存在的质量问题，他带领攻关小组查阅资料、反复试验，形成成熟工艺。",
]
DEEDS_2 = [
    "他所在的班组先后被评为先进班组，团队成员的技能水平整体提升明显。他还利用业余时间到职业",
    "院校授课，累计授课400学时，受益学员1400人次。在技能竞赛中，他指导的选手取得了优异成绩。",
    "他积极参与技术革新，先后提出合理化建议60条，获得国家专利5项，为企业创造了可观效益。",
]
EDUCATION = [
    "毕 业 证 书",
    "学生张三丰，性别男，1975年3月1日生，于1991年9月至1994年7月在本校",
    "机电一体化专业学习，修完教学计划规定的全部课程，成绩合格，准予毕业。",
    "校长：王某某",
    "某某职业技术学院",
    "证书编号：12345678901234567",
]
RECOMMENDATION = [
    "推 荐 报 告",
    "根据《2025年度长春市技能大师工作室项目建设方案》要求，我单位高度重视，认真组织开展了推荐工作。",
    "经单位申报、资格审查、专家评议和公示等程序，现推荐某某公司张三丰技能大师工作室申报，排序第1位。",
    "公示情况：推荐名单于2025年9月19日至22日在本单位进行了公示，公示期间未收到异议。",
    "长春市教育局",
]
TOC = [
    "申报材料目录",
    "1. 项目申报报告 ···1",
    "2. 项目申报表 ···3",
    "3. 营业执照及开户许可证 ···7",
    "4. 职工教育经费使用情况证明 ···9",
    "5. 技能大师身份证 ···11",
    "6. 职业资格（技能等级）证书 ···13",
    "7. 荣誉称号证书 ···15",
]
ACCOUNT_PERMIT = [
    "开 户 许 可 证",
    "核准号：|J0000000000000",
    "存款人：|长春某某汽车零部件有限公司",
    "法定代表人（单位负责人）：|李四",
    "开户银行：|中国工商银行长春宽城支行",
    "账号：|1234567890123456789",
]
PROSE = [
    "春季设备保养须知",
    "各班组应在本月底前完成机床导轨的清洁和润滑，检查冷却液浓度并及时补充，",
    "发现异常噪声时立即停机报告，不得带病运行。保养记录请交车间办公室存档备查。",
    "车间办公室",
]

CASES: list[tuple[str, list[str], DocumentType, dict]] = [
    ("cover", COVER, DocumentType.COVER, {"title": 2}),
    ("form", FORM_1, DocumentType.APPLICATION_FORM, {"table": True}),
    ("form-2", FORM_2, DocumentType.APPLICATION_FORM, {"title": 0, "table": True}),
    ("award table", AWARD_TABLE, DocumentType.AWARD_TABLE, {"title": 0, "table": True}),
    ("summary", SUMMARY, DocumentType.SUMMARY_TABLE, {"table": True}),
    ("report", REPORT_1, DocumentType.APPLICATION_REPORT, {}),
    ("commitment", COMMITMENT, DocumentType.COMMITMENT_LETTER, {}),
    ("id card", ID_CARD, DocumentType.ID_CARD, {"title": 0}),
    ("qualification", QUALIFICATION, DocumentType.QUALIFICATION_CERTIFICATE, {}),
    ("title cert", TITLE_CERT, DocumentType.TITLE_CERTIFICATE, {}),
    ("honour", HONOUR_1, DocumentType.HONOUR_CERTIFICATE, {}),
    ("honour 证书/授予", HONOUR_2, DocumentType.HONOUR_CERTIFICATE, {}),
    ("business licence", BUSINESS, DocumentType.BUSINESS_LICENSE, {"title": 2}),
    ("training fund", TRAINING_FUND, DocumentType.TRAINING_FUND_PROOF, {}),
    ("police", POLICE, DocumentType.POLICE_OPINION, {}),
    ("integrity", INTEGRITY, DocumentType.INTEGRITY_STATEMENT, {}),
    ("site photos", SITE_PHOTOS, DocumentType.SITE_PHOTOS, {}),
    ("work photo", WORK_PHOTO, DocumentType.WORK_PHOTO, {}),
    ("deeds", DEEDS_1, DocumentType.DEEDS_MATERIAL, {}),
    ("education", EDUCATION, DocumentType.EDUCATION_CERTIFICATE, {"split_title": True}),
    ("recommendation", RECOMMENDATION, DocumentType.RECOMMENDATION_REPORT, {"split_title": True}),
    ("table of contents", TOC, DocumentType.OTHER, {}),
    ("account permit", ACCOUNT_PERMIT, DocumentType.OTHER, {"split_title": True}),
]


@pytest.mark.parametrize("name,rows,want,opts", CASES, ids=[c[0] for c in CASES])
def test_every_document_type_from_its_own_words(name, rows, want, opts) -> None:
    pc = classify_page(make_page(1, rows, **opts))
    assert pc.type == want, (name, pc.scores, pc.evidence)
    if want != DocumentType.OTHER:
        assert pc.evidence, "a verdict names the phrases that decided it"
        assert 0.0 < pc.confidence <= 1.0


@pytest.mark.parametrize(
    "rows,want",
    [
        # OCR slips: 份→分, a dropped glyph, a wrong glyph in a title.
        ([r.replace("居民身份证", "居民身分证").replace("公民身份号码", "公民身分号码") for r in ID_CARD], DocumentType.ID_CARD),
        ([r.replace("职业技能等级证书", "职业技能等证书") for r in QUALIFICATION], DocumentType.QUALIFICATION_CERTIFICATE),
        ([r.replace("营业执照", "营业执熙") for r in BUSINESS], DocumentType.BUSINESS_LICENSE),
        ([r.replace("荣誉证书", "荣誊证书").replace("特发此证", "特发此正") for r in HONOUR_1], DocumentType.HONOUR_CERTIFICATE),
        ([r.replace("党风廉政", "党风廉正").replace("一票否决", "一栗否决") for r in INTEGRITY], DocumentType.INTEGRITY_STATEMENT),
        ([r.replace("职工教育经费", "职工教盲经费") for r in TRAINING_FUND], DocumentType.TRAINING_FUND_PROOF),
    ],
    ids=["id-身分证", "qualification-dropped-char", "licence-执熙", "honour-荣誊", "integrity-slips", "fund-教盲"],
)
def test_ocr_slipped_key_phrases_still_classify(rows, want) -> None:
    page = make_page(1, rows, title=0 if want == DocumentType.ID_CARD else 1, kind=PageKind.SCAN, confidence=0.9)
    pc = classify_page(page)
    assert pc.type == want, (pc.scores, pc.evidence)
    assert any("~" in e for e in pc.evidence), "a slipped phrase is reported as an approximate hit"


def test_unrelated_prose_is_not_a_certificate() -> None:
    pc = classify_page(make_page(1, PROSE))
    assert pc.type == DocumentType.OTHER
    assert pc.scores.get("honour_certificate", 0) < 3


def test_report_body_mentioning_a_certificate_stays_a_report() -> None:
    # The report mentions 职业技能等级 and 职工教育经费 in its body; the title decides.
    rows = REPORT_1 + ["单位每年投入职工教育经费384万元，领办人持有职业技能等级证书（一级）。"]
    assert classify_page(make_page(1, rows)).type == DocumentType.APPLICATION_REPORT


def test_garbage_text_is_unreadable_not_a_type() -> None:
    noise = [TextLine(t, (100 + 40 * i, 100, 130 + 40 * i, 400), confidence=0.55) for i, t in enumerate("热养梁护花准")]
    page = Page(number=2, kind=PageKind.SCAN, source="x", width=1600, height=2300, lines=noise)
    pc = classify_page(page)
    assert pc.type == DocumentType.OTHER and not pc.readable and pc.confidence == 0.0


def test_a_surely_read_title_over_a_table_read_as_noise_still_names_the_page() -> None:
    # A summary table in small print on a coarse copy: every cell reads as noise, its title does not.
    page = make_page(2, ["2025年度长春市技能大师工作室建设项目申报情况汇总表"], confidence=1.0)
    noise = [TextLine(t, (60 + 60 * (i % 8), 200 + 30 * (i // 8), 100 + 60 * (i % 8), 214 + 30 * (i // 8)),
                      confidence=0.55) for i, t in enumerate(["Nih.Ae", "人：", "R?", "业14", "传表", "政协", "或表能等",
                                                              "单向名日", "尖尔", "上券市", "没/两", "鲜", "151",
                                                              "125º", "制业", "常件存限公司"])]
    page.lines.extend(noise)
    assert extract_features(page).mean_confidence < 0.7
    pc = classify_page(page)
    assert pc.readable and pc.type == DocumentType.SUMMARY_TABLE
    # The same noise under no title is still nothing to judge by.
    bare = Page(number=3, kind=PageKind.SCAN, source="x", width=W, height=H, lines=list(noise))
    assert not classify_page(bare).readable


def test_a_table_column_stacking_its_words_does_not_lay_the_page_on_its_side() -> None:
    page = make_page(2, ["2025年度长春市技能大师工作室建设项目申报情况汇总表", "推荐单位（盖章）：长春市教育局"])
    # Two narrow cells whose words the recogniser found standing on end.
    page.lines += [TextLine("装调工", (300, 300, 314, 345)), TextLine("轨道交", (330, 300, 344, 345))]
    features = extract_features(page)
    assert not features.turned and features.readable
    assert classify_page(page).type == DocumentType.SUMMARY_TABLE
    # Lines mostly standing on end are a page still on its side.
    side = Page(number=4, kind=PageKind.SCAN, source="x", width=W, height=H,
                lines=[TextLine("推荐单位长春市教育局", (300, 100 + 200 * i, 314, 240 + 200 * i)) for i in range(3)]
                + [TextLine("汇总表", (60, 60, 102, 74))])
    assert extract_features(side).turned


def test_empty_page_does_not_crash() -> None:
    page = Page(number=1, kind=PageKind.SCAN, source="blank.jpg", width=100, height=100)
    pc = classify_page(page)
    assert pc.type == DocumentType.OTHER and not pc.readable


def test_context_continuation_and_signature_tail() -> None:
    pages = [
        make_page(1, REPORT_1),
        make_page(2, REPORT_2, title=0),
        make_page(3, SIGNATURE_TAIL, title=0, right=(0, 1)),
        make_page(4, DEEDS_1),
        make_page(5, DEEDS_2, title=0),
        make_page(6, HONOUR_1),
    ]
    got = [pc.type for pc in classify_pages(pages)]
    assert got == [
        DocumentType.APPLICATION_REPORT,
        DocumentType.APPLICATION_REPORT,
        DocumentType.APPLICATION_REPORT,
        DocumentType.DEEDS_MATERIAL,
        DocumentType.DEEDS_MATERIAL,
        DocumentType.HONOUR_CERTIFICATE,
    ]


def test_running_text_as_centred_as_a_title_still_continues_the_document() -> None:
    # On a photo the page's margins are skewed: a full-width line of running text measures as
    # centred as a title. Its sentence marks say it is none.
    rows = ["他所在的班组先后被评为先进班组，团队成员的技能水平整体提升明显。他还", *DEEDS_2[1:]]
    lines: list[TextLine] = []
    for i, text in enumerate(rows):
        lines += _row_lines(text, 70.0 + 28.0 * i, "centre", FONT * 0.85, False)
    centred = Page(number=5, kind=PageKind.SCAN, source="test p.5", width=W, height=H, lines=lines)
    got = [pc.type for pc in classify_pages([make_page(4, DEEDS_1), centred])]
    assert got == [DocumentType.DEEDS_MATERIAL, DocumentType.DEEDS_MATERIAL]


def test_out_of_order_packet_is_classified_by_content() -> None:
    # Certificates first, cover last: position must not decide.
    pages = [make_page(1, HONOUR_1), make_page(2, ID_CARD, title=0), make_page(3, FORM_1, table=True), make_page(4, COVER, title=2)]
    got = [pc.type for pc in classify_pages(pages)]
    assert got == [DocumentType.HONOUR_CERTIFICATE, DocumentType.ID_CARD, DocumentType.APPLICATION_FORM, DocumentType.COVER]


def test_unreadable_page_inside_a_form_joins_it() -> None:
    noise = [TextLine("热", (100, 100, 130, 400), confidence=0.5)]
    mid = Page(number=2, kind=PageKind.SCAN, source="x", width=W, height=H, lines=noise)
    pages = [make_page(1, FORM_1, table=True), mid, make_page(3, FORM_2, title=0, table=True)]
    assert [pc.type for pc in classify_pages(pages)] == [DocumentType.APPLICATION_FORM] * 3


# --- grouping -----------------------------------------------------------------------------


def _pc(page: int, t: DocumentType, starts: bool = False, side: str | None = None) -> PageClass:
    return PageClass(page=page, type=t, confidence=0.9, starts_document=starts, card_side=side)


def _docs(docs: list[Document]) -> list[tuple[str, list[int]]]:
    return [(str(d.type), d.pages) for d in docs]


def test_grouping_conventions() -> None:
    T = DocumentType
    classes = [
        _pc(1, T.COVER, True),
        _pc(2, T.APPLICATION_FORM, True),
        _pc(3, T.APPLICATION_FORM),
        _pc(4, T.APPLICATION_REPORT, True),
        _pc(5, T.APPLICATION_REPORT),
        _pc(6, T.ID_CARD, side="both"),
        _pc(7, T.QUALIFICATION_CERTIFICATE, True),
        _pc(8, T.HONOUR_CERTIFICATE, True),
        _pc(9, T.HONOUR_CERTIFICATE, True),
        _pc(10, T.OTHER, True),
        _pc(11, T.OTHER, True),
    ]
    assert _docs(group_documents(classes)) == [
        ("cover", [1]),
        ("application_form", [2, 3]),
        ("application_report", [4, 5]),
        ("id_card", [6]),
        ("qualification_certificate", [7]),
        ("honour_certificate", [8]),
        ("honour_certificate", [9]),
        ("other", [10]),
        ("other", [11]),
    ]
    assert all(d.award_index is None for d in group_documents(classes))


def test_form_interleaved_with_its_award_sheet_is_one_document() -> None:
    T = DocumentType
    classes = [_pc(1, T.SUMMARY_TABLE, True), _pc(2, T.COVER, True), _pc(3, T.APPLICATION_FORM, True),
               _pc(4, T.AWARD_TABLE), _pc(5, T.APPLICATION_FORM), _pc(6, T.APPLICATION_REPORT, True)]
    assert _docs(group_documents(classes)) == [
        ("summary_table", [1]),
        ("cover", [2]),
        ("application_form", [3, 5]),
        ("award_table", [4]),
        ("application_report", [6]),
    ]


def test_id_card_sides_and_separate_cards() -> None:
    T = DocumentType
    front_back = [_pc(1, T.ID_CARD, side="front"), _pc(2, T.ID_CARD, side="back")]
    assert _docs(group_documents(front_back)) == [("id_card", [1, 2])]
    two_cards = [_pc(1, T.ID_CARD, side="both"), _pc(2, T.ID_CARD, side="both")]
    assert _docs(group_documents(two_cards)) == [("id_card", [1]), ("id_card", [2])]


def test_id_card_sides_read_from_pages() -> None:
    classes = classify_pages([make_page(1, ID_FRONT, title=0), make_page(2, ID_BACK, title=0)])
    assert [c.type for c in classes] == [DocumentType.ID_CARD] * 2
    assert [c.card_side for c in classes] == ["front", "back"]
    assert _docs(group_documents(classes)) == [("id_card", [1, 2])]


def test_certificate_pages_without_a_title_continue_the_certificate() -> None:
    T = DocumentType
    classes = [_pc(1, T.QUALIFICATION_CERTIFICATE, True), _pc(2, T.QUALIFICATION_CERTIFICATE),
               _pc(3, T.QUALIFICATION_CERTIFICATE, True)]
    assert _docs(group_documents(classes)) == [("qualification_certificate", [1, 2]), ("qualification_certificate", [3])]


# --- jurisdiction -------------------------------------------------------------------------

COVERS = {
    Jurisdiction.LVLIANG_2025: ["市级技能大师工作室建设项目", "申报表", "申报单位|山西某某重工有限公司（公章）",
                                "领办人姓名|张三丰", "填报时间|二〇二五年五月十一日", "吕梁市人力资源社会保障局  财政局制"],
    Jurisdiction.HOHHOT: ["呼和浩特市技能大师工作室", "建设项目申报表", "申报单位|内蒙古某某餐饮管理有限公司",
                          "领办人姓名|张三丰", "呼和浩特市人力资源和社会保障局 制"],
    Jurisdiction.CHANGCHUN_2025: ["长春市技能大师工作室建设项目申报表", "申报单位：|吉林某某汽车零部件有限公司",
                                  "领办人姓名：|张三丰", "长春市人力资源和社会保障局"],
    Jurisdiction.WUHAN_2024: COVER,
    Jurisdiction.LIANGPING_2023: ["梁平区技能大师工作室", "申报表", "申报单位|重庆某某竹艺有限公司", "专家姓名|张三丰",
                                  "重庆市梁平区人力资源和社会保障局"],
}


@pytest.mark.parametrize("jur", list(COVERS), ids=[str(j) for j in COVERS])
def test_jurisdiction_from_the_cover(jur: Jurisdiction) -> None:
    pages = [make_page(1, COVERS[jur], title=2), make_page(2, HONOUR_1)]
    got, conf, why = detect_jurisdiction(pages)
    assert got == jur, why
    assert conf > 0.3 and why


def test_jurisdiction_from_weak_cues_only() -> None:
    # No title survives: an address and phone numbers still point at 长春.
    rows = ["联系人|王五|办公电话|0431-83190001", "通信地址|吉林省长春市宽城区某某路1号|传真|0431-83190002"]
    got, conf, _ = detect_jurisdiction([make_page(1, rows, title=0)])
    assert got == Jurisdiction.CHANGCHUN_2025 and 0 < conf < 1


def test_jurisdiction_unknown_when_no_cue() -> None:
    got, conf, why = detect_jurisdiction([make_page(1, PROSE)])
    assert got is None and conf == 0.0 and why


def test_issuer_of_a_certificate_does_not_outweigh_the_form() -> None:
    # A 吕梁 packet whose applicant holds an honour issued in 武汉.
    pages = [make_page(1, COVERS[Jurisdiction.LVLIANG_2025], title=2), make_page(2, HONOUR_1)]
    classes = classify_pages(pages)
    assert detect_jurisdiction(pages, classes)[0] == Jurisdiction.LVLIANG_2025


# --- rules data ---------------------------------------------------------------------------


def test_rules_cover_every_document_type() -> None:
    rules = load_rules()
    assert set(rules.types) == set(DocumentType)


def test_bad_rules_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "doctypes.yaml"
    bad.write_text("types:\n  not_a_type:\n    phrases: [x]\n", encoding="utf-8")
    with pytest.raises(RulesError, match="not_a_type"):
        load_rules(bad)
    bad.write_text("types: {cover: {phrases: [{w: 2}]}}\n", encoding="utf-8")
    with pytest.raises(RulesError, match="cover"):
        load_rules(bad)


def test_phrase_matching_tolerates_one_slip_but_not_a_different_phrase() -> None:
    p = Phrase(text="职业技能等级证书", weight=1, head_weight=1)
    assert phrase_score(p, "中华人民共和国职业技能等级证书") == 1.0
    assert 0.5 <= phrase_score(p, "职业技能等级証书姓名") < 1.0  # one glyph misread
    assert 0.5 <= phrase_score(p, "职业技能等证书姓名") < 1.0  # one glyph dropped
    assert phrase_score(p, "领办人职业技能等级：技师") == 0.0
    short = Phrase(text="承诺书", weight=1, head_weight=1, fuzzy=False)
    assert phrase_score(short, "承诺") == 0.0


def test_a_slip_is_a_misread_glyph_not_two_words_run_together() -> None:
    # A worn form's 推荐意见 box: "同意推荐" in one cell, "申报" beside it. Two of 推荐报告's
    # characters among others are no slip of that title.
    p = Phrase(text="推荐报告", weight=2.5, head_weight=7)
    assert phrase_score(p, "同意推荐申报单位意见") == 0.0
    assert 0.5 <= phrase_score(p, "关于推荐报吉的函") < 1.0  # one glyph misread
    assert 0.5 <= phrase_score(p, "推荐告一份") < 1.0  # one glyph dropped


def test_rows_are_rebuilt_from_single_glyph_words() -> None:
    page = make_page(1, ["居民身份证", "签发机关|某某公安局"], split_title=True)
    rows = group_rows(page.lines)
    assert rows[0].compact == "居民身份证"
    f = extract_features(page)
    assert f.head.startswith("居民身份证签发机关")


# --- dev corpus (text-layer packets only: no OCR needed) ---------------------------------

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


@pytest.mark.corpus
@pytest.mark.skipif(not (CORPUS / "truth").is_dir(), reason="dev corpus not present")
def test_text_layer_corpus_packets() -> None:
    import json

    from shenbao.pipeline.ingest import ingest
    from shenbao.pipeline.types import PacketFormat

    pages_ok = pages_total = 0
    for truth_path in sorted((CORPUS / "truth").glob("*.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        pdf = CORPUS / "packets" / f"{truth['packet_id']}.pdf"
        if not truth["documents"] or not pdf.is_file():
            continue
        packet = ingest(pdf)
        if packet.format != PacketFormat.TEXT_PDF:
            continue
        classes = classify_pages(packet.pages)
        want = {p: d["type"] for d in truth["documents"] for p in d["pages"]}
        pages_total += len(classes)
        pages_ok += sum(1 for c in classes if str(c.type) == want.get(c.page))
        assert detect_jurisdiction(packet.pages, classes)[0] == truth["jurisdiction"], truth["packet_id"]
    assert pages_total > 100
    assert pages_ok / pages_total >= 0.97
