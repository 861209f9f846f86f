"""Read the application form (申报表) and its cover into canonical fields.

Input: the pages of the cover and the form (and 武汉's award-table page), text layer or scan.
Each page's ruled tables are rebuilt as cells (`grid_text` / `grid_image`); cells whose text
reads as a label (`labels`) give their value from the cell(s) to their right, or from the cell
below where a row holds only labels (a header row). Labels that mean different things in
different rows ("办公电话" of the unit head or of the contact person) are resolved by the labels
to their left in the same row. Lists under a header row are read as lists: a member list gives
the team size, an award table the claimed honours. Text outside the tables is read as
"label：value" lines (the cover's underlined fields, "填报时间：…" above a form).

Where a value is written twice (cover and form): on a text layer the first page wins, as the
truth counts it; between OCR readings the fuller one (OCR loses characters under seals), else
the more certain one. Confidence is the lowest OCR confidence among the text lines a value was
read from (1.0 for a text layer), cut by SEAL_PENALTY where a seal covers the value. `bbox` and
`page` say where the value is written, in the page's own units (pt, or px of the corrected
page image).

Input pages: the cover, the 申报表 and (武汉) the award-table page, in any order. The 申报书's
申办工作室名称 line is read separately by `read_label_fields`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from shenbao.extractors.form import names, placenames, typed
from shenbao.extractors.form.cellread import CellReadSettings, mend_punctuation, reread_cells
from shenbao.extractors.form.cover import read_label_lines, read_label_pairs, remove_seal_marks
from shenbao.extractors.form.gapread import mend_gaps
from shenbao.extractors.form.grid import Cell, Grid, group_rows, hard_break_text, union_bbox
from shenbao.extractors.form.grid_image import grids_from_image, text_unit
from shenbao.extractors.form.grid_text import grids_from_rulings
from shenbao.extractors.form.labels import LabelMatch, LabelTable, compact
from shenbao.extractors.form.ocrtext import overlaps, split_ocr_lines
from shenbao.extractors.form.scanmarks import close_brackets, drop_count_points
from shenbao.extractors.normalize import SHAPED_KEYS, normalize_field, normalize_text
from shenbao.extractors.ocr.base import OcrEngine
from shenbao.extractors.ocr.fluent import Refined, refine_lines
from shenbao.models import FIELD_KEYS
from shenbao.pipeline.types import BBox, Page, PageKind, TextLine
from shenbao.rules import validators

AWARDS_RAW = "awards_raw"  # the honours cell as written (line breaks kept)
AWARDS_CLAIMED = "awards_claimed"  # value: list[ClaimedAward], one per honour, form order

# Confidence factor for a value read from under a seal.
SEAL_PENALTY = 0.85

# Keys read from the form that are not result fields; they feed other values or stop runs.
_BANK_PARTS = ("_bank_name", "_bank_holder", "_bank_number")


@dataclass
class FieldRead:
    value: Any  # normalised (str | int | float | list[ClaimedAward] | None)
    raw: str  # the text it came from (cell text, visual rows separated by "\n")
    page: int
    bbox: BBox | None  # page units of `page`
    confidence: float  # min OCR confidence of the lines used; 1.0 on a text layer
    label: str = ""  # the label text it was read under
    reread_from: str | None = None  # the plain OCR reading the value replaced (`typed`)
    reread_why: str = ""  # why it was read again, for the reviewer


@dataclass
class ClaimedAward:
    """One honour as the form claims it (before matching it against the recognised list)."""

    claimed_text: str
    year: int | None = None
    section: str | None = None  # the award table it sits in (武汉: 省部级获奖情况 / 其它获奖情况)
    issuer: str | None = None
    grade: str | None = None  # 等级 column of an award table
    page: int = 0
    bbox: BBox | None = None
    confidence: float = 1.0


@dataclass
class _Read:
    key: str
    raw: str
    page: int
    bbox: BBox | None
    confidence: float
    label: str
    count: int | None = None  # a team size counted from a list
    awards: list[ClaimedAward] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)  # the value cells it came from
    reread_from: str | None = None  # the plain reading, when the value was read again (`typed`)
    reread_why: str = ""
    grid: Grid | None = None  # where its cells are, for reading a scanned value again
    layout: PageLayout | None = None


@dataclass
class PageLayout:
    page: Page
    grids: list[Grid]
    outside: list[TextLine]
    seals: list[BBox] = field(default_factory=list)  # regions a seal covers (OCR is unsure there)
    # A scanned page read with a cell reader: its corrected image and text height, for reading
    # typed values again under their grammar.
    image: np.ndarray | None = None
    unit: float = 0.0
    reader: CellReader | None = None
    refined: list[Refined] = field(default_factory=list)  # lines read again with the bigram model


@dataclass(frozen=True)
class CellReader:
    """Read a scanned form's cells a second time, cell by cell (see `cellread`)."""

    engine: OcrEngine
    settings: CellReadSettings = field(default_factory=CellReadSettings)


