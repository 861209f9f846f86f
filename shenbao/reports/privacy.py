"""身份证号 masked wherever a person reads without needing it: report.html, index.html,
summary.xlsx, summary.csv and the log. The full number stays in result.json, audit.jsonl and
the results store, which the roles that need it read (issue #22).

A number is found in any text by its shape: six region digits, a birth date (19xx/20xx, month
01-12, day 01-31), three digits and a check character, standing alone (no digit either side).
Its check digit is not required: a misread number is as personal as a right one. A bank account
or a phone number does not carry a date in the middle, so it is left as it is. Shown as its
region and its last four: 420106********1795.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from markupsafe import Markup

ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx](?![0-9A-Za-z])")


def mask_id_numbers(text: str) -> str:
    """`text` with every 18-character ID number shown as its region and last four."""
    return ID_NUMBER.sub(lambda m: m.group(0)[:6] + "*" * 8 + m.group(0)[-4:], text)


def masked(value: Any) -> Any:
    """A value as a person reads it: text with ID numbers masked (markup stays markup)."""
    if isinstance(value, Markup):
        return Markup(mask_id_numbers(str(value)))
    if isinstance(value, str):
        return mask_id_numbers(value)
    return value


def mask_workbook(workbook: Any) -> int:
    """Mask the ID numbers in every text cell of an openpyxl workbook; the count changed."""
    changed = 0
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and ID_NUMBER.search(cell.value):
                    cell.value = mask_id_numbers(cell.value)
                    changed += 1
    return changed


class MaskIdNumbers(logging.Filter):
    """A log filter: a record's message is logged with its ID numbers masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if ID_NUMBER.search(message):
            record.msg, record.args = mask_id_numbers(message), None
        return True
