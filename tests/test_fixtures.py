"""The fixture builder: identifiers are valid, the text layer says exactly what the truth says,
scans have no text layer, truth files satisfy the result contract, injections show up."""

from __future__ import annotations

import csv
import io
import json
import random
import re
import zipfile
from datetime import date
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pytest
from PIL import Image

from shenbao.fixtures import (
    JURISDICTIONS,
    PacketSpec,
    PeopleFactory,
    SpecError,
    build_packet,
    build_unreadable,
    make_plan,
)
from shenbao.fixtures.degrade import Degrade
from shenbao.fixtures.people import (
    id_number_variant,
    name_variant,
    with_wrong_check_char,
    with_wrong_uscc_char,
)
from shenbao.fixtures.plan import DEADLINE, MIN_LEVEL, WINDOW
from shenbao.models.result import Result

REPO = Path(__file__).resolve().parents[1]
FAST = Degrade(dpi=100, noise=2.0, blur=0.3, jpeg_quality=50)
LEVELS = {"初级工", "中级工", "高级工", "技师", "高级技师", "特级技师", "首席技师"}


# --- independent checks (not the generator's own code) -------------------------------------


def gb11643_ok(n: str) -> bool:
    if not re.fullmatch(r"\d{17}[\dX]", n):
        return False
    s = sum(int(c) * (2 ** (17 - i) % 11) for i, c in enumerate(n[:17]))
    return "10X98765432"[s % 11] == n[17]


def gb32100_ok(code: str) -> bool:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    if len(code) != 18 or any(c not in alphabet for c in code):
        return False
    s = sum(alphabet.index(c) * (3**i % 31) for i, c in enumerate(code[:17]))
    return alphabet[(31 - s % 31) % 31] == code[17]


def compact(s: str) -> str:
    return re.sub(r"\s+", "", s)


# --- identifiers ------------------------------------------------------------------------------


def test_generated_ids_and_credit_codes_pass_their_checksums() -> None:
    from stdnum.cn import ric, uscc

    rng = random.Random(11)
    for j in JURISDICTIONS:
        fac = PeopleFactory(j, rng)
        for _ in range(40):
            p = fac.person()
            assert gb11643_ok(p.id_number) and ric.is_valid(p.id_number), p.id_number
            assert p.id_number[6:14] == f"{p.birth:%Y%m%d}"
            assert (int(p.id_number[16]) % 2 == 1) == (p.gender == "男")
            u = fac.unit(rng.choice(("enterprise", "school")))
            assert gb32100_ok(u.credit_code) and uscc.is_valid(u.credit_code), u.credit_code
            assert u.credit_code[2:8] == u.district.code
            assert u.credit_code[:2] == ("12" if u.kind == "school" else "91")


def test_spoiled_identifiers_fail_and_variants_stay_valid() -> None:
    fac = PeopleFactory("wuhan-2024", random.Random(3))
    for _ in range(30):
        p = fac.person()
        assert not gb11643_ok(with_wrong_check_char(p.id_number))
        other = id_number_variant(p.id_number)
        assert other != p.id_number and gb11643_ok(other)
        assert other[:14] == p.id_number[:14] and other[16] == p.id_number[16]  # same birth and gender
        assert name_variant(p.name) != p.name and name_variant(p.name)[0] == p.name[0]
        code = fac.unit().credit_code
        assert not gb32100_ok(with_wrong_uscc_char(code))


# --- text layer against truth -------------------------------------------------------------------


def _shown(built, key: str) -> str:
    """What the form shows for a truth key (display string; slots for team and bank)."""
    plan = built.plan
    j = built.jurisdiction
    if key == "studio_team_size" and j in ("lvliang-2025", "hohhot", "wuhan-2024"):
        return plan.display["@team"]
    if key == "bank_account" and j == "hohhot":
        return plan.display["bank_account#0"]
    if key == "studio_name":
        return plan.studio_name
    if key.startswith("training_fund"):
        return str(plan.truth[key])
    return plan.display[key]