def page_layout(page: Page, cells: CellReader | None = None) -> PageLayout:
    """The page's ruled tables with its text put into their cells, and the text outside them.
    With `cells`, a scanned page's doubtful lines are first decoded again with the character
    bigram model (`fluent`), and its cells are read again from the image once the grid is known."""
    if page.kind == PageKind.SCAN:
        lines, seals = split_ocr_lines(page.lines)
        image = None
        if page.load_image is not None:
            try:
                image = page.load_image()
            except Exception:  # an unreadable image: no grid, the lines are read as label lines
                image = None
        if image is not None:
            refined: list[Refined] = []
            if cells is not None and cells.settings.refine_lines:
                lines, refined = refine_lines(lines, image, cells.engine)
            grids, outside = grids_from_image(image, lines, page.number)
            if cells is None:
                return PageLayout(page, grids, outside, seals)
            unit = text_unit(lines, image.shape[1])
            if grids:
                reread_cells(grids, image, cells.engine, unit, cells.settings)
                if cells.settings.mend_punctuation:
                    mend_punctuation(grids, image, cells.engine, unit, cells.settings)
            if cells.settings.mend_gaps:
                outside = mend_gaps(outside, image, cells.engine, unit, seals=seals)
            return PageLayout(page, grids, outside, seals, image=image, unit=unit, reader=cells,
                              refined=refined)
        return PageLayout(page, [], lines, seals)
    grids, outside = grids_from_rulings(page.rulings, page.lines, page.number)
    return PageLayout(page, grids, outside)


def read_form(pages: list[Page], jurisdiction: str | None = None,
              labels: LabelTable | None = None, cells: CellReader | None = None) -> dict[str, FieldRead]:
    """Canonical fields (plus AWARDS_RAW / AWARDS_CLAIMED) read from cover and form pages."""
    table = labels or LabelTable.load()
    layouts = [page_layout(p, cells) for p in sorted(pages, key=lambda p: p.number)]
    return read_layouts(layouts, jurisdiction, table)


def read_label_fields(pages: list[Page], keys: set[str], jurisdiction: str | None = None,
                      labels: LabelTable | None = None) -> dict[str, FieldRead]:
    """Only the given keys, from "label：value" lines of prose pages: the 申办工作室名称 of a
    申报书 (studio_name). No table reading, no images: prose pages have neither."""
    table = labels or LabelTable.load()
    reads: list[_Read] = []
    for page in sorted(pages, key=lambda p: p.number):
        lines = split_ocr_lines(page.lines)[0] if page.kind == PageKind.SCAN else page.lines
        reads += [r for r in _read_outside(PageLayout(page, [], lines), table, jurisdiction) if r.key in keys]
    return _combine(reads)


def read_layouts(layouts: list[PageLayout], jurisdiction: str | None, table: LabelTable) -> dict[str, FieldRead]:
    continuation = link_continuations(layouts)
    reads: list[_Read] = []
    for layout in layouts:
        page_reads = _read_outside(layout, table, jurisdiction)
        for r in page_reads:
            r.layout = layout
        for grid in layout.grids:
            section = _caption_above(grid, layout.outside, table)
            grid_reads = GridReader(grid, table, jurisdiction, section, continuation).read()
            for r in grid_reads:
                r.grid, r.layout = grid, layout
            _reread_typed(grid_reads)
            _reread_names(grid_reads)
            _reread_places(grid_reads)
            page_reads += grid_reads
        for r in page_reads:
            # Text under a seal is where OCR drops and swaps characters.
            if r.bbox is not None and any(overlaps(r.bbox, s) for s in layout.seals):
                r.confidence *= SEAL_PENALTY
        reads += page_reads
    _birth_from_id(reads)
    for r in reads:
        _note_refined(r)
        _mend_marks(r)
    return _combine(reads)


# Why a value was read again (quoted to the reviewer).
REREAD_MALFORMED = "不合该栏格式"
REREAD_BIRTH_FROM_ID = "与身份证号中的出生年月不一致，而图像同样可读作身份证号所示年月"
REREAD_FLUENT = "逐字识别有疑处按常用字词搭配改读"
REREAD_NAME = "姓名逐字识别有疑处按常见姓氏与名字用字改读"
REREAD_BRACKET = "扫描件中括号未闭合，按残缺的右括号补全"
REREAD_COUNT_POINT = "件数、人数等整数中间的小点应是扫描污点，已去掉"


def _rereadable(r: _Read) -> bool:
    """A scanned value alone in its one cell, on a page read with a cell reader (whose
    settings say which re-reads are on)."""
    layout = r.layout
    return (layout is not None and layout.reader is not None and layout.image is not None
            and r.grid is not None
            and len(r.cells) == 1 and "".join(r.cells[0].text.split()) == "".join(r.raw.split()))


