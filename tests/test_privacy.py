"""身份证号 only where a role needs it (issue #22): masked in report.html, index.html,
summary.xlsx, summary.csv and the log; whole in result.json."""

from __future__ import annotations

import logging

from openpyxl import load_workbook

from shenbao.models import FieldResult, Finding, FindingCode, Result
from shenbao.reports import write_batch_summary
from shenbao.reports.privacy import MaskIdNumbers, mask_id_numbers

ID = "42010619670903179X"
SHOWN = "420106********179X"


def test_an_id_number_shows_its_region_and_last_four():
    assert mask_id_numbers(f"身份证号{ID}校验位不符") == f"身份证号{SHOWN}校验位不符"
    assert mask_id_numbers(ID.lower()) == SHOWN.lower()
    assert mask_id_numbers("420106196709031795，420106196709031796") == "420106********1795，420106********1796"


def test_numbers_that_are_no_id_are_left_alone():
    for text in ("9082505546013912469",  # a 19-digit bank account
                 "123456789012345678",  # 18 digits, no birth date inside
                 "0358-6098461", "91310000570770808H",  # phone, credit code
                 "A42010619670903179X"):  # part of a longer code
        assert mask_id_numbers(text) == text


def test_summary_files_hold_no_whole_id_number(tmp_path):
    result = Result(packet_id="p-1", jurisdiction="changchun-2025",
                    fields={"master_name": FieldResult(value="王建国"), "master_id_number": FieldResult(value=ID)},
                    findings=[Finding.make(FindingCode.ID_CHECKSUM_INVALID, f"身份证号 {ID} 校验位不符",
                                           fields=["master_id_number"])])
    write_batch_summary(tmp_path, [result], None, [])
    wb = load_workbook(tmp_path / "summary.xlsx")
    cells = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(SHOWN in c for c in cells) and not any(ID in c for c in cells)
    for name in ("summary.csv", "index.html"):
        text = (tmp_path / name).read_bytes().decode("utf-8-sig")
        assert ID not in text, name
    assert SHOWN in (tmp_path / "summary.csv").read_bytes().decode("utf-8-sig")
    assert result.fields["master_id_number"].value == ID  # the result itself keeps it whole


def test_the_log_masks_them():
    record = logging.LogRecord("shenbao.flows", logging.WARNING, __file__, 1, "duplicate leader %s in %s",
                               (ID, "p-1"), None)
    assert MaskIdNumbers().filter(record)
    assert record.getMessage() == f"duplicate leader {SHOWN} in p-1"
