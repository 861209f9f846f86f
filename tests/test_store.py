"""The results store: results go into SQLite (or PostgreSQL) and come back whole."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from shenbao.fixtures import PacketSpec, build_packet
from shenbao.flows.hashing import content_sha256
from shenbao.flows.store import ResultStore, db_url_for
from shenbao.models import FieldResult, Finding, FindingCode, Result
from shenbao.pipeline.review import review_packet


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory) -> tuple[Result, str]:
    root = tmp_path_factory.mktemp("store")
    built = build_packet(PacketSpec("st-whu", "wuhan-2024", seed=21), root / "packets", "text_pdf",
                         truth_dir=root / "truth")
    ctx = review_packet(built.path)
    assert ctx.result.fields and ctx.result.awards and ctx.result.documents
    return ctx.result, content_sha256(built.path)


def _counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        return {
            table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("packets", "documents", "fields", "awards", "findings", "reviewer_decisions", "audit_events")
        }


def test_a_result_is_stored_and_read_back_unchanged(reviewed, tmp_path) -> None:
    result, sha = reviewed
    store = ResultStore.open(None, tmp_path)
    stored = store.save_result(result, sha, source_name="st-whu.pdf", batch="b1", status="ok", pages=12)
    assert stored.created and stored.changed
    back = store.read_result(result.packet_id)
    # rebuilt from the part tables alone, equal to the original, and the same result.json text
    assert back == result
    assert back.to_json() == result.to_json()
    assert store.read_result_json(result.packet_id) == result.to_json()
    counts = _counts(tmp_path / "shenbao.sqlite")
    assert counts["documents"] == len(result.documents)
    assert counts["fields"] == len(result.fields)
    assert counts["awards"] == len(result.awards)
    assert counts["findings"] == len(result.findings)
    store.close()


def test_field_values_keep_their_type(tmp_path) -> None:
    result = Result(
        packet_id="types",
        fields={
            "studio_team_size": FieldResult(value=12, page=2, bbox=[1.5, 2.0, 30.0, 40.25], confidence=0.93),
            "studio_area_m2": FieldResult(value=85.5, page=2),
            "unit_name": FieldResult(value="某某有限公司"),
            "fax": FieldResult(value=None),
        },
        # keys beyond the contract's own (a rule pack's citation) are kept, on any part
        findings=[Finding.make(FindingCode.TEAM_SIZE_OUT_OF_RANGE, "团队人数不足", fields=["studio_team_size"],
                               citation="通知第三条", rule="liangping-2023/team")],
    )
    store = ResultStore.open(tmp_path / "t.sqlite")
    store.save_result(result, "0" * 64)
    back = store.read_result("types")
    assert back == result
    assert isinstance(back.fields["studio_team_size"].value, int)
    assert isinstance(back.fields["studio_area_m2"].value, float)
    assert back.findings[0].model_extra == {"citation": "通知第三条", "rule": "liangping-2023/team"}
    store.close()


def test_saving_again_upserts_and_keeps_reviewer_decisions(reviewed, tmp_path) -> None:
    result, sha = reviewed
    store = ResultStore.open(None, tmp_path)
    store.save_result(result, sha, batch="b1")
    store.add_decision(result.packet_id, "accept", "审核员甲", finding_code="LOW_CONFIDENCE", note="已核对")
    again = store.save_result(result, sha, batch="b1")
    assert not again.created and not again.changed
    before = _counts(tmp_path / "shenbao.sqlite")
    assert before["packets"] == 1 and before["fields"] == len(result.fields)

    # a batch check adds a finding: the same row is updated, its parts replaced, not duplicated
    changed = result.model_copy(deep=True)
    changed.findings.append(Finding.make(FindingCode.DUPLICATE_APPLICANT, "同一身份证号"))
    update = store.save_result(changed, sha, batch="b1", event="batch-check")
    assert not update.created and update.changed and update.pk == again.pk
    after = _counts(tmp_path / "shenbao.sqlite")
    assert after["packets"] == 1
    assert after["findings"] == len(result.findings) + 1
    assert after["fields"] == len(result.fields)
    assert after["reviewer_decisions"] == 1
    assert store.read_result(result.packet_id) == changed
    assert [d.reviewer for d in store.decisions(result.packet_id)] == ["审核员甲"]
    events = [e.event for e in store.audit_events(result.packet_id)]
    assert events == ["processed", "decision", "processed", "batch-check"]
    store.close()


def test_other_content_under_the_same_id_is_a_new_row(reviewed, tmp_path) -> None:
    result, sha = reviewed
    store = ResultStore.open(None, tmp_path)
    store.save_result(result, sha)
    newer = result.model_copy(deep=True)
    newer.fields["unit_name"] = FieldResult(value="另一家单位")
    store.save_result(newer, "f" * 64)
    assert sorted(store.packet_ids()) == sorted([(result.packet_id, sha), (result.packet_id, "f" * 64)])
    assert store.read_result(result.packet_id) == newer  # the latest
    assert store.read_result(result.packet_id, sha) == result
    store.close()


def test_auditors_can_query_award_claims_across_batches(reviewed, tmp_path) -> None:
    result, sha = reviewed
    title = result.awards[0].title
    assert title
    store = ResultStore.open(None, tmp_path)
    store.save_result(result, sha, batch="b1")
    other = result.model_copy(deep=True)
    other.packet_id = "st-other"
    store.save_result(other, "e" * 64, batch="b2")
    claims = store.award_claims(title)
    assert {c["packet_id"] for c in claims} == {result.packet_id, "st-other"}
    # the same with plain SQL, as an auditor would
    with sqlite3.connect(tmp_path / "shenbao.sqlite") as conn:
        rows = conn.execute(
            "SELECT p.packet_id, p.batch FROM awards a JOIN packets p ON p.id = a.packet_pk "
            "WHERE a.title = ? ORDER BY p.packet_id", (title,)
        ).fetchall()
    assert rows == [("st-other", "b2"), ("st-whu", "b1")]
    store.close()


def test_db_url_for_paths_urls_and_the_environment(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("SHENBAO_DB_URL", raising=False)
    assert db_url_for(None, tmp_path) == f"sqlite:///{(tmp_path / 'shenbao.sqlite').resolve()}"
    assert db_url_for(tmp_path / "x.db") == f"sqlite:///{(tmp_path / 'x.db').resolve()}"
    assert db_url_for("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    monkeypatch.setenv("SHENBAO_DB_URL", "sqlite:////tmp/elsewhere.sqlite")
    assert db_url_for(None, tmp_path) == "sqlite:////tmp/elsewhere.sqlite"
    monkeypatch.delenv("SHENBAO_DB_URL")
    with pytest.raises(ValueError):
        db_url_for(None, None)


@pytest.mark.skipif(not os.environ.get("SHENBAO_TEST_PG_URL"), reason="SHENBAO_TEST_PG_URL not set")
def test_postgresql_round_trip(reviewed) -> None:
    """Against a real PostgreSQL (SHENBAO_TEST_PG_URL=postgresql+psycopg://…, psycopg installed)."""
    from sqlalchemy import text

    result, sha = reviewed
    store = ResultStore(os.environ["SHENBAO_TEST_PG_URL"])
    try:
        store.save_result(result, sha, batch="pg")
        store.save_result(result, sha, batch="pg")
        assert store.read_result(result.packet_id, sha) == result
        with store.engine.connect() as conn:
            n = conn.execute(
                text("SELECT COUNT(*) FROM packets WHERE packet_id = :p AND input_sha256 = :s"),
                {"p": result.packet_id, "s": sha},
            ).scalar()
        assert n == 1
    finally:
        with store.session() as session:
            from shenbao.flows.store import AuditEventRow, PacketRow

            session.query(AuditEventRow).filter(AuditEventRow.packet_id == result.packet_id).delete()
            session.query(PacketRow).filter(PacketRow.packet_id == result.packet_id).delete()
        store.close()
