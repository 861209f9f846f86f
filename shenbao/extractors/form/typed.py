"""Scanned values of typed fields read again under the field's grammar.

An e-mail address, a phone number, an ID number or a date has a shape the recogniser does not
know of. When its plain reading cannot be the field's value ("dog8osina.com", a check digit that
fails, "1988.O3"), the value's row is decoded again from the recogniser's frame scores, keeping
only readings of that shape (`ctc.decode`), and the reading is taken if the image supports it
nearly as well as the plain one. A value malformed as written has no well-formed reading among
its frames and stays as read, for the rules to report.

What each field must look like is data: data/field_grammars.yaml.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import regex
import yaml

from shenbao.extractors.form import cellread
from shenbao.extractors.form.cellread import CellReadSettings
from shenbao.extractors.form.grid import Cell, Grid
from shenbao.extractors.normalize import normalize_field
from shenbao.extractors.normalize.contact import public_mail_domains
from shenbao.extractors.ocr.base import OcrEngine
from shenbao.extractors.ocr.ctc import Decoded, Grammar, LineScores, decode
from shenbao.models import FIELD_KEYS
from shenbao.rules import validators

DEFAULT_PATH = Path(__file__).resolve().parents[3] / "data" / "field_grammars.yaml"
MAX_ROWS = 2  # a typed value wraps once in a narrow cell at most

# Whether a normalised value is one the field can hold.
CHECKS: dict[str, Callable[[Any], bool]] = {
    "email": validators.validate_email,
    "phone": validators.validate_phone,
    "mobile": validators.validate_mobile,
    "postcode": validators.validate_postcode,
    "id_number": lambda v: validators.validate_id_number(v).valid,
    "credit_code": validators.validate_credit_code,
    "date": lambda v: v is not None,
    "choice": lambda v: v is not None,  # normalisation gives None for anything off its list
}


@dataclass(frozen=True)
class Shape:
    grammar: Grammar
    confusions: bool  # whether look-alikes may stand in for the characters it needs


@dataclass(frozen=True)
class FieldGrammar:
    name: str
    shapes: tuple[Shape, ...]  # tried in order
    valid: Callable[[Any], bool]  # on the normalised value
    max_log_ratio: float  # how much less likely than the free reading a reading may be (nats)
    # ... when the plain reading already has the shape and only its check fails: it may be
    # written so (a wrong check digit), so only a reading the image nearly prefers
    max_log_ratio_well_formed: float | None = None


@dataclass(frozen=True)
class TypedSettings:
    by_key: dict[str, FieldGrammar]
    read_as: dict[str, tuple[str, ...]]  # read character -> what it may really be
    confusion_share: float
    confusion_max_source: float  # a character read at least this surely lends nothing
    # The reading taken must be this much likelier (nats) than the next one the shape accepts:
    # two well-formed readings about as likely are a guess between them, not a reading.
    min_lead: float
    # A 出生年月 that disagrees with the valid ID number beside it is read as the ID's month
    # when the image supports that within this many nats (None: never).
    birth_from_id_max_log_ratio: float | None = None


@dataclass(frozen=True)
class Reread:
    text: str  # the new raw text of the value
    confidence: float


class GrammarFileError(ValueError):
    """data/field_grammars.yaml does not say what it must."""


@lru_cache(maxsize=4)
def load_settings(path: Path = DEFAULT_PATH) -> TypedSettings:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        domains = "(" + "|".join(regex.escape(d) for d in public_mail_domains()) + ")"
        by_key: dict[str, FieldGrammar] = {}
        for name, spec in data["grammars"].items():
            check_name = spec["check"]
            if check_name not in CHECKS:
                raise GrammarFileError(f"{path}: grammar {name!r} has unknown check {check_name!r}")
            valid = CHECKS[check_name]
            patterns = []
            for entry in spec["patterns"]:
                entry = entry if isinstance(entry, dict) else {"pattern": entry}
                patterns.append((str(entry["pattern"]).replace("{mail_domains}", domains),
                                 bool(entry.get("confusions", False))))
            for key in spec["keys"]:
                if key not in FIELD_KEYS:
                    raise GrammarFileError(f"{path}: grammar {name!r} names unknown field {key!r}")
                by_key[key] = FieldGrammar(name, tuple(
                    Shape(Grammar(name, pattern, _value_check(key, valid)), confusions)
                    for pattern, confusions in patterns), valid,
                    float(spec.get("max_log_ratio", data["max_log_ratio"])),
                    None if spec.get("max_log_ratio_well_formed") is None
                    else float(spec["max_log_ratio_well_formed"]))
        read_as: dict[str, list[str]] = {}
        for real, looks in (data.get("confusions") or {}).items():
            for look in looks:
                read_as.setdefault(str(look), []).append(str(real))
        birth = data.get("birth_from_id_max_log_ratio")
        return TypedSettings(by_key, {k: tuple(v) for k, v in read_as.items()}, float(data["confusion_share"]),
                             float(data["confusion_max_source"]), float(data["min_lead"]),
                             None if birth is None else float(birth))
    except (OSError, KeyError, TypeError, AttributeError, yaml.YAMLError, regex.error) as exc:
        raise GrammarFileError(f"{path}: {exc}") from exc


def _value_check(key: str, valid: Callable[[Any], bool]) -> Callable[[str], bool]:
    """A decoded text passes when its normalised value is a valid value of `key` (the pattern
    says what the text may hold; this adds what a pattern cannot: check digits, real dates)."""
    def check(text: str) -> bool:
        return bool(valid(normalize_field(key, text)))
    return check


def needs_reread(key: str, value: Any, raw: str, settings: TypedSettings) -> bool:
    """A typed field with something written whose plain reading is not a valid value."""
    grammar = settings.by_key.get(key)
    return grammar is not None and bool(raw.strip()) and not grammar.valid(value)


def reread_value(key: str, grid: Grid, cell: Cell, image: np.ndarray, engine: OcrEngine, unit: float,
                 settings: TypedSettings, cells: CellReadSettings | None = None) -> Reread | None:
    """The value of `cell` (one text row) decoded under `key`'s grammar, or None when the row
    cannot be cut out, the engine gives no frame scores, or no reading of the right shape is
    supported by the image."""
    field = settings.by_key.get(key)
    if field is None:
        return None
    if field.max_log_ratio_well_formed is not None and well_formed(field, cell.text):
        field = replace(field, max_log_ratio=field.max_log_ratio_well_formed)
    scored = row_scores(grid, cell, image, engine, unit, cells)
    best = _best_reading(scored, field, settings) if scored else None
    if best is None:
        return None
    return Reread(best.text, best.confidence)


def well_formed(field: FieldGrammar, text: str) -> bool:
    """Whether `text` (spaces aside) has one of the field's shapes, whatever its check says."""
    compact = "".join(text.split())
    return any(shape.grammar.matches(t) for shape in field.shapes for t in (compact, compact.upper()))


