"""Every threshold of every pack, on both sides, on hand-built cases.

A case starts from a clean fixture application (no findings, evidence agreeing with the form)
and changes one thing; the engine must then report exactly that (or nothing, on the good side).
"""

from __future__ import annotations

import copy
from datetime import date, datetime

import pytest

from shenbao.extractors.evidence.model import (
    CertificateRead,
    HonourCertificateRead,
    ProseRead,
    TrainingFundRead,
)
from shenbao.fixtures import PacketSpec, make_plan
from shenbao.models.result import Award, Document, FieldResult
from shenbao.rules.engine import run_rules
from shenbao.rules.pack import load_pack
from tests._rules_builders import Case, V, case_from_plan, keys_of

TODAY = date(2026, 1, 1)
FIVE = ("lvliang-2025", "hohhot", "changchun-2025", "wuhan-2024", "liangping-2023")
_CLEAN: dict[tuple, Case] = {}


def clean(j: str, **spec) -> Case:
    """A fresh copy of a clean application of `j` (the engine finds nothing in it)."""
    key = (j, tuple(sorted(spec.items())))
    if key not in _CLEAN:
        plan = make_plan(PacketSpec(f"clean-{j}", j, seed=11, **spec))
        assert plan.findings == [], plan.findings
        _CLEAN[key] = case_from_plan(plan)
    return copy.deepcopy(_CLEAN[key])


def run(c: Case, received_at: datetime | None | str = "keep"):
    at = c.received_at if received_at == "keep" else received_at
    return run_rules(c.result, c.evidence, load_pack(c.result.jurisdiction), at, TODAY)


def codes(c: Case, received_at: datetime | None | str = "keep") -> list[str]:
    return sorted(str(f.code) for f in run(c, received_at))


def set_field(c: Case, key: str, value) -> None:
    c.result.fields[key] = FieldResult(value=value, page=2)


def set_level(c: Case, level: str) -> None:
    """The applicant's level everywhere it is written: form, certificate, summary row."""
    set_field(c, "master_skill_level", level)
    for cert in c.evidence.certificates:
        cert.level = V(level, cert.pages[0])
    for row in c.evidence.table_rows:
        if "master_skill_level" in row.cells:
            row.cells["master_skill_level"] = V(level, row.pages[0])


@pytest.mark.parametrize("j", FIVE)
def test_clean_application_has_no_findings(j: str) -> None:
    c = clean(j)
    assert run(c) == []


# --- submission -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("j", "on_time", "late"),
    [
        ("liangping-2023", datetime(2023, 8, 31, 18, 0), datetime(2023, 8, 31, 18, 1)),
        ("liangping-2023", datetime(2023, 8, 31, 18, 0, 59), datetime(2023, 9, 1, 9, 0)),
        ("lvliang-2025", datetime(2025, 5, 30, 23, 59), datetime(2025, 5, 31, 0, 0)),
        ("lvliang-2025", datetime(2025, 5, 30, 23, 59, 59), datetime(2025, 6, 2, 10, 0)),
        ("wuhan-2024", datetime(2024, 6, 30, 23, 59, 59), datetime(2024, 7, 1, 0, 0)),
    ],
)
def test_deadline_is_inclusive(j: str, on_time: datetime, late: datetime) -> None:
    c = clean(j)
    assert codes(c, on_time) == []
    found = run(c, late)
    assert [str(f.code) for f in found] == ["SUBMITTED_LATE"]
    assert found[0].fields == ["submission_date"]
    assert f"{late:%Y-%m-%d %H:%M}" in found[0].message


@pytest.mark.parametrize(
    ("at", "outside"),
    [
        (datetime(2025, 10, 8, 23, 59), True),
        (datetime(2025, 10, 9, 0, 0), False),
        (datetime(2025, 10, 12, 11, 0), False),
        (datetime(2025, 10, 15, 23, 59), False),
        (datetime(2025, 10, 16, 0, 0), True),
    ],
)
def test_changchun_window_both_edges(at: datetime, outside: bool) -> None:
    c = clean("changchun-2025")
    assert codes(c, at) == (["SUBMITTED_OUTSIDE_WINDOW"] if outside else [])


