"""Evidence fields in the contract (RESULT.md "Evidence fields"): every evidence document of a
reviewed packet carries every key of its type, with page, box and confidence, agreeing with
what the fixture printed; other documents carry none; the report shows them beside the form."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shenbao.fixtures import PacketSpec, build_packet
from shenbao.models import EVIDENCE_FIELD_KEYS, Document, FieldResult, Result
from shenbao.pipeline.review import review_packet
from shenbao.reports.evidence_view import evidence_rows


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory):
    root = tmp_path_factory.mktemp("contract")
    built = build_packet(PacketSpec("t-evidence", "lvliang-2025", seed=11), root / "packets", "text_pdf",
                         truth_dir=root / "truth")
    return review_packet(built.path).result, built.truth


def test_every_evidence_document_has_every_key_of_its_type(reviewed):
    result, _ = reviewed
    evidence = [d for d in result.documents if str(d.type) in EVIDENCE_FIELD_KEYS]
    assert {str(d.type) for d in evidence} >= {"id_card", "qualification_certificate", "honour_certificate"}
    for d in result.documents:
        if str(d.type) in EVIDENCE_FIELD_KEYS:
            assert list(d.fields) == list(EVIDENCE_FIELD_KEYS[str(d.type)])
        else:
            assert d.fields is None
    data = json.loads(result.to_json())
    for d in data["documents"]:
        assert ("fields" in d) == (d["type"] in EVIDENCE_FIELD_KEYS)


def test_evidence_values_are_what_the_documents_print(reviewed):
    result, truth = reviewed
    form = truth["fields"]
    card = next(d for d in result.documents if str(d.type) == "id_card")
    assert card.fields["name"].value == form["master_name"]["value"]
    assert card.fields["id_number"].value == form["master_id_number"]["value"]
    assert card.fields["birth"].value.startswith(form["master_birth"]["value"])
    name = card.fields["name"]
    assert name.page in card.pages and name.bbox is not None and name.confidence is not None
    qual = next(d for d in result.documents if str(d.type) == "qualification_certificate")
    assert qual.fields["holder"].value == form["master_name"]["value"]
    assert qual.fields["level"].value == form["master_skill_level"]["value"]
    honours = [d for d in result.documents if str(d.type) == "honour_certificate"]
    claimed = {(a["title"], a["year"]) for a in truth["awards"]}
    assert {(d.fields["title"].value, d.fields["year"].value) for d in honours} & claimed


def test_the_result_reads_back_with_its_evidence_fields(reviewed):
    result, _ = reviewed
    again = Result.from_json(result.to_json())
    assert [d.fields for d in again.documents] == [d.fields for d in result.documents]


def test_the_report_shows_each_value_beside_the_forms():
    result = Result(packet_id="x", fields={"master_name": FieldResult(value="王建国"),
                                           "master_birth": FieldResult(value="1979-03")})
    card = Document(type="id_card", pages=[6], fields={
        "name": FieldResult(value="王建图", page=6, confidence=0.7), "birth": FieldResult(value="1979-03-05"),
        "address": None})
    rows = {r.label: r for r in evidence_rows(card, result)}
    assert rows["姓名"].agrees is False and rows["姓名"].form_value == "王建国"
    assert rows["出生"].agrees is True
    assert rows["住址/住所"].value == "—" and rows["住址/住所"].agrees is None


def test_the_report_html_lists_evidence_values(tmp_path: Path):
    from shenbao.reports.packet_report import render_packet_report
    from tests._report_packets import reviewed_packet

    ctx, _ = reviewed_packet(tmp_path)
    html = render_packet_report(ctx)
    assert 'class="evidence"' in html and "公民身份号码" in html


def test_an_issuer_near_the_one_the_packet_states_is_flagged():
    from shenbao.models import Award
    from shenbao.pipeline.evidence_fields import issuer_crosscheck

    def packet(read: str) -> Result:
        cert = Document(type="honour_certificate", pages=[8], award_index=0,
                        fields={"issuer": FieldResult(value=read, page=8, confidence=0.99)})
        return Result(packet_id="x", documents=[cert],
                      awards=[Award(claimed_text="三晋技术能手", issuer="山西省人力资源和社会保障厅")])

    flagged = issuer_crosscheck(packet("山西省人力资源和社会保障局"))
    assert [f.fields for f in flagged] == [["documents[0].fields.issuer"]]
    assert issuer_crosscheck(packet("山西省人力资源和社会保障厅")) == []
    assert issuer_crosscheck(packet("中华全国总工会")) == []  # another body: not a misread


def test_an_issuer_cut_short_is_shown_as_unsure():
    from shenbao.extractors.evidence.model import CertificateRead, Evidence, Value
    from shenbao.pipeline.evidence_fields import fill_document_fields
    from shenbao.pipeline.types import Page, PageKind

    page = Page(number=3, kind=PageKind.SCAN, source="t", width=1000, height=1000)

    def findings(issuer: str) -> list:
        cert = CertificateRead(doc_type="title_certificate", pages=[3],
                               issuer=Value(value=issuer, raw=issuer, page=3, confidence=0.99))
        documents = [Document(type="title_certificate", pages=[3])]
        return fill_document_fields(documents, Evidence(certificates=[cert]), [page])

    assert [f.fields for f in findings("昆明市建筑施工专业中级")] == [["documents[0]"]]
    assert findings("昆明市建筑施工专业中级职称评审委员会") == []
