from __future__ import annotations

from datetime import datetime

import pytest

from shenbao.models import FieldResult, FindingCode, Result
from shenbao.pipeline.batch_checks import check_duplicate_applicants
from shenbao.pipeline.manifest import TableError, read_manifest, read_registry
from shenbao.pipeline.writer import write_file_atomic, write_packet_dir

MANIFEST = (
    "packet_id,jurisdiction,received_at,recommender\n"
    "a-1,wuhan-2024,2024-06-30T23:59:00,武汉市江岸区人社局\n"
    "a-2,mars,2024-07-01,某局\n"
    "a-3,hohhot,not a date,\n"
)


def test_manifest_utf8_with_bom_and_bad_rows(tmp_path) -> None:
    path = tmp_path / "manifest.csv"
    path.write_bytes(MANIFEST.encode("utf-8-sig"))
    manifest = read_manifest(path)
    assert manifest.rows["a-1"].jurisdiction == "wuhan-2024"
    assert manifest.rows["a-1"].received_at == datetime(2024, 6, 30, 23, 59)
    assert manifest.rows["a-1"].recommender == "武汉市江岸区人社局"
    assert manifest.rows["a-2"].jurisdiction is None
    assert manifest.rows["a-3"].received_at is None
    assert any("mars" in p for p in manifest.problems)
    assert any("not a date" in p for p in manifest.problems)


def test_manifest_saved_by_excel_as_gbk(tmp_path) -> None:
    path = tmp_path / "manifest.csv"
    path.write_bytes(MANIFEST.encode("gbk"))
    assert read_manifest(path).rows["a-1"].recommender == "武汉市江岸区人社局"


def test_manifest_without_packet_id_column_is_refused(tmp_path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("id,when\nx,y\n", encoding="utf-8")
    with pytest.raises(TableError, match="packet_id"):
        read_manifest(path)


def test_registry_upper_cases_id_numbers(tmp_path) -> None:
    path = tmp_path / "registry.csv"
    path.write_text(
        "name,id_number,jurisdiction,studio,year\n张三,11010519491231002x,hohhot,张三工作室,2019\n", "utf-8"
    )
    entry = read_registry(path).rows[0]
    assert entry.id_number == "11010519491231002X" and entry.year == 2019


def test_packet_dir_is_replaced_whole(tmp_path) -> None:
    target = tmp_path / "out" / "p1"
    write_packet_dir(target, {"result.json": '{"v": 1}', "extra.txt": "old"})
    write_packet_dir(target, {"result.json": '{"v": 2}'})
    assert (target / "result.json").read_text() == '{"v": 2}'
    assert not (target / "extra.txt").exists()  # no mix of old and new outputs
    assert [p.name for p in target.parent.iterdir()] == ["p1"]  # no temp folders left


def test_stale_temp_folders_of_a_crashed_write_are_cleaned(tmp_path) -> None:
    (tmp_path / ".tmp-p1.deadbeef").mkdir()
    (tmp_path / ".tmp-p1.deadbeef" / "result.json").write_text("half")
    write_packet_dir(tmp_path / "p1", {"result.json": "{}"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p1"]


def test_write_file_atomic_replaces_content(tmp_path) -> None:
    path = tmp_path / "a" / "x.json"
    write_file_atomic(path, "1")
    write_file_atomic(path, "2")
    assert path.read_text() == "2"
    assert [p.name for p in path.parent.iterdir()] == ["x.json"]


def _result(packet_id: str, id_number: str | None) -> Result:
    fields = {"master_id_number": FieldResult(value=id_number, page=2)} if id_number else {}
    return Result(packet_id=packet_id, fields=fields)


def test_duplicate_applicants_in_batch_and_registry(tmp_path) -> None:
    registry_path = tmp_path / "registry.csv"
    registry_path.write_text(
        "name,id_number,jurisdiction,studio,year\n李四,110105194912310029,hohhot,李四技能大师工作室,2018\n",
        "utf-8",
    )
    results = [
        _result("p1", "11010519491231002X"),
        _result("p2", "11010519491231002x".upper()),
        _result("p3", "110105194912310029"),
        _result("p4", "110105194912310037"),
        _result("p5", None),
    ]
    changed = check_duplicate_applicants(results, read_registry(registry_path))
    assert changed == {"p1", "p2", "p3"}
    for result in results[:3]:
        (finding,) = result.findings
        assert finding.code == FindingCode.DUPLICATE_APPLICANT
        assert finding.fields == ["master_id_number"] and finding.pages == [2]
    assert "p2" in results[0].findings[0].message
    assert "李四技能大师工作室" in results[2].findings[0].message
    assert not results[3].findings and not results[4].findings


def test_a_new_rule_pack_file_is_a_known_jurisdiction(tmp_path) -> None:
    """Next year's notice is a new data file: the manifest accepts its key without code changes."""
    path = tmp_path / "manifest.csv"
    path.write_text("packet_id,jurisdiction,received_at,recommender\nn-1,wuhan-2026,2026-05-01,局\n", "utf-8")
    assert read_manifest(path).rows["n-1"].jurisdiction is None
    manifest = read_manifest(path, jurisdictions=["wuhan-2024", "wuhan-2026"])
    assert manifest.rows["n-1"].jurisdiction == "wuhan-2026" and not manifest.problems
    assert Result(packet_id="n-1", jurisdiction="wuhan-2026").jurisdiction == "wuhan-2026"
    with pytest.raises(ValueError):
        Result(packet_id="n-1", jurisdiction="Wuhan 2026!")