def test_hohhot_has_no_deadline() -> None:
    c = clean("hohhot")
    assert codes(c, datetime(2031, 12, 31, 23, 0)) == []


def test_submission_date_is_used_without_a_manifest_time() -> None:
    c = clean("wuhan-2024")
    set_field(c, "submission_date", "2024-06-30")
    assert codes(c, None) == []
    set_field(c, "submission_date", "2024-07-01")
    assert codes(c, None) == ["SUBMITTED_LATE"]
    # 梁平 closes at 18:00: a day alone cannot be late on the closing day.
    lp = clean("liangping-2023")
    set_field(lp, "submission_date", "2023-08-31")
    assert codes(lp, None) == []
    set_field(lp, "submission_date", "2023-09-01")
    assert codes(lp, None) == ["SUBMITTED_LATE"]


# --- training fund (50%) -----------------------------------------------------------------------


@pytest.mark.parametrize("j", ["lvliang-2025", "hohhot", "changchun-2025", "wuhan-2024"])
@pytest.mark.parametrize(("total", "high", "below"), [(1000000, 500000, False), (1000000, 499000, True),
                                                       (10000, 4999, True), (10000, 5000, False), (1000, 1000, False)])
def test_training_fund_share(j: str, total: int, high: int, below: bool) -> None:
    c = clean(j, include_training_fund=True)
    set_field(c, "training_fund_total", total)
    set_field(c, "training_fund_high_skill", high)
    found = run(c)
    assert [str(f.code) for f in found] == (["TRAINING_FUND_BELOW_MIN"] if below else [])
    if below:
        assert found[0].fields == ["training_fund_total", "training_fund_high_skill"]
        assert f"{total:,}" in found[0].message and f"{high:,}" in found[0].message


def test_training_fund_read_from_the_proof_when_the_fields_are_empty() -> None:
    c = clean("hohhot", include_training_fund=False)
    assert "training_fund_total" not in c.result.fields
    c.result.documents.append(Document(type="training_fund_proof", pages=[30]))
    c.evidence.training_funds.append(TrainingFundRead(pages=[30], total=V(800000, 30), high_skill=V(399000, 30)))
    assert codes(c) == ["TRAINING_FUND_BELOW_MIN"]
    c.evidence.training_funds[0].high_skill = V(400000, 30)
    assert codes(c) == []


def test_liangping_has_no_training_fund_rule() -> None:
    c = clean("liangping-2023")
    set_field(c, "training_fund_total", 1000000)
    set_field(c, "training_fund_high_skill", 1)
    assert codes(c) == []


# --- team size, text lengths, studio name ------------------------------------------------------


@pytest.mark.parametrize(("n", "bad"), [(2, True), (3, False), (15, False), (16, True)])
def test_liangping_team_size(n: int, bad: bool) -> None:
    c = clean("liangping-2023")
    set_field(c, "studio_team_size", n)
    assert codes(c) == (["TEAM_SIZE_OUT_OF_RANGE"] if bad else [])
    other = clean("wuhan-2024")
    set_field(other, "studio_team_size", n)
    assert codes(other) == []


