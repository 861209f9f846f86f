"""A worn claim fitting several recognised titles equally, named by the packet's certificate
(`matchers.ties`, `pipeline.reading.settle_award_ties`)."""

from __future__ import annotations

from shenbao.extractors.evidence.model import Evidence, HonourCertificateRead, Value
from shenbao.extractors.form.reader import ClaimedAward
from shenbao.matchers.honours import load_honours, match_honour
from shenbao.matchers.ties import settle_tie, tied_titles
from shenbao.models import Award, Finding, FindingCode, Result
from shenbao.pipeline.reading import settle_award_ties
from shenbao.pipeline.review import PacketContext, ReviewOptions
from shenbao.reports.audit import _award_record

WORN = "二技术能手称号2019年"  # a scan's "三晋技术能手称号2019年" with 三晋 lost


def _cert(title: str, year: int | None, page: int) -> HonourCertificateRead:
    return HonourCertificateRead(pages=[page], title=title, title_text=Value(title, title, page),
                                 year=None if year is None else Value(year, f"{year}年", page))


def test_a_worn_claim_ties_between_titles_and_a_clean_one_does_not() -> None:
    honours = load_honours()
    worn = match_honour(WORN, honours, "lvliang-2025")
    assert worn.title is None
    assert {"全国技术能手", "三晋技术能手", "吕梁技术能手"} <= set(tied_titles(worn))
    assert tied_titles(match_honour("三晋技术能手称号2019年", honours, "lvliang-2025")) == []
    assert tied_titles(match_honour("优秀共产党员", honours, "lvliang-2025")) == []  # nothing fits


def test_the_certificate_of_the_claims_year_settles_the_tie() -> None:
    worn = match_honour(WORN, load_honours(), "lvliang-2025")
    settled = settle_tie(worn, 2019, [_cert("吕梁技术状元", 2015, 6), _cert("三晋技术能手", 2019, 7)])
    assert settled is not None and (settled.title, settled.pages) == ("三晋技术能手", [7])
    # A certificate of another year, or two tied titles certified, settle nothing.
    assert settle_tie(worn, 2019, [_cert("三晋技术能手", 2016, 7)]) is None
    assert settle_tie(worn, 2019, [_cert("三晋技术能手", 2019, 7), _cert("全国技术能手", 2019, 8)]) is None
    assert settle_tie(worn, 2019, []) is None
    # A certificate whose title another claim of the packet names proves that claim.
    assert settle_tie(worn, 2019, [_cert("三晋技术能手", 2019, 7)], taken={"三晋技术能手"}) is None


def test_settled_award_replaces_the_unrecognised_finding_with_a_note_for_the_reviewer(tmp_path) -> None:
    honours = load_honours()
    ctx = PacketContext(source=tmp_path, options=ReviewOptions())
    ctx.result = Result(packet_id="p")
    for claimed, year in (("2015年被授予“吕梁技术状元”荣誉称号", 2015), (WORN, 2019)):
        match = match_honour(claimed, honours, "lvliang-2025")
        ctx.claimed_awards.append(ClaimedAward(claimed_text=claimed, year=year, page=2))
        ctx.award_matches.append(match)
        ctx.result.awards.append(Award(claimed_text=claimed, title=match.title, year=ctx.claimed_awards[-1].year,
                                       match_score=match.score))
    ctx.result.findings.append(Finding.make(FindingCode.AWARD_UNRECOGNISED, f"{WORN} 不在认可荣誉名录中",
                                            fields=["awards[1]"], pages=[2]))
    ctx.evidence = Evidence(honour_certificates=[_cert("吕梁技术状元", 2015, 6), _cert("三晋技术能手", 2019, 7)])
    settle_award_ties(ctx)
    assert [a.title for a in ctx.result.awards] == ["吕梁技术状元", "三晋技术能手"]
    assert ctx.result.awards[1].level == honours.get("三晋技术能手").level
    codes = [(f.code, f.fields, f.pages) for f in ctx.result.findings]
    assert codes == [(FindingCode.LOW_CONFIDENCE, ["awards[1]"], [2, 7])]
    assert "第7页" in ctx.result.findings[0].message and "三晋技术能手" in ctx.result.findings[0].message
    assert ctx.award_settled[1].pages == [7] and 0 not in ctx.award_settled
    # The audit trail says which certificate named the title.
    record = _award_record(ctx, 1, ctx.result.awards[1], {})
    assert record["settled_by_certificate"] == {"title": "三晋技术能手", "pages": [7]}
    assert record["match"]["title"] is None  # what the matcher itself said
    assert _award_record(ctx, 0, ctx.result.awards[0], {})["settled_by_certificate"] is None
