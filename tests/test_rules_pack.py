"""Rule packs as data: the five packs load, errors name file and key, a new year is a new file,
and (with the shared notices) every citation quotes its notice."""

from __future__ import annotations

import re
import shutil
from datetime import date, datetime
from pathlib import Path

import pytest
from pydantic import BaseModel

from shenbao.extractors.evidence.model import Evidence
from shenbao.models.result import Result
from shenbao.rules.engine import run_rules
from shenbao.rules.pack import (
    DEFAULT_DIR,
    Citation,
    RulePack,
    RulePackError,
    available_packs,
    load_pack,
    load_pack_file,
)

FIVE = ("lvliang-2025", "hohhot", "changchun-2025", "wuhan-2024", "liangping-2023")
SHARED = Path(__file__).resolve().parents[2] / "shared"


def test_the_five_packs_load() -> None:
    assert set(FIVE) <= set(available_packs())
    for j in FIVE:
        pack = load_pack(j)
        assert pack.jurisdiction == j
        assert pack.source and pack.source.endswith(f"{j}.yaml")
        assert "application_form" in {d.type for d in pack.documents}
        assert "fax" not in pack.fields.required  # a unit may have no fax


def test_pack_contents_follow_the_notices() -> None:
    lv, hh, cc, wh, lp = (load_pack(j) for j in FIVE)
    assert (lv.skill_level.minimum, hh.skill_level.minimum) == ("高级工", "高级工")
    assert {cc.skill_level.minimum, wh.skill_level.minimum, lp.skill_level.minimum} == {"技师"}
    assert [a.kind for a in lp.skill_level.alternatives] == ["title_certificate", "honour"]
    assert lv.submission.deadline_at() == (datetime(2025, 5, 30, 23, 59), False)
    assert wh.submission.deadline_at() == (datetime(2024, 6, 30, 23, 59), False)
    assert lp.submission.deadline_at() == (datetime(2023, 8, 31, 18, 0), True)
    assert (cc.submission.window.from_, cc.submission.window.to) == (date(2025, 10, 9), date(2025, 10, 15))
    assert hh.submission is None
    assert (lp.team_size.min, lp.team_size.max) == (3, 15)
    assert [(t.field, t.document, t.min, t.max) for t in lp.text_lengths] == [
        ("achievements", None, None, 300), (None, "deeds_material", 1500, 2000)
    ]
    assert hh.studio_name.template == "呼和浩特市{master_name}技能大师工作室"
    assert wh.award_order is not None and lv.award_order is None
    assert {j.jurisdiction for j in (lv, hh, cc, wh) if j.training_fund} == {*FIVE} - {"liangping-2023"}
    assert lp.training_fund is None
    assert cc.summary_table.keys == ["master_name", "master_id_number", "master_skill_level", "unit_name", "unit_credit_code"]

    def docs(p: RulePack) -> dict[str, str]:
        return {d.type: d.when for d in p.documents}

    assert docs(lv)["training_fund_proof"] == "enterprise" and docs(cc)["training_fund_proof"] == "enterprise"
    assert "training_fund_proof" not in docs(hh) and "training_fund_proof" not in docs(wh)
    assert {"business_license", "commitment_letter"} <= docs(hh).keys()
    assert {"police_opinion", "integrity_statement", "site_photos", "business_license"} <= docs(wh).keys()
    assert {"deeds_material", "education_certificate", "work_photo"} <= docs(lp).keys()
    assert [(q.per, q.limit) for q in lv.quotas] == [("recommender", 1), ("recommender", 3)]
    assert [(q.per, q.limit) for q in cc.quotas] == [("recommender", 2)]
    assert [(q.per, q.limit) for q in lp.quotas] == [("unit_name", 1)]
    assert lp.leader_honours is not None and not lp.leader_honours.required
    assert all(p.leader_honours.required for p in (lv, hh, cc, wh))


def _copy_rules(tmp_path: Path) -> Path:
    d = tmp_path / "rules"
    shutil.copytree(DEFAULT_DIR, d)
    return d


def _error_of(path: Path) -> str:
    with pytest.raises(RulePackError) as exc:
        load_pack_file(path)
    return str(exc.value)


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ('deadline: "2025-05-30"', 'deadlne: "2025-05-30"', "submission.deadlne"),
        ('deadline: "2025-05-30"', 'deadline: "2025-05-32"', "submission.deadline"),
        ('deadline: "2025-05-30"', 'deadline: "May 30"', "submission.deadline"),
        ("minimum: 高级工", "minimum: 高级技帅", "skill_level.minimum"),
        ("  - type: application_report", "  - type: application_reprot", "documents[1].type"),
        ("required: [unit_name, is_plaqued,", "required: [unit_nam, is_plaqued,", "fields.required[0]"),
        ("min_share: 0.5", "min_share: 50", "training_fund.min_share"),
        ("limit: 3", "limit: 0", "quotas[1].limit"),
        ("    when: enterprise", "    when: sometimes", "documents[4].when"),
    ],
)
def test_pack_errors_name_file_and_key(tmp_path: Path, old: str, new: str, where: str) -> None:
    d = _copy_rules(tmp_path)
    path = d / "lvliang-2025.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    message = _error_of(path)
    assert str(path) in message
    assert where in message