def _text(n: int) -> str:
    # Whitespace does not count: line breaks and spaces are sprinkled in.
    body = ("技能传承与技术攻关" * (n // 9 + 1))[:n]
    return "\n".join(body[i:i + 37] for i in range(0, n, 37)) + "  "


@pytest.mark.parametrize(("n", "bad"), [(300, False), (301, True)])
def test_liangping_achievements_length(n: int, bad: bool) -> None:
    c = clean("liangping-2023")
    set_field(c, "achievements", _text(n))
    found = run(c)
    assert keys_of(found) == ([("TEXT_LENGTH", ("achievements",), ())] if bad else [])
    if bad:
        assert "301" in found[0].message and "300" in found[0].message
    other = clean("lvliang-2025")
    set_field(other, "achievements", _text(n + 2000))
    assert codes(other) == []


@pytest.mark.parametrize(("n", "bad"), [(1499, True), (1500, False), (2000, False), (2001, True)])
def test_liangping_deeds_length(n: int, bad: bool) -> None:
    c = clean("liangping-2023")
    text = _text(n)
    c.evidence.prose = [ProseRead(doc_type="deeds_material", pages=[4, 5], text=text, length=n)]
    assert keys_of(run(c)) == ([("TEXT_LENGTH", (), ("deeds_material",))] if bad else [])


def test_deeds_length_adds_up_pieces_and_counts_text_when_length_is_missing() -> None:
    c = clean("liangping-2023")
    c.evidence.prose = [
        ProseRead(doc_type="deeds_material", pages=[4], text=_text(800), length=0),
        ProseRead(doc_type="deeds_material", pages=[5], text=_text(699), length=699),
    ]
    assert codes(c) == ["TEXT_LENGTH"]
    c.evidence.prose[1] = ProseRead(doc_type="deeds_material", pages=[5], text=_text(700), length=700)
    assert codes(c) == []


@pytest.mark.parametrize(
    ("name_of", "bad"),
    [
        (lambda m: f"呼和浩特市{m}技能大师工作室", False),
        (lambda m: f"呼和浩特市 {m} 技能大师工作室", False),
        (lambda m: f"{m}技能大师工作室", True),
        (lambda m: f"呼和浩特市{m}数控车工技能大师工作室", True),
        (lambda m: f"呼和浩特{m}技能大师工作室", True),
    ],
)
def test_hohhot_studio_name(name_of, bad: bool) -> None:
    c = clean("hohhot")
    master = c.result.fields["master_name"].value
    set_field(c, "studio_name", name_of(master))
    assert codes(c) == (["STUDIO_NAME_FORMAT"] if bad else [])
    other = clean("wuhan-2024")
    set_field(other, "studio_name", f"{master}技能大师工作室")
    assert codes(other) == []


# --- skill level -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("j", "ok", "low"),
    [("lvliang-2025", "高级工", "中级工"), ("hohhot", "高级工", "中级工"), ("changchun-2025", "技师", "高级工"),
     ("wuhan-2024", "技师", "高级工"), ("liangping-2023", "技师", "高级工")],
)
def test_minimum_skill_level(j: str, ok: str, low: str) -> None:
    c = clean(j)
    for level, expect in ((ok, []), (low, ["SKILL_LEVEL_INSUFFICIENT"])):
        set_level(c, level)
        found = run(c)
        assert [str(f.code) for f in found] == expect
        if expect:
            assert low in found[0].message and ok in found[0].message


def _low_liangping() -> Case:
    c = clean("liangping-2023")
    set_level(c, "高级工")
    assert codes(c) == ["SKILL_LEVEL_INSUFFICIENT"]
    return c


@pytest.mark.parametrize(
    ("rank", "grade", "accepted"),
    [("高级工程师", "副高级", True), ("正高级工程师", "正高级", True), ("高级讲师", None, True),
     ("工程师", "中级", False), ("助理工程师", None, False)],
)
def test_liangping_title_certificate_alternative(rank: str, grade: str | None, accepted: bool) -> None:
    c = _low_liangping()
    c.result.documents.append(Document(type="title_certificate", pages=[40]))
    c.evidence.certificates.append(
        CertificateRead(doc_type="title_certificate", pages=[40], title_rank=V(rank, 40),
                        title_grade=V(grade, 40) if grade else None)
    )
    assert codes(c) == ([] if accepted else ["SKILL_LEVEL_INSUFFICIENT"])


def test_liangping_unread_title_certificate_is_not_held_against_the_applicant() -> None:
    c = _low_liangping()
    c.result.documents.append(Document(type="title_certificate", pages=[40]))
    assert codes(c) == []


def test_liangping_heritage_honour_alternative_needs_its_certificate() -> None:
    c = _low_liangping()
    c.result.awards.append(Award(claimed_text="2019年被认定为区县级非物质文化遗产代表性传承人",
                                 title="区县级非物质文化遗产代表性传承人", year=2019, level="district"))
    i = len(c.result.awards) - 1
    assert sorted(codes(c)) == ["AWARD_NO_EVIDENCE", "SKILL_LEVEL_INSUFFICIENT"]
    c.evidence.honour_certificates.append(
        HonourCertificateRead(pages=[41], holder=V(c.result.fields["master_name"].value, 41),
                              title="区县级非物质文化遗产代表性传承人", year=V(2019, 41))
    )
    assert codes(c) == []
    assert c.result.awards[i].evidence_pages == [41]  # the engine linked the certificate


def test_title_certificate_is_no_alternative_elsewhere() -> None:
    c = clean("wuhan-2024")
    set_level(c, "高级工")
    c.result.documents.append(Document(type="title_certificate", pages=[40]))
    assert codes(c) == ["SKILL_LEVEL_INSUFFICIENT"]


def test_skill_level_mismatch_against_the_certificate() -> None:
    c = clean("wuhan-2024")
    set_level(c, "高级技师")
    c.evidence.certificates[0].level = V("技师", c.evidence.certificates[0].pages[0])
    found = run(c)
    assert keys_of(found) == [("SKILL_LEVEL_MISMATCH", ("master_skill_level",), ("qualification_certificate",))]
    assert "高级技师" in found[0].message and "技师" in found[0].message


# --- documents ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit_name", "unit_type", "required"),
    [("吕梁市宏达重工有限公司", None, True), ("吕梁市高级技工学校", None, False), ("孝义市技师学院", None, False),
     ("吕梁市某某培训学校有限公司", None, True), ("吕梁市职业教育中心", "事业单位", False)],
)
def test_lvliang_training_fund_proof_only_from_enterprises(unit_name: str, unit_type, required: bool) -> None:
    c = clean("lvliang-2025", include_training_fund=True)
    set_field(c, "unit_name", unit_name)
    if unit_type:
        set_field(c, "unit_type", unit_type)
    c.result.documents = [d for d in c.result.documents if d.type != "training_fund_proof"]
    for k in ("training_fund_total", "training_fund_high_skill"):
        c.result.fields.pop(k)
    c.evidence.training_funds = []
    assert keys_of(run(c)) == ([("MISSING_DOCUMENT", (), ("training_fund_proof",))] if required else [])


