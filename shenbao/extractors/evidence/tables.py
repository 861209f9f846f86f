"""Ruled list tables: the summary table (长春 汇总表, 武汉 一览表, 梁平 汇总表) and 武汉's award table.

The table's cells are rebuilt with the form reader's grid code (rules of a text layer, or the
ruling lines of the page image for a scan). A row whose cells read as column headers starts a
column map (header text → key); every following row with text in a mapped column is one
record, each cell read under the header it sits below (the largest horizontal overlap, so a
header spanning two columns or a slightly shifted photo still lines up). A one-cell row
naming a section ("其它获奖情况"), or such a caption just above the table, sets the section of
the award rows that follow.

Without a grid (rules too faint to find), the header words found on the page give the
columns, and the text below them is put into the column whose header it sits under.

Summary rows are keyed by canonical field names and normalised with normalize_field; award
rows by: project (获奖项目名称), award (奖励名称), issuer (授予单位), grade (等级), rank (排名),
role (角色), year (年度, an int) and section (the table they sit in).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shenbao.extractors.evidence.common import plain_text
from shenbao.extractors.evidence.layout import PageText
from shenbao.extractors.evidence.model import TableRow, Value
from shenbao.extractors.form.grid import Cell, Grid, union_bbox
from shenbao.extractors.normalize import normalize_field
from shenbao.pipeline.types import BBox, Page, TextLine

SUMMARY_HEADERS: dict[str, tuple[str, ...]] = {
    "master_name": ("领办人姓名", "领办人", "专家姓名", "技能大师姓名", "大师姓名", "姓名"),
    "master_id_number": ("证件号码", "身份证号", "身份证号码", "公民身份号码", "身份证件号码"),
    "master_skill_level": (
        "职业资格或技能等级", "职业资格或职业技能等级", "职业技能等级", "技能等级", "技能等级/职称", "技能等级（职称）",
        "职业资格等级", "等级",
    ),
    "unit_name": ("单位名称", "申报单位名称", "申报单位", "单位", "依托单位", "单位全称", "申报单位全称"),
    "unit_credit_code": ("统一社会信用代码", "社会统一信用代码", "信用代码"),
    "master_gender": ("性别",),
    "master_ethnicity": ("民族",),
    "master_birth": ("出生日期", "出生年月"),
    "master_occupation": ("职业工种", "工种", "职业（工种）", "职业(工种)", "从事职业（工种）", "职业"),
    "master_industry": ("所属行业", "行业"),
    "master_political": ("政治面貌",),
    "unit_type": ("单位性质",),
    "unit_is_central_soe": ("是否央企",),
    "studio_team_size": ("规模(人数)", "规模（人数）", "团队人数", "工作室人数", "成员人数"),
    "studio_area_m2": ("面积", "工作室面积"),
    "studio_location": ("地址", "工作室地址", "工作室地点"),
}
AWARD_HEADERS: dict[str, tuple[str, ...]] = {
    "project": ("获奖项目名称", "获奖项目", "项目名称"),
    "award": ("奖励名称", "荣誉名称", "奖项名称", "荣誉称号"),
    "issuer": ("授予单位", "颁发单位", "授奖单位", "发证单位", "颁奖单位"),
    "grade": ("等级", "级别", "奖励等级"),
    "rank": ("排名",),
    "role": ("角色",),
    "year": ("年度", "年份", "获奖年度", "获奖时间", "时间", "授予时间"),
}
_SECTION = re.compile(r"(获奖情况|荣誉情况|奖励情况)")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


def _canon_header(text: str) -> str:
    t = re.sub(r"\s+", "", text)
    t = t.replace("(", "（").replace(")", "）").strip("：:*※")
    return t


def header_key(text: str, headers: dict[str, tuple[str, ...]]) -> str | None:
    """The key a column header names: an exact listed header, else the longest listed header
    that makes up most of it (a header with a note: 技能等级（填写）)."""
    t = _canon_header(text)
    if not t:
        return None
    best: tuple[int, str] | None = None
    for key, labels in headers.items():
        for label in labels:
            lab = _canon_header(label)
            if t == lab:
                return key
            if lab in t and len(lab) >= 0.6 * len(t) and (best is None or len(lab) > best[0]):
                best = (len(lab), key)
    return best[1] if best else None


# --- normalisers --------------------------------------------------------------------------------


def _summary_value(key: str) -> Callable[[str], Any]:
    def read(raw: str) -> Any:
        return normalize_field(key, raw)

    return read


def _year(raw: str) -> int | None:
    m = _YEAR.search(raw.replace(" ", ""))
    return int(m.group(1)) if m else None


def _award_value(key: str) -> Callable[[str], Any]:
    if key == "year":
        return _year
    return plain_text


# --- grid tables ----------------------------------------------------------------------------------


@dataclass
class _Column:
    key: str
    x0: float
    x1: float


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def _cell_value(grid: Grid, cell: Cell, page: int, read: Callable[[str], Any]) -> Value | None:
    raw = cell.text.strip()
    if not raw:
        return None
    try:
        value = read(raw)
    except Exception:
        value = None
    if value is None or value == "":
        return None
    box = cell.text_bbox
    return Value(value=value, raw=raw, page=page, bbox=grid.page_bbox(box) if box else None,
                 confidence=round(cell.confidence, 3))


def _rows_of(grid: Grid) -> list[list[Cell]]:
    by_row: dict[int, list[Cell]] = {}
    for c in grid.cells:
        by_row.setdefault(c.row, []).append(c)
    return [sorted(by_row[r], key=lambda c: c.bbox[0]) for r in sorted(by_row)]


def rows_from_grid(grid: Grid, page: int, doc_type: str, headers: dict[str, tuple[str, ...]],
                   reader: Callable[[str], Callable[[str], Any]], section: Value | None = None) -> list[TableRow]:
    out: list[TableRow] = []
    columns: list[_Column] = []
    header_bottom = -1.0
    for cells in _rows_of(grid):
        keyed = [(c, header_key(c.text, headers)) for c in cells]
        hits = [(c, k) for c, k in keyed if k]
        if len({k for _, k in hits}) >= 2:
            # a header row (a two-level header adds to the columns of the row above it)
            if cells[0].bbox[1] > header_bottom + grid.tolerance:
                columns = []
            known = {col.key for col in columns}
            for c, k in hits:
                if k not in known:
                    columns.append(_Column(k, c.bbox[0], c.bbox[2]))
                    known.add(k)
            header_bottom = max(c.bbox[3] for c, _ in hits)
            continue
        filled = [c for c in cells if c.text.strip()]
        if len(filled) == 1 and _SECTION.search(filled[0].text.replace(" ", "")):
            section = _cell_value(grid, filled[0], page, _section_text)
            columns = []
            continue
        if not columns or (cells and cells[0].bbox[1] < header_bottom - grid.tolerance):
            continue
        record: dict[str, Value] = {}
        for col in columns:
            best = max(cells, key=lambda c: _overlap(c.bbox[0], c.bbox[2], col.x0, col.x1))
            ov = _overlap(best.bbox[0], best.bbox[2], col.x0, col.x1)
            if ov < 0.5 * min(best.width, col.x1 - col.x0):
                continue
            v = _cell_value(grid, best, page, reader(col.key))
            if v is not None:
                record[col.key] = v
        if _is_record(record):
            if section is not None:
                record["section"] = section
            out.append(TableRow(doc_type=doc_type, pages=[page], cells=record))
    return out


def _is_record(record: dict[str, Value]) -> bool:
    # a row holding only a serial number or a lone mark is an empty line of the table
    return len(record) >= 2 or any(len(str(v.value)) >= 2 for v in record.values())


def _section_text(raw: str) -> str | None:
    text = re.sub(r"\s+", "", raw).rstrip("：:")
    return text or None


def _caption_above(grid: Grid, outside: list[TextLine], page: int) -> Value | None:
    top = grid.page_bbox(grid.bbox)[1]
    best: TextLine | None = None
    for ln in outside:
        h = ln.bbox[3] - ln.bbox[1]
        if ln.bbox[3] <= top + 2 and top - ln.bbox[3] < 4 * h and _SECTION.search(ln.text.replace(" ", "")):
            if best is None or ln.bbox[3] > best.bbox[3]:
                best = ln
    if best is None:
        return None
    text = _section_text(best.text)
    if text is None:
        return None
    return Value(value=text, raw=best.text, page=page, bbox=best.bbox, confidence=round(best.confidence, 3))


# --- without a grid -------------------------------------------------------------------------------


def rows_from_text(pt: PageText, doc_type: str, headers: dict[str, tuple[str, ...]],
                   reader: Callable[[str], Callable[[str], Any]]) -> list[TableRow]:
    """Columns from the header words on the page; the text under them, one record per band
    of rows between blank gaps. Used only when no ruled grid was found."""
    rows = pt.rows
    header_ri = None
    cols: list[tuple[str | None, float, float]] = []
    for ri, row in enumerate(rows):
        runs = [(m.start(), m.end()) for m in re.finditer(r"\S+", row.text)]
        found = [(header_key(row.text[a:b], headers), a, b) for a, b in runs]
        if len({k for k, _, _ in found if k}) >= 3:
            header_ri = ri
            for k, a, b in found:
                box = row.span_box(a, b)
                if box is not None:
                    cols.append((k, box[0], box[2]))
            break
    if header_ri is None:
        return []
    cols.sort(key=lambda c: c[1])
    # column bounds: half-way between neighbouring headers
    bounds: list[tuple[str | None, float, float]] = []
    for i, (k, x0, x1) in enumerate(cols):
        left = (cols[i - 1][2] + x0) / 2 if i else float("-inf")
        right = (x1 + cols[i + 1][1]) / 2 if i + 1 < len(cols) else float("inf")
        bounds.append((k, left, right))
    header_bottom = rows[header_ri].bbox[3]
    body = [r for r in rows[header_ri + 1 :] if r.bbox[1] >= header_bottom]
    pieces: dict[str, list[tuple[str, BBox, float]]] = {}
    last_bottom = header_bottom
    h = rows[header_ri].height
    for row in body:
        if row.bbox[1] - last_bottom > 3 * h and pieces:
            break  # a blank band: the record ended (notes under the table follow)
        for m in re.finditer(r"\S+", row.text):
            box = row.span_box(m.start(), m.end())
            if box is None:
                continue
            cx = (box[0] + box[2]) / 2
            for k, left, right in bounds:
                if left <= cx < right and k:
                    conf = row.span_confidence(m.start(), m.end())
                    pieces.setdefault(k, []).append((m.group(0), box, conf))
        last_bottom = row.bbox[3]
    record: dict[str, Value] = {}
    for k, parts in pieces.items():
        raw = "".join(p[0] for p in parts)
        try:
            value = reader(k)(raw)
        except Exception:
            value = None
        if value is None or value == "":
            continue
        record[k] = Value(value=value, raw=raw, page=pt.number, bbox=union_bbox(p[1] for p in parts),
                          confidence=round(min(p[2] for p in parts), 3))
    if not _is_record(record):
        return []
    return [TableRow(doc_type=doc_type, pages=[pt.number], cells=record)]


# --- entry points ---------------------------------------------------------------------------------


def _read_table_pages(pages: list[Page], texts: dict[int, PageText], doc_type: str,
                      headers: dict[str, tuple[str, ...]], reader: Callable[[str], Callable[[str], Any]]) -> list[TableRow]:
    from shenbao.extractors.form.reader import page_layout

    out: list[TableRow] = []
    for page in pages:
        try:
            layout = page_layout(page)
        except Exception:  # an image that cannot be loaded: fall back to the text alone
            layout = None
        got: list[TableRow] = []
        if layout is not None:
            for grid in sorted(layout.grids, key=lambda g: g.bbox[1]):
                section = _caption_above(grid, layout.outside, page.number) if doc_type == "award_table" else None
                got.extend(rows_from_grid(grid, page.number, doc_type, headers, reader, section))
        if not got and page.number in texts:
            got = rows_from_text(texts[page.number], doc_type, headers, reader)
        out.extend(got)
    return out


def read_summary_table(pages: list[Page], texts: dict[int, PageText]) -> list[TableRow]:
    return _read_table_pages(pages, texts, "summary_table", SUMMARY_HEADERS, _summary_value)


def read_award_table(pages: list[Page], texts: dict[int, PageText]) -> list[TableRow]:
    return _read_table_pages(pages, texts, "award_table", AWARD_HEADERS, _award_value)
