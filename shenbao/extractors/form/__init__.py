"""The application form (申报表) and its cover, read into canonical fields.

    from shenbao.extractors.form import read_form, read_label_fields
    fields = read_form(cover_and_form_pages, "wuhan-2024")   # dict[str, FieldRead]
    fields["master_birth"].value, .raw, .page, .bbox, .confidence
    fields[AWARDS_CLAIMED].value                              # list[ClaimedAward]
    read_label_fields(report_pages, {"studio_name"})          # 申办工作室名称 of a 申报书

Modules: grid (cells with spans), grid_text (from PDF rules and words), grid_image (from a page
image and OCR lines), labels (label -> key, data/labels.yaml), cover ("label：value" lines),
ocrtext (seal lettering and specks), reader (label -> value, provenance, awards, team size).
"""

from __future__ import annotations

from shenbao.extractors.form.reader import (
    AWARDS_CLAIMED,
    AWARDS_RAW,
    ClaimedAward,
    FieldRead,
    read_form,
    read_label_fields,
    split_claims,
)

__all__ = [
    "AWARDS_CLAIMED",
    "AWARDS_RAW",
    "ClaimedAward",
    "FieldRead",
    "read_form",
    "read_label_fields",
    "split_claims",
]