@pytest.mark.parametrize(("unit_type", "required"), [("有限责任公司", True), ("国有企业", True), ("事业单位", False),
                                                     ("民办非企业单位", False)])
def test_changchun_training_fund_proof_by_unit_type(unit_type: str, required: bool) -> None:
    c = clean("changchun-2025", include_training_fund=True)
    set_field(c, "unit_type", unit_type)
    c.result.documents = [d for d in c.result.documents if d.type != "training_fund_proof"]
    for k in ("training_fund_total", "training_fund_high_skill"):
        c.result.fields.pop(k)
    c.evidence.training_funds = []
    assert keys_of(run(c)) == ([("MISSING_DOCUMENT", (), ("training_fund_proof",))] if required else [])


@pytest.mark.parametrize(
    ("j", "doc"),
    [("hohhot", "business_license"), ("hohhot", "commitment_letter"), ("changchun-2025", "business_license"),
     ("changchun-2025", "recommendation_report"), ("wuhan-2024", "police_opinion"),
     ("wuhan-2024", "integrity_statement"), ("wuhan-2024", "site_photos"), ("wuhan-2024", "business_license"),
     ("liangping-2023", "deeds_material"), ("liangping-2023", "education_certificate"),
     ("liangping-2023", "work_photo"), ("lvliang-2025", "application_report"), ("lvliang-2025", "id_card")],
)
def test_required_documents(j: str, doc: str) -> None:
    c = clean(j, include_business_license=True) if j != "liangping-2023" else clean(j)
    assert any(d.type == doc for d in c.result.documents)
    c.result.documents = [d for d in c.result.documents if d.type != doc]
    c.evidence.id_cards = [] if doc == "id_card" else c.evidence.id_cards
    c.evidence.prose = [] if doc == "deeds_material" else c.evidence.prose
    assert keys_of(run(c)) == [("MISSING_DOCUMENT", (), (doc,))]


@pytest.mark.parametrize(("j", "title_ok"), [("wuhan-2024", True), ("changchun-2025", True), ("liangping-2023", False)])
def test_title_certificate_in_place_of_the_qualification_certificate(j: str, title_ok: bool) -> None:
    c = clean(j)
    c.result.documents = [d for d in c.result.documents if d.type != "qualification_certificate"]
    c.evidence.certificates = []
    c.result.documents.append(Document(type="title_certificate", pages=[40]))
    expect = [] if title_ok else [("MISSING_DOCUMENT", (), ("qualification_certificate",))]
    assert keys_of(run(c)) == expect


