"""Recommenders' quotas over a batch (warnings for the batch report, not packet findings)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from shenbao.models.result import FieldResult, Jurisdiction, Result
from shenbao.pipeline.manifest import ManifestEntry, read_manifest
from shenbao.rules.quotas import check_quotas


def _batch(rows: list[tuple[str, str, str | None, str | None]]):
    """rows: (packet_id, jurisdiction, recommender, unit_name)"""
    results, manifest = [], {}
    for pid, j, rec, unit in rows:
        fields = {"unit_name": FieldResult(value=unit)} if unit else {}
        results.append(Result(packet_id=pid, jurisdiction=j, fields=fields))
        manifest[pid] = ManifestEntry(pid, Jurisdiction(j), datetime(2025, 5, 1, 9, 0), rec)
    return results, manifest


def test_lvliang_three_per_county_one_per_city_unit() -> None:
    county = "交城县人力资源和社会保障局"
    city_level = "汾阳市人力资源和社会保障局"  # a county-level city: the county quota
    rows = [(f"c{i}", "lvliang-2025", county, None) for i in range(3)]
    rows += [(f"f{i}", "lvliang-2025", city_level, None) for i in range(4)]
    rows += [("g0", "lvliang-2025", "吕梁市教育局", None)]
    rows += [(f"s{i}", "lvliang-2025", "吕梁市国资委", None) for i in range(2)]
    warnings = check_quotas(*_batch(rows))
    got = {(w.key, w.count, w.limit) for w in warnings}
    assert got == {(city_level, 4, 3), ("吕梁市国资委", 2, 1)}
    w = next(w for w in warnings if w.key == "吕梁市国资委")
    assert w.packet_ids == ("s0", "s1")
    assert w.rule == "lvliang-2025/quotas[0]" and "市直各主管部门、企业、院校限报1个" in w.citation
    assert "2" in w.message and "1" in w.message
    assert w.to_dict()["packet_ids"] == ["s0", "s1"]


def test_changchun_two_per_recommender_and_no_recommender_is_no_group() -> None:
    rows = [(f"a{i}", "changchun-2025", "长春市教育局", None) for i in range(2)]
    rows += [(f"b{i}", "changchun-2025", "长春市国资委", None) for i in range(3)]
    rows += [(f"n{i}", "changchun-2025", "—", None) for i in range(5)]
    rows += [(f"m{i}", "changchun-2025", None, None) for i in range(5)]
    assert [(w.key, w.count) for w in check_quotas(*_batch(rows))] == [("长春市国资委", 3)]


def test_liangping_one_per_unit_and_jurisdictions_without_quotas() -> None:
    rows = [("p1", "liangping-2023", "梁平区经济和信息化委员会", "重庆恒昌竹艺有限公司"),
            ("p2", "liangping-2023", "梁平区经济和信息化委员会", "重庆恒昌竹艺 有限公司"),
            ("p3", "liangping-2023", "梁平区经济和信息化委员会", "重庆瑞通餐饮管理有限公司")]
    rows += [(f"h{i}", "hohhot", "新城区人力资源和社会保障局", "同一公司") for i in range(6)]
    rows += [(f"w{i}", "wuhan-2024", "武汉市国资委", "同一公司") for i in range(6)]
    warnings = check_quotas(*_batch(rows))
    assert [(w.jurisdiction, w.per, w.key, w.packet_ids) for w in warnings] == [
        ("liangping-2023", "unit_name", "重庆恒昌竹艺有限公司", ("p1", "p2"))
    ]


def test_jurisdiction_from_the_manifest_when_the_result_has_none() -> None:
    results, manifest = _batch([(f"x{i}", "changchun-2025", "长春市国资委", None) for i in range(3)])
    for r in results:
        r.jurisdiction = None
    assert [w.count for w in check_quotas(results, manifest)] == [3]
    assert check_quotas(results, None) == []


def test_bundled_samples_quota() -> None:
    samples = Path(__file__).resolve().parents[1] / "data" / "samples"
    manifest = read_manifest(samples / "manifest.csv")
    results = [Result.from_json(p.read_text(encoding="utf-8")) for p in sorted((samples / "truth").glob("*.json"))]
    # 吕梁市教育局 put forward two packets (lvl-s001, lvl-s006): over the 市直 limit of one.
    assert [(w.key, w.packet_ids) for w in check_quotas(results, manifest)] == [("吕梁市教育局", ("lvl-s001", "lvl-s006"))]