@pytest.mark.parametrize("jurisdiction", JURISDICTIONS)
def test_text_pdf_words_are_the_truth_values_on_the_truth_pages(jurisdiction: str, tmp_path: Path) -> None:
    long = jurisdiction != "liangping-2023"
    spec = PacketSpec("tx-001", jurisdiction, seed=5, long_achievements=long, include_training_fund=jurisdiction != "liangping-2023")
    built = build_packet(spec, tmp_path, "text_pdf")
    truth = built.truth
    fields = truth["fields"]
    with pdfplumber.open(built.path) as pdf:
        n_pages = len(pdf.pages)
        page_text = [compact(p.extract_text() or "") for p in pdf.pages]
        # Key identity values are on the page the truth names, as written.
        for key in ("master_name", "master_id_number", "unit_name", "email", "postcode"):
            assert fields[key]["value"] in page_text[fields[key]["page"] - 1], key
        # Every tagged value: the words inside its drawn lines are exactly the form's text,
        # starting on the truth's page (a long 业绩 continues on the next page).
        for key, spans in built.spans.items():
            entry = fields[key]
            assert entry["page"] == spans[0][0], key
            want = compact(_shown(built, key))
            got = ""
            for page_no in sorted({s[0] for s in spans}):
                page = pdf.pages[page_no - 1]
                for p, x0, top, x1, bottom in spans:
                    if p == page_no:
                        crop = page.crop((max(0, x0 - 0.5), max(0, top - 1), min(page.width, x1 + 0.5), min(page.height, bottom + 1)))
                        got += compact(crop.extract_text() or "")
                if len(got) >= len(want) or key.startswith("training_fund"):
                    break
            if key.startswith("training_fund"):
                got = got.replace(",", "").removesuffix(".00")
            assert got == want, (key, got[:60], want[:60])
        if long:
            ach = fields["achievements"]
            pages = sorted({s[0] for s in built.spans["achievements"]})
            assert len(pages) == 2 or jurisdiction == "wuhan-2024", pages  # runs on over the page
            assert len(ach["value"]) >= 900
    # Values that are copies of the form text are those strings; the rest are normalised.
    for key, entry in fields.items():
        if entry["value"] is None or key == "submission_date":
            continue
        assert key in built.spans, f"{key} has a value but no drawn text"
    _check_truth(truth, n_pages)
    assert re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", fields["master_birth"]["value"])
    assert re.fullmatch(r"\d{4}-\d{2}", fields["master_work_start"]["value"])
    assert fields["master_skill_level"]["value"] in LEVELS
    assert isinstance(fields["studio_team_size"]["value"], int)
    assert isinstance(fields["studio_area_m2"]["value"], int | float)
    assert fields["master_ethnicity"]["value"].endswith("族")
    for key in ("unit_head_phone", "contact_phone", "contact_mobile", "master_phone", "fax"):
        if key in fields and fields[key]["value"] is not None:
            assert re.fullmatch(r"[\d-]+", fields[key]["value"]), key
    if "bank_account" in fields:
        assert "  " not in fields["bank_account"]["value"] and " " in fields["bank_account"]["value"]


def _check_truth(truth: dict, n_pages: int) -> None:
    """Contract and internal consistency of a truth file."""
    Result.model_validate(truth)
    pages = sorted(p for d in truth["documents"] for p in d["pages"])
    assert pages == list(range(1, n_pages + 1)), "every page belongs to exactly one document"
    honour_pages = {d["award_index"]: d["pages"] for d in truth["documents"] if d["type"] == "honour_certificate"}
    for i, award in enumerate(truth["awards"]):
        assert award["evidence_pages"] == honour_pages.get(i, [])
        assert award["title"] is None or award["level"] in ("national", "provincial", "city")
    for f in truth["findings"]:
        for ref in f["fields"]:
            assert ref in truth["fields"] or ref == "awards" or re.fullmatch(r"awards\[\d+\]", ref), ref


# --- scans ----------------------------------------------------------------------------------------


def test_scanned_pdf_has_no_text_layer_and_the_truth_page_count(tmp_path: Path) -> None:
    spec = PacketSpec("sc-001", "lvliang-2025", seed=2, n_awards=1, include_business_license=False)
    built = build_packet(spec, tmp_path, "scan_pdf", degrade=FAST)
    doc = pdfium.PdfDocument(str(built.path))
    try:
        assert len(doc) == built.pages == max(p for d in built.truth["documents"] for p in d["pages"])
        for page in doc:
            assert page.get_textpage().get_text_range().strip() == ""
            assert any(obj.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE for obj in page.get_objects())
    finally:
        doc.close()
    _check_truth(built.truth, built.pages)