# --- awards ------------------------------------------------------------------------------------


def _wuhan_awards(years_major: list[int], years_other: list[int]) -> Case:
    c = clean("wuhan-2024")
    name = c.result.fields["master_name"].value
    awards, certs = [], []
    for sec, titles, years in (("省部级获奖情况", ["湖北省技能大师", "湖北省首席技师"], years_major),
                               ("其它获奖情况", ["武汉工匠", "武汉市技能大师"], years_other)):
        for t, y in zip(titles, years, strict=False):
            page = 50 + len(awards)
            awards.append(Award(claimed_text=t, title=t, year=y, section=sec, evidence_pages=[page]))
            certs.append(HonourCertificateRead(pages=[page], holder=V(name, page), title=t, year=V(y, page)))
    _replace_awards(c, awards, certs)
    return c


def _replace_awards(c: Case, awards: list[Award], certs: list[HonourCertificateRead]) -> None:
    """New claimed awards and their certificates (one page each, as the pipeline would list them)."""
    c.result.awards = awards
    c.evidence.honour_certificates = certs
    c.result.documents = [d for d in c.result.documents if d.type != "honour_certificate"]
    for i, a in enumerate(awards):
        for p in a.evidence_pages:
            c.result.documents.append(Document(type="honour_certificate", pages=[p], award_index=i))


@pytest.mark.parametrize(
    ("major", "other", "bad"),
    [([2015, 2018], [2012, 2020], False), ([2018, 2018], [2010], False), ([2018, 2015], [2012], True),
     ([2015], [2020, 2011], True)],
)
def test_wuhan_award_order_within_each_table(major, other, bad: bool) -> None:
    c = _wuhan_awards(major, other)
    assert keys_of(run(c)) == ([("AWARD_ORDER", ("awards",), ())] if bad else [])


def test_award_order_only_where_the_notice_demands_it() -> None:
    c = clean("changchun-2025")
    name = c.result.fields["master_name"].value
    _replace_awards(
        c,
        [Award(claimed_text="2020年吉林省技术能手", title="吉林省技术能手", year=2020, evidence_pages=[50]),
         Award(claimed_text="2012年长春市技术能手", title="长春市技术能手", year=2012, evidence_pages=[51])],
        [HonourCertificateRead(pages=[50], holder=V(name, 50), title="吉林省技术能手", year=V(2020, 50)),
         HonourCertificateRead(pages=[51], holder=V(name, 51), title="长春市技术能手", year=V(2012, 51))],
    )
    assert codes(c) == []


def test_award_certificates_linked_by_title_and_checked() -> None:
    c = _wuhan_awards([2015], [2016])
    for a in c.result.awards:
        a.evidence_pages = []  # the pipeline linked nothing: the engine links by title
    c.result.documents = [d for d in c.result.documents if d.type != "honour_certificate"]
    assert codes(c) == []
    assert [a.evidence_pages for a in c.result.awards] == [[50], [51]]

    c = _wuhan_awards([2015], [2016])
    c.evidence.honour_certificates[0].holder = V("张冠李", 50)
    c.evidence.honour_certificates[1].year = V(2017, 51)
    found = run(c)
    # Neither accepted honour is now the applicant's as claimed: no qualifying honour either.
    assert keys_of(found) == [("AWARD_HOLDER_MISMATCH", ("awards[0]",), ("honour_certificate",)),
                              ("AWARD_YEAR_MISMATCH", ("awards[1]",), ()), ("NO_QUALIFYING_HONOUR", ("awards",), ())]
    assert "张冠李" in found[0].message and "2016" in found[1].message and "2017" in found[1].message


def test_no_qualifying_honour_when_the_only_accepted_one_is_someone_elses() -> None:
    c = _wuhan_awards([2015], [])
    c.evidence.honour_certificates[0].holder = V("张冠李", 50)
    assert keys_of(run(c)) == [("AWARD_HOLDER_MISMATCH", ("awards[0]",), ("honour_certificate",)),
                               ("NO_QUALIFYING_HONOUR", ("awards",), ())]
    c = _wuhan_awards([], [])
    assert keys_of(run(c)) == [("NO_QUALIFYING_HONOUR", ("awards",), ())]
    lp = clean("liangping-2023")
    lp.result.awards = []
    assert codes(lp) == []  # 梁平 asks for no honour