def _reread_typed(reads: list[_Read]) -> None:
    """Typed values whose plain reading is malformed, decoded again under their grammar."""
    settings = typed.load_settings()
    for r in reads:
        if not _rereadable(r) or not typed.needs_reread(r.key, _value_of(r), r.raw, settings):
            continue
        assert r.layout is not None and r.layout.reader is not None and r.grid is not None
        if not r.layout.reader.settings.reread_typed:
            continue
        found = typed.reread_value(r.key, r.grid, r.cells[0], r.layout.image, r.layout.reader.engine,
                                   r.layout.unit, settings, r.layout.reader.settings)
        _take(r, found, REREAD_MALFORMED)


def _reread_names(reads: list[_Read]) -> None:
    """Person names read with doubt, decoded again under the name model."""
    settings = names.NameSettings()
    for r in reads:
        if (not _rereadable(r) or r.reread_from is not None
                or not names.needs_reread(r.key, r.raw, r.confidence, settings)):
            continue
        assert r.layout is not None and r.layout.reader is not None and r.grid is not None
        if not r.layout.reader.settings.reread_names:
            continue
        found = names.reread_name(r.grid, r.cells[0], r.layout.image, r.layout.reader.engine,
                                  r.layout.unit, r.raw, settings, r.layout.reader.settings)
        _take(r, found, REREAD_NAME)


def _reread_places(reads: list[_Read]) -> None:
    """Place names one character off a county or city of the place beside them, and a bank's
    name one character off a known bank's, read again as the lists write them where the image
    supports that."""
    settings = placenames.PlaceSettings()
    for r in reads:
        if not _rereadable(r):
            continue
        assert r.layout is not None and r.layout.reader is not None and r.grid is not None
        if not r.layout.reader.settings.reread_places:
            continue
        found = placenames.proposed(r.key, r.raw, settings)
        if not found:
            continue
        reread = placenames.reread_places(r.cells[0], r.layout.image, r.layout.reader.engine, r.raw, found, settings)
        if reread is not None:
            _take(r, reread[0], reread[1])


def _birth_from_id(reads: list[_Read]) -> None:
    """A scanned 出生年月 that disagrees with the valid ID number on the form, read again as
    the ID's month where the image supports that nearly as well as what was read."""
    settings = typed.load_settings()
    if settings.birth_from_id_max_log_ratio is None:
        return
    # An ID number read again is an authority only for birth digits its plain reading already
    # had: two guesses must not agree with each other and hide the ID_BIRTH_MISMATCH that
    # would show one of them wrong.
    months = set()
    for r in reads:
        if r.key != "master_id_number":
            continue
        check = validators.validate_id_number(_value_of(r))
        if not check.valid or check.birth_date is None:
            continue
        if r.reread_from is not None and check.number[6:14] not in "".join(r.reread_from.split()):
            continue
        months.add((check.birth_date.year, check.birth_date.month))
    if len(months) != 1:
        return  # no valid ID number, or two that disagree: nothing to go by
    year, month = months.pop()
    for r in reads:
        if r.key != "master_birth" or not _rereadable(r):
            continue
        value = _value_of(r)
        if value is not None and str(value)[:7] == f"{year:04d}-{month:02d}":
            continue
        assert r.layout is not None and r.layout.reader is not None and r.grid is not None
        if not r.layout.reader.settings.reread_typed:
            continue
        found = typed.reread_as(typed.month_spellings(year, month), settings.birth_from_id_max_log_ratio,
                                r.grid, r.cells[0], r.layout.image, r.layout.reader.engine, r.layout.unit,
                                r.layout.reader.settings)
        _take(r, found, REREAD_BIRTH_FROM_ID)


def _note_refined(r: _Read) -> None:
    """A value that holds lines the bigram model read otherwise keeps the page reading's text
    beside it (`reread_from`), so the reviewer is shown both."""
    layout = r.layout
    if layout is None or not layout.refined or r.reread_from is not None or r.bbox is None:
        return
    value = "".join(r.raw.split())
    before = value
    for refined in layout.refined:
        after = "".join(refined.line.text.split())
        if after and after in before and overlaps(refined.line.bbox, r.bbox):
            before = before.replace(after, "".join(refined.before.split()), 1)
    if before != value:
        r.reread_from, r.reread_why = before, REREAD_FLUENT


def _mend_marks(r: _Read) -> None:
    """A scanned free-text value with a short bracketed note left open, closed, and with points
    inside counts of things dropped (`scanmarks`)."""
    if (r.layout is None or r.layout.page.kind != PageKind.SCAN
            or r.key not in FIELD_KEYS or r.key in SHAPED_KEYS):
        return  # awards are parsed from their text already; a shaped value has its own grammar
    for mend, why in ((close_brackets, REREAD_BRACKET), (drop_count_points, REREAD_COUNT_POINT)):
        mended = mend(r.raw)
        if mended == r.raw or _value_of(replace(r, raw=mended)) == _value_of(r):
            continue  # nothing to mend, or nothing the value shows ("一级（高级技师；" is 高级技师)
        if r.reread_from is None:
            r.reread_from, r.reread_why = r.raw, why
        else:  # the reading it replaced stays the plain one; the reviewer is told of each change
            r.reread_why = f"{r.reread_why}；{why}"
        r.raw = mended


