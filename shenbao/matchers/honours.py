"""The recognised honours (data/honours.csv) and the matcher from a claimed honour to one of them.

`match_honour` cleans the claim (claimtext.normalise_claim), folds OCR look-alikes, splits off
region/level cues (regions.cues_of) and scores every title and alias:

    score = max(ratio(core, form core) + cue adjustments,
                ratio(whole claim, whole form) when the claim names no place)
            - contradiction penalties

Cores are compared fuzzily (rapidfuzz, Indel ratio) because OCR drops and swaps characters;
cues are judged exactly, because 全国/三晋/吕梁 in front of 技术能手 make *different* honours.
A claim below the calibrated threshold, or tied between two honours, gets no title (the caller
raises AWARD_UNRECOGNISED); `alternatives` keeps the best candidates for the audit trail.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from shenbao.matchers.claimtext import extract_year, normalise_claim
from shenbao.matchers.competition import is_competition_title, parse_placing, rank_limit
from shenbao.matchers.lookalikes import fold
from shenbao.matchers.regions import LEVELS, Cues, cues_of, home_regions, region_consistent

__all__ = [
    "DEFAULT_THRESHOLD",
    "Honour",
    "HonourList",
    "HonourListError",
    "HonourMatch",
    "extract_year",
    "load_honours",
    "match_honour",
]

# Calibrated on the dev corpus (bench/calibrate_honours.py, docs/HONOURS.md): 10 points above
# the score of a candidate whose region or tier the claim contradicts (60), and below a single
# substituted character in a four-character core (75).
DEFAULT_THRESHOLD = 70.0
# Two different honours closer than this are a tie: the claim does not say which one it is.
AMBIGUITY_MARGIN = 1.5

# Penalties and nudges, in score points (0–100).
LEVEL_CONTRADICTION = 40.0  # claim says 全国, candidate is a city honour
REGION_CONTRADICTION = 40.0  # claim says 吕梁, candidate is 长春市… or 三晋 (山西)
OTHER_HONOUR_WORDS = 25.0  # 公司/行业/岗位/标兵 … in the claim and not in the candidate: another honour
MISSING_LEVEL = 5.0  # candidate names a tier, the claim names none (技术能手)
MISSING_REGION = 3.0  # claim names a tier but not the place (省首席技师)
HOME_REGION = 2.0  # ... and the candidate is from the jurisdiction's own province/city

# Words that turn a recognised title into another, lesser honour: an employer's or an industry's
# own (公司首席技师, 全国行业技术能手), a neighbouring title (岗位能手, 技术能手标兵, 青年岗位能手) or
# not the honour itself (劳动模范提名). Judged per candidate: 巴渝青年技能之星 keeps its 青年.
_OTHER_HONOUR = re.compile(
    fold(
        r"公司|集团|企业|工厂|车间|班组|股份|行业|系统|学校|学院|医院"
        r"|岗位|标兵|提名|候选|青年|优秀|先进|巾帼|员工|革新|创新|青工|职工"
    )
)

JURISDICTIONS = ("lvliang-2025", "hohhot", "changchun-2025", "wuhan-2024", "liangping-2023")
COLUMNS = ("title", "aliases", "level", "region", "issuer", "accepted_by", "source")
_REQUIRED = ("title", "level")
_LIST_SEP = re.compile(r"[|｜]")
_JUR_SEP = re.compile(r"[|｜;；,，\s]+")

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "data" / "honours.csv"
ENV_PATH = "SHENBAO_HONOURS_CSV"


class HonourListError(ValueError):
    """The honour list cannot be read or is malformed; the message names the file and row."""


@dataclass(frozen=True)
class Honour:
    title: str
    aliases: tuple[str, ...]
    level: str
    region: str
    issuer: str
    accepted_by: frozenset[str]
    source: str = ""

    def accepted(self, jurisdiction: str) -> bool:
        """Whether the jurisdiction's notice accepts this honour as a leader qualification."""
        return jurisdiction in self.accepted_by


@dataclass(frozen=True)
class _Form:
    """One spelling (title or alias) of an honour, normalised, with its cues."""

    honour: int
    text: str
    cues: Cues