def reread_as(expected: Grammar, max_log_ratio: float, grid: Grid, cell: Cell, image: np.ndarray,
              engine: OcrEngine, unit: float, cells: CellReadSettings | None = None) -> Reread | None:
    """The value of `cell` read as another document of the packet gives it (`expected`: its
    spellings), when the image supports that reading within `max_log_ratio` nats of the free
    reading: a 5 the recogniser took for a 3 in a 出生年月 that the ID number says is 1975."""
    scored = row_scores(grid, cell, image, engine, unit, cells)
    if not scored:
        return None
    field = FieldGrammar(expected.name, (Shape(expected, confusions=False),), lambda v: True, max_log_ratio)
    best = _best_reading(scored, field, None, min_lead=0.0)  # one month is allowed, no rival
    return Reread(best.text, best.confidence) if best is not None else None


def row_scores(grid: Grid, cell: Cell, image: np.ndarray, engine: OcrEngine, unit: float,
               cells: CellReadSettings | None = None) -> list[LineScores]:
    """Frame scores of the cell's text, as cut and enlarged and smoothed (on a coarse 1-bit scan
    the second often keeps a thin stroke, "-" or the tail of "@", the first loses). A value
    wrapped over two rows of a narrow cell ("rkfov25@1" / "26.com") is one reading: the rows'
    frames follow each other. Empty when the cell holds no text or more than `MAX_ROWS` rows (a
    note or a list, not a typed value), or the engine gives no frame scores."""
    found = cellread.cell_rows(image, grid, cell, unit, cells or CellReadSettings())
    if found is None or not 1 <= len(found.boxes) <= MAX_ROWS:
        return []
    rows = found.images
    enlarged = [cv2.GaussianBlur(cv2.resize(row, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC), (5, 5), 1.2)
                for row in rows]
    try:
        scored = engine.read_line_scores([*rows, *enlarged])
    except (NotImplementedError, LookupError):
        return []  # this engine hides its frame scores, or a replay never recorded them
    n = len(rows)
    return [LineScores.joined(scored[:n]), LineScores.joined(scored[n:])]


def month_spellings(year: int, month: int) -> Grammar:
    """Every way a form writes this month (1975年9月, 1975.09, 1975-9, with or without a day)."""
    day = r"(\d{1,2}日?)?"
    pattern = (rf"{year}(年0?{month}月{day}|[.\-/]0?{month}([.\-/]\d{{1,2}})?)")
    return Grammar(f"{year}-{month:02d}", pattern)


def _best_reading(scored: list[LineScores], field: FieldGrammar, settings: TypedSettings | None,
                  min_lead: float | None = None) -> Decoded | None:
    if min_lead is None:
        min_lead = settings.min_lead if settings is not None else 0.0
    plains = [decode(scores) for scores in scored]  # the frames as the recogniser gave them
    for shape in field.shapes:  # a likelier shape first (a public mail domain)
        found = []
        for scores, plain in zip(scored, plains, strict=True):
            if shape.confusions and settings is not None:
                frames = scores.with_confusions(settings.read_as, settings.confusion_share,
                                                settings.confusion_max_source)
            else:
                frames = scores
            d = decode(frames, shape.grammar)
            if d is None or (d.runner_up_log_prob is not None and d.log_prob - d.runner_up_log_prob < min_lead):
                continue
            ratio = d.log_prob - (plain.log_prob if plain else d.free_log_prob)
            if ratio >= -field.max_log_ratio:
                found.append((ratio, d))
        if found:
            return max(found, key=lambda rd: rd[0])[1]
    return None