def _take(r: _Read, found: typed.Reread | None, why: str) -> None:
    """The value read again, when it reads other than the plain reading."""
    if found is not None and found.text != r.raw.strip():
        r.reread_from, r.raw, r.reread_why = r.raw, found.text, why
        r.confidence = min(r.confidence, found.confidence)


# --- one grid ---------------------------------------------------------------------------------


class GridReader:
    def __init__(self, grid: Grid, table: LabelTable, jurisdiction: str | None, section: str | None,
                 continuation: dict[int, list[Cell]]) -> None:
        self.grid = grid
        self.table = table
        self.jurisdiction = jurisdiction
        self.section = section
        self.continuation = continuation
        self.match: dict[int, LabelMatch] = {}
        for c in grid.cells:
            if c.text.strip():
                m = table.match(c.text, jurisdiction)
                if m is not None:
                    self.match[id(c)] = m
        self._match_worn_labels()
        self.key: dict[int, str | None] = {}
        self.claimed: set[int] = set()

    def _match_worn_labels(self) -> None:
        """Second look at unmatched cells where a label belongs, with more slack for OCR slips.

        A cell at the table's left edge, or with an unlabelled cell to its right, sits where
        forms put labels; there a badly printed label ("二作室基本没施") may still be read as one,
        or one garbled further ("9分证号") by the kind of value beside it (an ID number), unless
        its key is already taken by a clean label of this table.
        """
        taken = {e.key for m in self.match.values() for e in m.entries}
        left_edge = min((c.bbox[0] for c in self.grid.cells), default=0.0)
        for c in self.grid.cells:
            if id(c) in self.match or not c.text.strip():
                continue
            rights = self.grid.right_of(c)
            at_edge = abs(c.bbox[0] - left_edge) <= self.grid.tolerance
            if not at_edge and not (rights and all(id(r) not in self.match for r in rights)):
                continue
            m = self.table.match(c.text, self.jurisdiction, relaxed=True)
            if m is None and len(rights) == 1:
                m = self.table.match_by_value(c.text, rights[0].text, self.jurisdiction)
            if m is not None and not (m.keys & taken):
                self.match[id(c)] = m
                taken |= m.keys

    def is_label(self, c: Cell) -> bool:
        return id(c) in self.match

    def read(self) -> list[_Read]:
        out: list[_Read] = []
        out += self._read_header_rows()
        for cell in self.grid.ordered():
            if not self.is_label(cell) or id(cell) in self.claimed:
                continue
            key = self._resolve(cell)
            self.key[id(cell)] = key
            values = self._values_of(cell)
            for v in values:
                self.claimed.add(id(v))
            if key is None or key == "_ignore" or key.startswith(("_col", "_award_")):
                continue
            read = self._read_of(key, cell, values)
            if not read.raw.strip():
                read = self._value_in_label(key, cell) or read
            out.append(read)
        out += self._read_inline_labels()
        return out

    def _value_in_label(self, key: str, label: Cell) -> _Read | None:
        """A value written in its label's own cell ("参加工作时间 1988年07月" with the cell beside
        it empty: on a worn copy the rule between them was lost, and the grid made them one
        cell). Only for a field whose value has a shape the rest of the cell must have; a
        label's own note ("（区级以上）") is no value."""
        if key not in SHAPED_KEYS:
            return None
        alias = self.match[id(label)].alias
        text = label.text.strip()
        if not compact(text).startswith(alias):
            return None
        seen = 0
        for i, ch in enumerate(text):  # where the alias ends in the text as written
            seen += bool(compact(ch))
            if seen == len(alias):
                rest = text[i + 1:].strip(" ：:\t\n")
                break
        else:
            return None
        if not rest or normalize_field(key, rest) is None:
            return None
        box = self.grid.page_bbox(label.text_bbox or label.bbox)
        return _Read(key, rest, label.page, box, label.confidence, label.text)

    def _resolve(self, cell: Cell) -> str | None:
        context = [self.key[id(c)] for c in self.grid.same_band_left(cell) if self.key.get(id(c))]
        return self.match[id(cell)].resolve([k for k in context if k])

    def _values_of(self, label: Cell) -> list[Cell]:
        rights = self.grid.right_of(label)
        values: list[Cell] = []
        own = self.match[id(label)].keys
        for c in rights:
            if id(c) in self.claimed:
                break
            # A value that reads like its own label ("获得中华技能大奖（2019年）" beside the
            # 获得中华技能大奖… label) is still the value.
            if self.is_label(c) and not (self.match[id(c)].keys & own and self._longer_than_label(c)):
                break
            values.append(c)
        if values:
            return values
        # A label across the whole table width, or followed by another label: its value may be
        # in the row below, in a cell of the same width.
        below = self.grid.below(label)
        if len(below) == 1 and not self.is_label(below[0]) and id(below[0]) not in self.claimed:
            cell = below[0]
            if not rights or abs(cell.width - label.width) <= 0.2 * label.width:
                return below
        return []

    def _longer_than_label(self, c: Cell) -> bool:
        """The cell says more than the label it matched (a label's words opening a value)."""
        return len(compact(c.text)) > len(self.match[id(c)].alias) + 2

    def _read_of(self, key: str, label: Cell, values: list[Cell]) -> _Read:
        lines: list[TextLine] = [ln for v in values for ln in v.lines]
        raw = "\n".join(v.raw for v in values if v.raw)
        for v in values:
            for cont in self.continuation.get(id(v), []):
                if cont.raw:
                    raw = raw + "\n" + cont.raw if raw else cont.raw
        bbox = union_bbox(ln.bbox for ln in lines) if lines else (values[0].bbox if values else label.bbox)
        bbox = self.grid.page_bbox(bbox)
        page = values[0].page if values else label.page
        conf = min((ln.confidence for ln in lines), default=1.0)
        conts = [c for v in values for c in self.continuation.get(id(v), [])]
        return _Read(key, raw, page, bbox, conf, label.text, cells=[*values, *conts])

    # list tables and header rows ----------------------------------------------------------
    def _rows(self) -> dict[int, list[Cell]]:
        rows: dict[int, list[Cell]] = {}
        for c in self.grid.cells:
            rows.setdefault(c.row, []).append(c)
        return {r: sorted(cs, key=lambda c: c.bbox[0]) for r, cs in sorted(rows.items())}

    def _read_header_rows(self) -> list[_Read]:
        out: list[_Read] = []
        rows = self._rows()
        row_ids = list(rows)
        for i, r in enumerate(row_ids):
            cells = [c for c in rows[r] if id(c) not in self.claimed]
            header = self._header_run(cells)
            if header is None or i + 1 >= len(row_ids):
                continue
            below_rows = [rows[rr] for rr in row_ids[i + 1:]]
            if not self._values_under(header, below_rows[0]):
                continue
            keys = {id(h): self.match[id(h)].resolve([]) for h in header}
            kinds = set(keys.values())
            for h in header:
                self.claimed.add(id(h))
            if "_award_title" in kinds:
                out += self._read_award_list(header, keys, below_rows)
            elif "_col_name" in kinds:
                out += self._read_member_list(header, keys, below_rows)
            else:
                # A row of labels with their values in the row below.
                for h in header:
                    key = keys[id(h)]
                    below = [c for c in self.grid.below(h) if not self.is_label(c)]
                    if key is None or key.startswith("_") or len(below) != 1:
                        continue
                    self.claimed.add(id(below[0]))
                    out.append(self._read_of(key, h, below))
        return out

    def _header_run(self, cells: list[Cell]) -> list[Cell] | None:
        """The label cells of a row that is a table header (≥3 labels, few other texts)."""
        filled = [c for c in cells if c.text.strip()]
        labels = [c for c in filled if self.is_label(c)]
        if len(labels) < 3 or len(labels) < 0.6 * len(filled):
            return None
        # A row-spanning group label at the left (团队成员 beside its member list) is context,
        # not a column of the list.
        tall = max(c.row_span for c in labels)
        cols = [c for c in labels if c.row_span < tall] if len({c.row_span for c in labels}) > 1 else labels
        return cols if len(cols) >= 3 else None

    def _values_under(self, header: list[Cell], row: list[Cell]) -> bool:
        under = [c for c in row if any(_x_overlap(c, h) > 0.5 * min(c.width, h.width) for h in header)]
        if not under:
            return False
        n_labels = sum(self.is_label(c) for c in under)
        return n_labels <= len(under) // 3

    def _list_rows(self, header: list[Cell], below_rows: list[list[Cell]]) -> list[dict[int, Cell]]:
        """Rows under a header, each as header-cell id -> cell, until a row of labels."""
        out: list[dict[int, Cell]] = []
        for row in below_rows:
            mapped: dict[int, Cell] = {}
            for h in header:
                for c in row:
                    if _x_overlap(c, h) > 0.5 * min(c.width, h.width):
                        mapped[id(h)] = c
                        break
            if not mapped:
                break
            # The list ends at the next labelled row, or where cells stop following the columns.
            if sum(self.is_label(c) for c in mapped.values()) > len(mapped) // 3:
                break
            if any(self.is_label(c) for c in row if all(c is not m for m in mapped.values())):
                break
            if any(sum(_x_overlap(c, h) > 0.5 * h.width for h in header) > 1 for c in mapped.values()):
                break
            for c in mapped.values():
                self.claimed.add(id(c))
            out.append(mapped)
        return out

    def _read_member_list(self, header: list[Cell], keys: dict[int, str | None],
                          below_rows: list[list[Cell]]) -> list[_Read]:
        name_col = next(h for h in header if keys[id(h)] == "_col_name")
        rows = self._list_rows(header, below_rows)
        names = [row[id(name_col)] for row in rows if id(name_col) in row and row[id(name_col)].text.strip()]
        # The group label beside the list ("团队成员") names what the list counts.
        group = [c for c in self.grid.same_band_left(header[0]) if self.is_label(c)]
        label = group[0] if group else name_col
        if group:
            self.claimed.add(id(group[0]))
            self.key[id(group[0])] = self.match[id(group[0])].resolve([])
            if self.key[id(group[0])] != "studio_team_size":
                return []
        lines = [ln for c in names for ln in c.lines]
        raw = "、".join(c.text.strip() for c in names)
        bbox = self.grid.page_bbox(union_bbox(ln.bbox for ln in lines) if lines else label.bbox)
        conf = min((ln.confidence for ln in lines), default=1.0)
        page = names[0].page if names else label.page
        return [_Read("studio_team_size", raw, page, bbox, conf, label.text, count=len(names))]

    def _read_award_list(self, header: list[Cell], keys: dict[int, str | None],
                         below_rows: list[list[Cell]]) -> list[_Read]:
        by_key = {keys[id(h)]: h for h in header}
        rows = self._list_rows(header, below_rows)
        group = [c for c in self.grid.same_band_left(header[0]) if self.is_label(c)]
        section = self.section or (self.table.section(group[0].text) if group else None)
        awards: list[ClaimedAward] = []
        for row in rows:
            title_cell = row.get(id(by_key["_award_title"]))
            if title_cell is None or not title_cell.text.strip() or _is_blank_value(title_cell.text):
                continue

            def col(k: str, row: dict[int, Cell] = row) -> str | None:
                h = by_key.get(k)
                c = row.get(id(h)) if h is not None else None
                t = c.text.strip() if c is not None else ""
                return t or None

            year_text = col("_award_year") or ""
            ym = re.search(r"(19|20)\d{2}", year_text) or re.search(r"(19|20)\d{2}", title_cell.text)
            cells = list(row.values())
            lines = [ln for c in cells for ln in c.lines]
            awards.append(ClaimedAward(
                claimed_text=normalize_text(title_cell.text) or title_cell.text.strip(),
                year=int(ym.group(0)) if ym else None,
                section=section,
                issuer=col("_award_issuer"),
                grade=col("_award_grade"),
                page=title_cell.page,
                bbox=self.grid.page_bbox(union_bbox(c.bbox for c in cells)),
                confidence=min((ln.confidence for ln in lines), default=1.0),
            ))
        if not awards:
            return []
        raw = "\n".join(a.claimed_text for a in awards)
        return [_Read(AWARDS_CLAIMED, raw, awards[0].page, union_bbox(a.bbox for a in awards if a.bbox),
                      min(a.confidence for a in awards), header[0].text, awards=awards)]

    def _read_inline_labels(self) -> list[_Read]:
        """Cells holding "label：value" together (no separate label cell)."""
        out: list[_Read] = []
        for cell in self.grid.ordered():
            if id(cell) in self.claimed or self.is_label(cell) or not re.search(r"[：:]", cell.text):
                continue
            split = self.table.split_prefix(cell.text, self.jurisdiction)
            if split is None:
                continue
            m, rest = split
            key = m.resolve([])
            if key is None or key.startswith("_") and key not in (*_BANK_PARTS, "_awards"):
                continue
            box = self.grid.page_bbox(cell.text_bbox or cell.bbox)
            out.append(_Read(key, rest, cell.page, box, cell.confidence, cell.text))
        return out