def test_mixed_pdf_scans_only_the_evidence(tmp_path: Path) -> None:
    from shenbao.fixtures.build import SCANNED_IN_MIXED

    spec = PacketSpec("mx-001", "wuhan-2024", seed=6, n_awards=1, include_other=False)
    built = build_packet(spec, tmp_path, "mixed_pdf", degrade=FAST)
    kinds = {p: d["type"] for d in built.truth["documents"] for p in d["pages"]}
    doc = pdfium.PdfDocument(str(built.path))
    try:
        assert len(doc) == built.pages == len(kinds)
        for i, page in enumerate(doc, 1):
            has_text = bool(page.get_textpage().get_text_range().strip())
            assert has_text == (kinds[i] not in SCANNED_IN_MIXED), (i, kinds[i])
    finally:
        doc.close()
    assert built.path.read_bytes() == build_packet(spec, tmp_path / "again", "mixed_pdf", degrade=FAST).path.read_bytes()


def test_image_folder_and_zip_hold_one_jpeg_per_page(tmp_path: Path) -> None:
    spec = PacketSpec("im-001", "hohhot", seed=4, n_awards=1, include_training_fund=False)
    folder = build_packet(spec, tmp_path / "f", "image_folder", degrade=FAST)
    names = sorted(p.name for p in folder.path.iterdir())
    assert names == [f"{i:03d}.jpg" for i in range(1, folder.pages + 1)]
    with Image.open(folder.path / "001.jpg") as img:
        assert img.format == "JPEG" and img.mode == "L"
    zipped = build_packet(spec, tmp_path / "z", "zip", degrade=FAST)
    with zipfile.ZipFile(zipped.path) as zf:
        assert zf.namelist() == names
        assert zf.read("003.jpg") == (folder.path / "003.jpg").read_bytes()
    assert zipped.truth == folder.truth


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    spec = PacketSpec("de-001", "changchun-2025", seed=8, n_awards=1, include_other=False, inject=("SUMMARY_MISMATCH:unit_credit_code",))
    a = build_packet(spec, tmp_path / "a", "text_pdf")
    b = build_packet(spec, tmp_path / "b", "text_pdf")
    assert a.path.read_bytes() == b.path.read_bytes()
    assert a.truth_path.read_bytes() == b.truth_path.read_bytes()
    other = build_packet(PacketSpec("de-001", "changchun-2025", seed=9), tmp_path / "c", "text_pdf")
    assert other.truth != a.truth


# --- injections ---------------------------------------------------------------------------------


def _codes(plan) -> set[str]:
    return {f["code"] for f in plan.findings}


def test_clean_packets_have_no_findings() -> None:
    for j in JURISDICTIONS:
        for seed in range(6):
            plan = make_plan(PacketSpec(f"c{seed}", j, seed=seed, n_awards=2 if j != "liangping-2023" else None))
            assert plan.findings == [], (j, seed, plan.findings)


def test_identity_injections_change_exactly_what_they_say() -> None:
    plan = make_plan(PacketSpec("i1", "wuhan-2024", seed=1, inject=("ID_BIRTH_MISMATCH", "ID_GENDER_MISMATCH")))
    t = plan.truth
    assert t["master_birth"] != t["master_id_number"][6:10] + "-" + t["master_id_number"][10:12]
    assert (t["master_gender"] == "男") != (int(t["master_id_number"][16]) % 2 == 1)
    assert {"ID_BIRTH_MISMATCH", "ID_GENDER_MISMATCH"} == _codes(plan)

    plan = make_plan(PacketSpec("i2", "hohhot", seed=2, inject=("ID_CHECKSUM_INVALID",)))
    assert not gb11643_ok(plan.truth["master_id_number"])
    assert gb11643_ok(plan.id_card["number"]) and gb11643_ok(plan.qual.id_number)
    refs = {(f["code"], tuple(f["documents"])) for f in plan.findings}
    assert refs == {
        ("ID_CHECKSUM_INVALID", ()),
        ("ID_NUMBER_MISMATCH", ("id_card",)),
        ("ID_NUMBER_MISMATCH", ("qualification_certificate",)),
    }

    plan = make_plan(PacketSpec("i3", "lvliang-2025", seed=3, inject=("NAME_MISMATCH:qualification_certificate",)))
    assert plan.qual.name != plan.truth["master_name"] and plan.id_card["name"] == plan.truth["master_name"]
    [f] = plan.findings
    assert (f["code"], f["fields"], f["documents"]) == ("NAME_MISMATCH", ["master_name"], ["qualification_certificate"])