def test_pack_errors_for_whole_file_problems(tmp_path: Path) -> None:
    d = _copy_rules(tmp_path)
    wrong = d / "wuhan-2025.yaml"
    shutil.copy(d / "wuhan-2024.yaml", wrong)
    assert "differs from the file name" in _error_of(wrong)

    broken = d / "hohhot.yaml"
    broken.write_text("jurisdiction: hohhot\nfields: [unclosed\n", encoding="utf-8")
    assert "not valid YAML" in _error_of(broken)

    honours = d / "changchun-2025.yaml"
    honours.write_text(
        honours.read_text(encoding="utf-8").replace("accepted_by: changchun-2025", "accepted_by: changchun-2052"),
        encoding="utf-8",
    )
    message = _error_of(honours)
    assert "leader_honours.accepted_by" in message and "changchun-2052" in message

    with pytest.raises(RulePackError, match="no rule pack for 'nowhere-2030'"):
        load_pack("nowhere-2030", d)

    # A broken shared section is reported as coming from _common.yaml.
    (d / "_common.yaml").write_text(
        (d / "_common.yaml").read_text(encoding="utf-8").replace("min_age: 16", "min_age: sixteen"), encoding="utf-8"
    )
    message = _error_of(d / "lvliang-2025.yaml")
    assert "work_start.min_age" in message and "_common.yaml" in message


def test_next_years_notice_is_a_new_file(tmp_path: Path) -> None:
    """吕梁 2026: same rules, new deadline; no code changes, honours still by the 2025 column."""
    d = _copy_rules(tmp_path)
    text = (d / "lvliang-2025.yaml").read_text(encoding="utf-8")
    text = text.replace("jurisdiction: lvliang-2025", "jurisdiction: lvliang-2026")
    text = text.replace('deadline: "2025-05-30"', 'deadline: "2026-06-15 17:30"')
    (d / "lvliang-2026.yaml").write_text(text, encoding="utf-8")
    pack = load_pack("lvliang-2026", d)
    assert pack.submission.deadline_at() == (datetime(2026, 6, 15, 17, 30), True)
    assert pack.rule_id("submission") == "lvliang-2026/submission"

    result = Result.model_validate({"packet_id": "x", "documents": [{"type": "application_form", "pages": [1]}]})
    late = run_rules(result, Evidence(), pack, datetime(2026, 6, 15, 17, 31))
    on_time = run_rules(result, Evidence(), pack, datetime(2026, 6, 15, 17, 30))
    assert "SUBMITTED_LATE" in {f.code for f in late}
    assert "SUBMITTED_LATE" not in {f.code for f in on_time}


def test_citation_renders_file_and_quote() -> None:
    c = Citation(file="004_48d84b3fd1035cdd.txt", quote="领衔一个3—15人专家团队")
    assert c.render() == "004_48d84b3fd1035cdd.txt「领衔一个3—15人专家团队」"


def _citations(obj, path: str = ""):
    if isinstance(obj, Citation):
        yield path, obj
    elif isinstance(obj, list):
        for i, x in enumerate(obj):
            yield from _citations(x, f"{path}[{i}]")
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from _citations(getattr(obj, name), f"{path}.{name}" if path else name)


@pytest.mark.corpus
def test_every_citation_quotes_its_source(corpus_dir: Path) -> None:
    def squash(s: str) -> str:
        return re.sub(r"\s+", "", s)

    sources = {p.name: squash(p.read_text(encoding="utf-8")) for p in (SHARED / "notices").glob("*.txt")}
    sources["RESULT.md"] = squash((SHARED / "spec" / "RESULT.md").read_text(encoding="utf-8"))
    sources["corpus/README.md"] = squash((corpus_dir / "README.md").read_text(encoding="utf-8"))
    checked = 0
    for j in FIVE:
        pack = load_pack(j)
        assert pack.notice.file in sources, pack.notice.file
        for where, cite in _citations(pack):
            assert cite.file in sources, f"{j}: {where}: unknown source {cite.file}"
            assert squash(cite.quote) in sources[cite.file], f"{j}: {where}: quote not in {cite.file}: {cite.quote}"
            checked += 1
    assert checked > 80