def _x_overlap(a: Cell, b: Cell) -> float:
    return max(0.0, min(a.bbox[2], b.bbox[2]) - max(a.bbox[0], b.bbox[0]))


def _is_blank_value(text: str) -> bool:
    return text.strip() in ("", "/", "无", "-", "—", "——")


# --- text outside the tables ------------------------------------------------------------------


def _read_outside(layout: PageLayout, table: LabelTable, jurisdiction: str | None) -> list[_Read]:
    """Label：value text outside tables. Beside a table only a cover's labels are taken (a
    form's title block, "填报时间：…"); a page with no table at all may be a form whose rules
    could not be seen, so there every label is, pair by pair along each row."""
    out = []
    if layout.grids:
        hits = [(h, h.match.resolve([])) for h in read_label_lines(layout.outside, table, jurisdiction)]
    else:
        hits = read_label_pairs(layout.outside, table, jurisdiction)
    for hit, key in hits:
        if key is None or (key.startswith("_") and key not in (*_BANK_PARTS, "_awards")):
            continue
        out.append(_Read(key, hit.raw, layout.page.number, hit.bbox, hit.confidence, hit.label))
    return out


def _caption_above(grid: Grid, outside: list[TextLine], table: LabelTable) -> str | None:
    """The section caption printed just above a table ("其它获奖情况："), if any."""
    top = grid.bbox[1]
    rows = [r for r in group_rows(outside) if max(p.bbox[3] for p in r) <= top + 2]
    if not rows:
        return None
    nearest = max(rows, key=lambda r: max(p.bbox[3] for p in r))
    gap = top - max(p.bbox[3] for p in nearest)
    height = max(p.bbox[3] - p.bbox[1] for p in nearest)
    if gap > 4 * height:
        return None
    return table.section("".join(p.text for p in nearest))