@dataclass
class HonourList:
    honours: tuple[Honour, ...]
    path: Path | None = None
    _forms: tuple[_Form, ...] = field(default=(), init=False, repr=False)
    _by_title: dict[str, Honour] = field(default_factory=dict, init=False, repr=False)
    # per-process caches of things built from this list (the spaCy pipeline of mentions.py)
    cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        forms: list[_Form] = []
        for i, honour in enumerate(self.honours):
            seen: set[str] = set()
            for spelling in (honour.title, *honour.aliases):
                text = normalise_claim(spelling)
                if text and text not in seen:
                    seen.add(text)
                    forms.append(_Form(i, text, cues_of(text)))
        self._forms = tuple(forms)
        self._by_title = {h.title: h for h in self.honours}

    def __len__(self) -> int:
        return len(self.honours)

    def __iter__(self) -> Iterator[Honour]:
        return iter(self.honours)

    def get(self, title: str) -> Honour | None:
        return self._by_title.get(title)

    def accepted_titles(self, jurisdiction: str) -> set[str]:
        """Titles the jurisdiction's notice accepts as a leader qualification."""
        return {h.title for h in self.honours if h.accepted(jurisdiction)}

    def is_accepted(self, title: str | None, jurisdiction: str) -> bool:
        honour = self.get(title) if title else None
        return honour is not None and honour.accepted(jurisdiction)

    def spellings(self) -> Iterator[tuple[Honour, str]]:
        """Every title and alias as written in the list, with its honour."""
        for honour in self.honours:
            for spelling in (honour.title, *honour.aliases):
                yield honour, spelling


@dataclass(frozen=True)
class HonourMatch:
    title: str | None
    score: float
    level: str | None = None
    issuer: str | None = None
    region: str | None = None
    accepted: bool | None = None  # for the jurisdiction asked about; None when none was given
    alternatives: tuple[tuple[str, float], ...] = ()  # best candidates, best first, for the audit trail
    normalised: str = ""  # the claim as compared, for the audit trail


# ----------------------------------------------------------------------------- loading


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise HonourListError(f"cannot read honour list {path}: {exc}") from exc
    # Excel writes "CSV UTF-8" with a BOM, and plain "CSV" in the system code page (GBK on
    # Chinese Windows): accept both.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise HonourListError(f"honour list {path} is neither UTF-8 nor GB18030 text")


def _split(value: str, sep: re.Pattern[str]) -> tuple[str, ...]:
    return tuple(part.strip() for part in sep.split(value or "") if part.strip())