def test_award_injections() -> None:
    plan = make_plan(PacketSpec("a1", "lvliang-2025", seed=4, n_awards=2, inject=("AWARD_NO_EVIDENCE", "AWARD_HOLDER_MISMATCH")))
    by_code = {f["code"]: f for f in plan.findings}
    assert set(by_code) == {"AWARD_NO_EVIDENCE", "AWARD_HOLDER_MISMATCH"}  # a clean qualifier remains
    i = int(by_code["AWARD_NO_EVIDENCE"]["fields"][0][7:-1])
    assert not plan.awards[i].certificate and f"honour:{i}" not in plan.documents

    plan = make_plan(PacketSpec("a2", "changchun-2025", seed=5, inject=("NO_QUALIFYING_HONOUR",)))
    assert "NO_QUALIFYING_HONOUR" in _codes(plan)

    plan = make_plan(PacketSpec("a3", "wuhan-2024", seed=6, n_awards=1, inject=("AWARD_ORDER",)))
    other = [a.year for a in plan.awards if a.section == "其它获奖情况"]
    assert other != sorted(other) and _codes(plan) == {"AWARD_ORDER"}

    plan = make_plan(PacketSpec("a4", "hohhot", seed=7, n_awards=2, inject=("AWARD_YEAR_MISMATCH", "AWARD_UNRECOGNISED")))
    assert _codes(plan) == {"AWARD_YEAR_MISMATCH", "AWARD_UNRECOGNISED"}
    assert any(a.title is None for a in plan.awards)
    assert "获奖情况：" in plan.display["achievements"]  # 呼和浩特 claims honours in its 业绩 cell


def test_rule_injections_match_the_notices() -> None:
    plan = make_plan(PacketSpec("r1", "liangping-2023", seed=1, inject=("TEAM_SIZE_OUT_OF_RANGE", "TEXT_LENGTH:deeds_material")))
    assert not 3 <= plan.truth["studio_team_size"] <= 15
    n = sum(len(compact(p)) for p in plan.deeds)
    assert not 1500 <= n <= 2000
    plan = make_plan(PacketSpec("r2", "lvliang-2025", seed=2, inject=("TRAINING_FUND_BELOW_MIN", "SUBMITTED_LATE")))
    total, high, _ = plan.training_fund
    assert high / total < 0.5 and plan.received_at > DEADLINE["lvliang-2025"]
    plan = make_plan(PacketSpec("r3", "changchun-2025", seed=3, inject=("SUBMITTED_OUTSIDE_WINDOW", "SKILL_LEVEL_INSUFFICIENT")))
    lo, hi = WINDOW["changchun-2025"]
    assert not lo <= plan.received_at.date() <= hi
    order = ["初级工", "中级工", "高级工", "技师", "高级技师"]
    assert order.index(plan.truth["master_skill_level"]) < order.index(MIN_LEVEL["changchun-2025"])
    plan = make_plan(PacketSpec("r4", "hohhot", seed=4, inject=("STUDIO_NAME_FORMAT", "WORK_START_IMPLAUSIBLE", "CONTACT_INVALID:email")))
    assert plan.studio_name != f"呼和浩特市{plan.truth['master_name']}技能大师工作室"
    assert "@" not in plan.truth["email"]
    ws = date.fromisoformat(plan.truth["master_work_start"] + "-01")
    assert ws.year - plan.person.birth.year < 16 or ws > plan.fill_date
    plan = make_plan(PacketSpec("r5", "wuhan-2024", seed=5, inject=("SUMMARY_MISMATCH:master_name", "MISSING_DOCUMENT:police_opinion", "MISSING_FIELD:studio_location")))
    assert plan.summary["master_name"] != plan.truth["master_name"]
    assert "police_opinion" not in plan.documents and plan.truth["studio_location"] is None
    assert {(f["code"], tuple(f["fields"]), tuple(f["documents"])) for f in plan.findings} == {
        ("SUMMARY_MISMATCH", ("master_name",), ("summary_table",)),
        ("MISSING_DOCUMENT", (), ("police_opinion",)),
        ("MISSING_FIELD", ("studio_location",), ()),
    }