# --- a value cell that runs on over a page break ----------------------------------------------


def link_continuations(layouts: list[PageLayout]) -> dict[int, list[Cell]]:
    """Cells that continue a value cell of the previous page, keyed by id() of that cell.

    A Word table row that breaks across pages leaves the label on the first page and, on the
    next, a first row whose label column is empty and whose columns line up with the last row.
    """
    out: dict[int, list[Cell]] = {}
    for prev, nxt in zip(layouts, layouts[1:], strict=False):
        if not prev.grids or not nxt.grids or nxt.page.number != prev.page.number + 1:
            continue
        last = max(prev.grids, key=lambda g: g.bbox[3])
        first = min(nxt.grids, key=lambda g: g.bbox[1])
        # Nothing but page furniture between the two table parts.
        if any(ln.bbox[3] <= first.bbox[1] and len(ln.text.strip()) > 3 for ln in nxt.outside):
            continue
        last_row = [c for c in last.cells if abs(c.bbox[3] - last.bbox[3]) <= last.tolerance]
        first_row = [c for c in first.cells if abs(c.bbox[1] - first.bbox[1]) <= first.tolerance]
        if len(last_row) != len(first_row) or len(first_row) < 2:
            continue
        last_row.sort(key=lambda c: c.bbox[0])
        first_row.sort(key=lambda c: c.bbox[0])
        if first_row[0].text.strip():
            continue
        # Column splits at the same share of the row's width (photos differ in scale and
        # perspective from page to page, so positions are compared within each row).
        x0a, x1a = last_row[0].bbox[0], last_row[-1].bbox[2]
        x0b, x1b = first_row[0].bbox[0], first_row[-1].bbox[2]
        tol = 0.02 if prev.page.kind == PageKind.TEXT and nxt.page.kind == PageKind.TEXT else 0.04
        aligned = all(
            abs((a.bbox[0] - x0a) / max(x1a - x0a, 1.0) - (b.bbox[0] - x0b) / max(x1b - x0b, 1.0)) < tol
            for a, b in zip(last_row, first_row, strict=True)
        )
        if not aligned:
            continue
        for a, b in zip(last_row[1:], first_row[1:], strict=True):
            if b.text.strip():
                out.setdefault(id(a), []).append(b)
                first.cells.remove(b)
        first.cells.remove(first_row[0])
    return out