def parse_honours(text: str, origin: str = "<honours>") -> tuple[Honour, ...]:
    """Rows of an honour-list CSV; raises HonourListError naming the row of any bad value."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in _REQUIRED if c not in header]
    if missing:
        raise HonourListError(
            f"{origin}: missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}"
        )
    reader.fieldnames = header
    honours: list[Honour] = []
    titles: set[str] = set()
    for rowno, row in enumerate(reader, start=2):
        cell = {k: (v or "").strip() for k, v in row.items() if k}
        title = cell.get("title", "")
        if not title:  # blank lines Excel leaves at the end
            continue
        level = cell.get("level", "").lower()
        if level not in LEVELS:
            raise HonourListError(
                f"{origin} row {rowno} ({title}): level {level!r} is not one of {', '.join(LEVELS)}"
            )
        accepted = frozenset(_split(cell.get("accepted_by", ""), _JUR_SEP))
        unknown = sorted(accepted - set(JURISDICTIONS))
        if unknown:
            raise HonourListError(
                f"{origin} row {rowno} ({title}): unknown jurisdiction(s) {', '.join(unknown)} in accepted_by"
            )
        if title in titles:
            raise HonourListError(f"{origin} row {rowno}: title {title} is listed twice")
        titles.add(title)
        honours.append(
            Honour(
                title=title,
                aliases=_split(cell.get("aliases", ""), _LIST_SEP),
                level=level,
                region=cell.get("region", ""),
                issuer=cell.get("issuer", ""),
                accepted_by=accepted,
                source=cell.get("source", ""),
            )
        )
    if not honours:
        raise HonourListError(f"{origin}: no honours listed")
    return tuple(honours)


_DEFAULT: HonourList | None = None


def load_honours(path: Path | None = None) -> HonourList:
    """The recognised honours: `path`, else $SHENBAO_HONOURS_CSV, else the repository's data/honours.csv.

    The default list is read once per process.
    """
    global _DEFAULT
    if path is None:
        env = os.environ.get(ENV_PATH)
        if env:
            path = Path(env)
        else:
            if _DEFAULT is None:
                _DEFAULT = HonourList(
                    parse_honours(_read_text(DEFAULT_PATH), str(DEFAULT_PATH)), DEFAULT_PATH
                )
            return _DEFAULT
    path = Path(path)
    return HonourList(parse_honours(_read_text(path), str(path)), path)


# ----------------------------------------------------------------------------- matching


def _score_form(
    claim: Cues, claim_text: str, other_words: list[str], form: _Form, honour: Honour, homes: Iterable[str]
) -> float:
    adjust = 0.0
    if form.cues.level and not claim.level:
        # the claim names no tier (技术能手, 首席技师): the jurisdiction cannot tell which one
        adjust -= MISSING_LEVEL
    elif form.cues.has_region and not claim.has_region:
        # a tier without a place (省首席技师): the jurisdiction's own province/city is meant
        adjust -= MISSING_REGION
        if honour.region in homes:
            adjust += HOME_REGION
    score = fuzz.ratio(claim.core, form.cues.core) + adjust if claim.core else 0.0
    if not claim.has_region:
        # no place recognised in the claim: perhaps OCR garbled it (日梁技术状元), so compare the
        # whole spelling too. Where a place was recognised it is judged exactly below, and letting
        # the shared place characters count again would pull 呼和浩特市技术状元 to 呼和浩特市技术能手.
        score = max(score, fuzz.ratio(claim_text, form.text))
    if claim.level and claim.level != honour.level and claim.level != form.cues.level:
        score -= LEVEL_CONTRADICTION
    elif "national" in claim.levels and honour.level != "national":
        # 全国/国家级 never qualifies a provincial or city honour: two honours run together
        score -= LEVEL_CONTRADICTION
    if any(not region_consistent(r, honour.region) for r in claim.regions):
        score -= REGION_CONTRADICTION
    if any(word not in form.text for word in other_words):
        score -= OTHER_HONOUR_WORDS
    return score


def _match_placing(
    claimed: str, honours: HonourList, jurisdiction: str | None
) -> tuple[Honour, float] | None:
    placing = parse_placing(claimed, jurisdiction)
    if placing is None:
        return None
    qualifying: list[tuple[int, Honour]] = []
    catch_all: Honour | None = None
    for honour in honours:
        if honour.level != placing.level or not is_competition_title(honour.title):
            continue
        limit = rank_limit(honour.title)
        if limit is None:
            catch_all = catch_all or honour
        else:
            qualifying.append((limit, honour))
    if placing.rank is not None and not placing.second_class:
        for limit, honour in sorted(qualifying, key=lambda item: item[0]):
            if placing.rank <= limit:
                return honour, 100.0
    if catch_all is not None:
        # a placing of a known tier, but outside the accepted ranks (or of unknown rank)
        return catch_all, 100.0 if placing.rank is not None else 90.0
    return None


def _result(
    honour: Honour | None,
    score: float,
    jurisdiction: str | None,
    alternatives: list[tuple[str, float]],
    text: str,
) -> HonourMatch:
    score = round(max(0.0, min(100.0, score)), 1)
    if honour is None:
        return HonourMatch(None, score, alternatives=tuple(alternatives), normalised=text)
    return HonourMatch(
        title=honour.title,
        score=score,
        level=honour.level,
        issuer=honour.issuer or None,
        region=honour.region or None,
        accepted=honour.accepted(jurisdiction) if jurisdiction else None,
        alternatives=tuple(alternatives),
        normalised=text,
    )


def match_honour(
    claimed: str,
    honours: HonourList,
    jurisdiction: str | None = None,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    top: int = 3,
) -> HonourMatch:
    """The recognised honour a claimed text names, or title None when none matches well enough.

    `jurisdiction` settles what the bureau's own words mean (梁平's 全市 is 重庆) and breaks
    ties between otherwise equal candidates in favour of its own province/city (省首席技师 in
    武汉 is 湖北省首席技师). It never makes a contradicting claim match.
    """
    text = normalise_claim(claimed or "")
    if not text:
        return HonourMatch(None, 0.0, normalised=text)
    placing = _match_placing(claimed, honours, jurisdiction)
    if placing is not None:
        honour, score = placing
        return _result(honour, score, jurisdiction, [(honour.title, score)], text)

    claim = cues_of(text, jurisdiction)
    homes = home_regions(jurisdiction)
    best: dict[int, float] = {}
    other_words = _OTHER_HONOUR.findall(text)
    for form in honours._forms:
        honour = honours.honours[form.honour]
        score = _score_form(claim, text, other_words, form, honour, homes)
        if score > best.get(form.honour, float("-inf")):
            best[form.honour] = score
    ranked = sorted(best.items(), key=lambda item: item[1], reverse=True)
    alternatives = [(honours.honours[i].title, round(max(0.0, min(100.0, s)), 1)) for i, s in ranked[:top]]
    if not ranked:
        return HonourMatch(None, 0.0, normalised=text)
    first_i, first = ranked[0]
    if first < threshold:
        return _result(None, first, jurisdiction, alternatives, text)
    if len(ranked) > 1 and first - ranked[1][1] < AMBIGUITY_MARGIN:
        return _result(None, first, jurisdiction, alternatives, text)  # a tie: the claim does not say which
    return _result(honours.honours[first_i], first, jurisdiction, alternatives, text)