def test_unrecognised_award_is_linked_to_its_certificate_by_text() -> None:
    c = _wuhan_awards([2015], [])
    name = c.result.fields["master_name"].value
    c.result.awards.append(Award(claimed_text="2019年被评为安全生产先进个人", title=None, year=2019,
                                 section="其它获奖情况"))
    assert codes(c) == ["AWARD_NO_EVIDENCE"]
    c.evidence.honour_certificates.append(
        HonourCertificateRead(pages=[60], holder=V(name, 60), title_text=V("安全生产先进个人", 60), title=None,
                              year=V(2019, 60))
    )
    assert codes(c) == []
    assert c.result.awards[-1].evidence_pages == [60]


def test_unread_certificate_page_is_not_called_missing() -> None:
    c = _wuhan_awards([2015], [])
    c.result.awards.append(Award(claimed_text="武汉工匠", title="武汉工匠", year=2019, section="其它获奖情况"))
    assert codes(c) == ["AWARD_NO_EVIDENCE"]
    c.result.documents.append(Document(type="honour_certificate", pages=[70]))  # classified, never read
    assert codes(c) == []
    assert c.result.awards[-1].evidence_pages == []  # a guess is not written into the result
    # A read certificate of another honour is no evidence for this one.
    c.evidence.honour_certificates.append(
        HonourCertificateRead(pages=[70], holder=V(c.result.fields["master_name"].value, 70),
                              title="湖北省首席技师", year=V(2019, 70))
    )
    assert codes(c) == ["AWARD_NO_EVIDENCE"]


# --- identity and form formats -------------------------------------------------------------------


def test_birth_compared_at_the_forms_precision() -> None:
    c = clean("wuhan-2024")
    number = c.result.fields["master_id_number"].value
    y, m, d = number[6:10], number[10:12], number[12:14]
    set_field(c, "master_birth", f"{y}-{m}")
    assert codes(c) == []
    set_field(c, "master_birth", f"{y}-{m}-{d}")
    assert codes(c) == []
    other_day = "01" if d != "01" else "02"
    set_field(c, "master_birth", f"{y}-{m}-{other_day}")
    found = run(c)
    assert keys_of(found) == [("ID_BIRTH_MISMATCH", ("master_birth", "master_id_number"), ())]
    assert f"{y}-{m}-{other_day}" in found[0].message and f"{y}-{m}-{d}" in found[0].message


def test_id_checksum_and_gender() -> None:
    c = clean("lvliang-2025")
    number = c.result.fields["master_id_number"].value
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    set_field(c, "master_id_number", wrong)
    c.evidence = type(c.evidence)()  # no card: only the number itself is judged
    c.result.documents = [d for d in c.result.documents if d.type not in ("id_card", "qualification_certificate")]
    assert [k for k in codes(c) if k != "MISSING_DOCUMENT"] == ["ID_CHECKSUM_INVALID"]
    c = clean("lvliang-2025")
    gender = c.result.fields["master_gender"].value
    set_field(c, "master_gender", "女" if gender == "男" else "男")
    assert keys_of(run(c)) == [("ID_GENDER_MISMATCH", ("master_gender", "master_id_number"), ())]


def test_name_and_id_number_against_card_and_certificate() -> None:
    c = clean("hohhot")
    c.evidence.id_cards[0].name = V("某某某", c.evidence.id_cards[0].pages[0])
    c.evidence.certificates[0].id_number = V("110101199001011234", c.evidence.certificates[0].pages[0])
    found = run(c)
    assert keys_of(found) == [("ID_NUMBER_MISMATCH", ("master_id_number",), ("qualification_certificate",)),
                              ("NAME_MISMATCH", ("master_name",), ("id_card",))]
    assert all(f.pages for f in found)


def test_team_members_cards_are_not_the_applicants() -> None:
    """呼和浩特 asks for the team's ID cards too: a member's card is no mismatch."""
    c = clean("hohhot")
    member = copy.deepcopy(c.evidence.id_cards[0])
    member.name, member.id_number, member.pages = V("团队成员", 44), V("150102198001011234", 44), [44]
    c.evidence.id_cards.insert(0, member)
    assert codes(c) == []