@pytest.mark.parametrize(
    ("jurisdiction", "inject"),
    [
        ("lvliang-2025", "AWARD_ORDER"),
        ("wuhan-2024", "TEAM_SIZE_OUT_OF_RANGE"),
        ("hohhot", "SUBMITTED_LATE"),
        ("liangping-2023", "NO_QUALIFYING_HONOUR"),
        ("changchun-2025", "MISSING_FIELD:master_id_number"),
        ("wuhan-2024", "NOT_A_CODE"),
    ],
)
def test_impossible_injections_are_refused(jurisdiction: str, inject: str) -> None:
    with pytest.raises(SpecError):
        make_plan(PacketSpec("bad", jurisdiction, inject=(inject,)))


def test_label_and_value_wording_varies_across_packets() -> None:
    seen: dict[str, set[str]] = {"address": set(), "email": set(), "birth": set(), "level": set()}
    for seed in range(25):
        plan = make_plan(PacketSpec(f"v{seed}", "wuhan-2024", seed=seed))
        seen["address"].add(plan.labels["address"])
        seen["email"].add(plan.labels["email"])
        seen["birth"].add(re.sub(r"\d", "9", plan.display["master_birth"]))
        seen["level"].add(plan.display["master_skill_level"])
        seen.setdefault("birth_label", set()).add(plan.labels["birth"])
        # 出生日期 gives a full date, 出生年月 a year and month; the truth keeps that precision.
        assert (plan.labels["birth"] == "出生日期") == (len(plan.truth["master_birth"]) == 10)
    assert {"通讯地址", "通信地址"} <= seen["address"]
    assert len(seen["email"]) >= 2 and len(seen["birth"]) >= 3 and len(seen["level"]) >= 3
    assert seen["birth_label"] == {"出生年月", "出生日期"}


# --- unreadable and samples ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["empty", "truncated", "not_pdf", "encrypted"])
def test_unreadable_files_do_not_open(kind: str, tmp_path: Path) -> None:
    built = build_unreadable("u-001", "wuhan-2024", tmp_path, kind)
    with pytest.raises(pdfium.PdfiumError):
        pdfium.PdfDocument(str(built.path))
    assert [f["code"] for f in built.truth["findings"]] == ["UNREADABLE_INPUT"]
    assert built.truth["documents"] == [] and built.truth["fields"] == {}


def test_committed_samples_are_consistent() -> None:
    root = REPO / "data" / "samples"
    if not (root / "manifest.csv").is_file():
        pytest.skip("data/samples not generated")
    with (root / "manifest.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert {r["jurisdiction"] for r in rows} == set(JURISDICTIONS)
    total = 0
    for row in rows:
        truth = json.loads((root / "truth" / f"{row['packet_id']}.json").read_text(encoding="utf-8"))
        Result.model_validate(truth)
        assert truth["jurisdiction"] == row["jurisdiction"]
        found = [p for p in (root / "packets").iterdir() if p.name.split(".")[0] == row["packet_id"]]
        assert len(found) == 1, row["packet_id"]
        path = found[0]
        total += sum(f.stat().st_size for f in path.rglob("*")) if path.is_dir() else path.stat().st_size
        if "submission_date" in truth["fields"]:
            assert truth["fields"]["submission_date"]["value"] == row["received_at"][:10]
    assert total < 4 * 1024 * 1024
    with (root / "registry.csv").open(encoding="utf-8") as f:
        registry = {r["id_number"] for r in csv.DictReader(f)}
    for row in rows:
        truth = json.loads((root / "truth" / f"{row['packet_id']}.json").read_text(encoding="utf-8"))
        dup = any(f["code"] == "DUPLICATE_APPLICANT" for f in truth["findings"])
        if truth["fields"]:
            assert (truth["fields"]["master_id_number"]["value"] in registry) == dup


def test_pdf_text_layer_reads_back_cjk(tmp_path: Path) -> None:
    """The font maps back to Unicode: pdfplumber returns the characters drawn, not glyph ids."""
    built = build_packet(PacketSpec("cj-001", "liangping-2023", seed=1), tmp_path)
    with pdfplumber.open(io.BytesIO(built.path.read_bytes())) as pdf:
        words = {w["text"] for w in pdf.pages[0].extract_words()}
    assert "梁平区技能大师工作室" in words or "申" in "".join(words)
    assert built.truth["fields"]["master_name"]["value"] in "".join(words)