# --- combining reads into fields ---------------------------------------------------------------


def _combine(reads: list[_Read]) -> dict[str, FieldRead]:
    chosen: dict[str, _Read] = {}
    values: dict[str, Any] = {}
    for r in reads:
        have = chosen.get(r.key)
        if r.key == AWARDS_CLAIMED and have is not None:
            # Several award tables (武汉: 省部级 and 其它): one list, in form order.
            have.awards = [*have.awards, *r.awards]
            have.raw = "\n".join(a.claimed_text for a in have.awards)
            continue
        value = _value_of(r)
        if have is None or (values[r.key] is None and value is not None):
            chosen[r.key], values[r.key] = r, value
        elif value is not None and value != values[r.key] and _better(r, have):
            chosen[r.key], values[r.key] = r, value
        elif value is not None and value == values[r.key] and r.confidence > have.confidence:
            # Two pages agree: the value is as sure as the surer reading (the first page still
            # says where it is written, as the truth counts it).
            have.confidence = r.confidence
    fields: dict[str, FieldRead] = {}
    for key, r in chosen.items():
        if key.startswith("_") or key in (AWARDS_CLAIMED,):
            continue
        fields[key] = FieldRead(values[key], r.raw, r.page, r.bbox, r.confidence, r.label, r.reread_from,
                                r.reread_why)

    # Bank details written in separate cells (开户银行 | 户名 | 账号) make one value.
    if "bank_account" not in fields or fields["bank_account"].value is None:
        parts = [chosen[k] for k in _BANK_PARTS if k in chosen and chosen[k].raw.strip()]
        if parts:
            raw = " ".join(p.raw.replace("\n", "") for p in parts)
            bboxes = [p.bbox for p in parts if p.bbox]
            fields["bank_account"] = FieldRead(
                normalize_field("bank_account", raw), raw, parts[0].page,
                union_bbox(bboxes) if bboxes else None, min(p.confidence for p in parts), parts[0].label)

    _add_awards(fields, chosen)
    return fields


def _better(new: _Read, old: _Read) -> bool:
    """Of two differing readings of one field (cover and form), whether `new` should win.

    A text layer says what is written: the first page wins, as the truth counts it. Between OCR
    readings the more certain one wins (a reading under a seal has had its confidence cut).
    """
    if min(new.confidence, old.confidence) >= 1.0:
        return False
    a, b = _value_of(old), _value_of(new)
    if isinstance(a, str) and isinstance(b, str) and a != b:
        # OCR loses characters under a seal or a fold far more often than it invents them:
        # a reading that is the other with characters missing loses, unless the fuller one
        # is clearly less certain (a seal's own glyphs read into it).
        if _is_subsequence(a, b) and new.confidence >= old.confidence - 0.05:
            return True
        if _is_subsequence(b, a) and old.confidence >= new.confidence - 0.05:
            return False
    return new.confidence > old.confidence + 0.02


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return len(short) < len(long) and all(ch in it for ch in short)