@pytest.mark.parametrize(
    ("key", "value", "bad"),
    [("postcode", "010050", False), ("postcode", "01005", True), ("postcode", "4302000", True),
     ("email", "a.b@qq.com", False), ("email", "a.bqq.com", True), ("contact_mobile", "13812345678", False),
     ("contact_mobile", "1381234567", True), ("contact_phone", "0471-6612345", False),
     ("contact_phone", "83919079", False), ("contact_phone", "0471-66", True)],
)
def test_contact_formats(key: str, value: str, bad: bool) -> None:
    c = clean("hohhot")
    set_field(c, key, value)
    assert keys_of(run(c)) == ([("CONTACT_INVALID", (key,), ())] if bad else [])


def test_work_start_age_and_fill_date() -> None:
    c = clean("lvliang-2025")
    number = c.result.fields["master_id_number"].value
    y, m = int(number[6:10]), int(number[10:12])
    set_field(c, "master_work_start", f"{y + 16}-{m:02d}")
    assert codes(c) == []
    earlier = (y + 16, m - 1) if m > 1 else (y + 15, 12)
    set_field(c, "master_work_start", f"{earlier[0]}-{earlier[1]:02d}")
    assert keys_of(run(c)) == [("WORK_START_IMPLAUSIBLE", ("master_work_start",), ())]
    fill = c.result.fields["fill_date"].value
    set_field(c, "master_work_start", fill[:7])
    assert codes(c) == []
    fy, fm = int(fill[:4]), int(fill[5:7])
    nxt = (fy, fm + 1) if fm < 12 else (fy + 1, 1)
    set_field(c, "master_work_start", f"{nxt[0]}-{nxt[1]:02d}")
    assert codes(c) == ["WORK_START_IMPLAUSIBLE"]


def test_missing_field_and_credit_code() -> None:
    c = clean("changchun-2025")
    set_field(c, "contact_name", None)
    set_field(c, "fax", None)  # not required
    code = c.result.fields["unit_credit_code"].value
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    set_field(c, "unit_credit_code", wrong)
    c.evidence.table_rows[0].cells["unit_credit_code"] = V(wrong, 1)
    assert keys_of(run(c)) == sorted(
        [("MISSING_FIELD", ("contact_name",), ()), ("CREDIT_CODE_INVALID", ("unit_credit_code",), ())]
    )


def test_summary_table_mismatch() -> None:
    c = clean("changchun-2025")
    row = c.evidence.table_rows[0]
    row.cells["master_skill_level"] = V("高级技师" if c.result.fields["master_skill_level"].value != "高级技师" else "技师", 2)
    found = run(c)
    assert keys_of(found) == [("SUMMARY_MISMATCH", ("master_skill_level",), ("summary_table",))]
    # Another applicant's row in the same 汇总表 is not this packet's row.
    c = clean("changchun-2025")
    other = copy.deepcopy(c.evidence.table_rows[0])
    other.cells = {k: V(f"其他{k}", 2) for k in other.cells}
    c.evidence.table_rows.insert(0, other)
    assert codes(c) == []


# --- audit trail and unreadable packets ----------------------------------------------------------


def test_findings_carry_rule_and_citation() -> None:
    c = clean("liangping-2023")
    set_field(c, "studio_team_size", 16)
    (f,) = run(c)
    extra = f.model_extra or {}
    assert extra["rule"] == "liangping-2023/team_size"
    assert extra["citation"] == "004_48d84b3fd1035cdd.txt「领衔一个3—15人专家团队」"
    assert '"citation"' in c.result.model_copy(update={"findings": [f]}).to_json()


def test_unreadable_packet_gets_no_rule_findings() -> None:
    from shenbao.models.result import Finding, FindingCode, Result

    r = Result(packet_id="bad", jurisdiction="wuhan-2024",
               findings=[Finding.make(FindingCode.UNREADABLE_INPUT, "encrypted")])
    assert run_rules(r, None, load_pack("wuhan-2024"), datetime(2024, 9, 1), TODAY) == []