# No value starts with Chinese punctuation: a leading mark is a speck or a rule fragment.
_LEADING_NOISE = re.compile(r"^[\s。，、·]+")


def _value_of(r: _Read) -> Any:
    """The normalised value of a read (None when it holds none)."""
    if r.key.startswith("_"):
        return r.raw.strip() or (r.awards or None)
    if r.key == AWARDS_CLAIMED:
        return r.awards or None
    if r.key == "studio_team_size" and r.count is not None:
        return r.count if r.count > 0 else None
    # No value starts with punctuation: a leading mark is a ruling fragment or a speck.
    raw = _LEADING_NOISE.sub("", r.raw)
    if r.key == "unit_name":
        raw = remove_seal_marks(raw)
    return normalize_field(r.key, raw)


def _has_content(r: _Read) -> bool:
    return bool(r.raw.strip()) or bool(r.awards) or bool(r.count)


_AWARD_TAIL = re.compile(r"获奖情况\s*[：:]\s*(.+)$", re.S)


def _add_awards(fields: dict[str, FieldRead], chosen: dict[str, _Read]) -> None:
    table = chosen.get(AWARDS_CLAIMED)
    if table is not None:
        fields[AWARDS_RAW] = FieldRead(table.raw, table.raw, table.page, table.bbox, table.confidence, table.label)
        fields[AWARDS_CLAIMED] = FieldRead(table.awards, table.raw, table.page, table.bbox, table.confidence,
                                           table.label)
        return
    cell = chosen.get("_awards")
    raw = None
    if cell is not None and cell.raw.strip():
        raw = "\n".join(hard_break_text(c) for c in cell.cells) if cell.cells else cell.raw
    src = cell
    if raw is None and "achievements" in chosen:
        # 呼和浩特 writes the honours at the end of the achievements cell: "获奖情况：…".
        ach = chosen["achievements"]
        text = "\n".join(hard_break_text(c) for c in ach.cells) if ach.cells else ach.raw
        m = _AWARD_TAIL.search(text)
        if m:
            raw, src = m.group(1), ach
    if raw is None or src is None:
        if cell is not None:
            # The honours cell is there and empty: an AWARDS_RAW of "" says it was found.
            fields[AWARDS_RAW] = FieldRead("", "", cell.page, cell.bbox, cell.confidence, cell.label)
        return
    fields[AWARDS_RAW] = FieldRead(raw, raw, src.page, src.bbox, src.confidence, src.label)
    items = [t for t in (normalize_text(it) for it in split_claims(raw)) if t]
    fields[AWARDS_CLAIMED] = FieldRead(
        [ClaimedAward(claimed_text=t, year=_year_of(t), page=src.page, bbox=src.bbox, confidence=src.confidence)
         for t in items],
        raw, src.page, src.bbox, src.confidence, src.label)


_NUMBERING = re.compile(r"^\s*(?:\d{1,2}\s*[、.．)）]|[(（]\d{1,2}[)）]|[①-⑳]|[一二三四五六七八九十]、)\s*")
_INLINE_NUMBER = re.compile(
    r"(?<=[。，,；;\s])(?=(?:\d{1,2}\s*[、．]|[(（]\d{1,2}[)）])\s*\S)"  # "… 2、…", "；(2)…"
    r"|(?<=\D)(?=\d{1,2}\s*[、．]\s*(?:19|20)\d{2})"  # "…称号2、2021年…" (a wrapped list)
    r"|(?<=\S)(?=[①-⑳])"
)
_YEAR = re.compile(r"(?:19|20)\d{2}")


def split_claims(raw: str) -> list[str]:
    """One honour per item, as written: split at line breaks, ；; and numbering; a comma or 、
    splits only where the next honour starts with its year."""
    items: list[str] = []
    # OCR reads a "；" between two honours as "：" or ":" now and then: before a year it is one.
    # So is one right after an honour's bracketed year: "岗位标兵（2016年）：全国技术能手".
    raw = re.sub(r"[：:](?=\s*(?:19|20)\d{2}\s*年)|(?<=年[)）])\s*[：:]", "；", raw)
    for line in re.split(r"[\n；;]+", raw):
        # "1、…  2、…" on one line: each number starts an item.
        for numbered in _INLINE_NUMBER.split(line):
            body = _NUMBERING.sub("", numbered)
            for piece in re.split(r"[，,、](?=\s*(?:19|20)\d{2}\s*年)", body):
                t = piece.strip(" 。.，,、\t")
                if t and not _is_blank_value(t):
                    items.append(t)
    return items


def _year_of(text: str) -> int | None:
    m = _YEAR.search(text)
    return int(m.group(0)) if m else None
