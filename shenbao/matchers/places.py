"""Administrative place names in a scanned value, and the near-misses among them a scan made.

An address or a bank branch names its places parent first (吕梁市孝义市学院路, 长春市绿园区,
吕梁孝义支行), and on a worn scan one character of a name is often read as a look-alike
(学义市 for 孝义市, 长春南 for 长春市). No word statistics can tell: a county's name is not a
word. But the places themselves are known (data/places.tsv: every province, prefecture and
county, with its code), and a name that misses a county of the very city written beside it by
one character is that county misread. `mends` finds such near-misses; whether the image
supports the known name is for the caller to judge from the recogniser's frames.

A near-miss is mended only where it sits right beside its parent or child (an ancestor before
it, a descendant after it) and that neighbour is read exactly, or where two near-misses are a
parent and its child both written with their suffixes (昌梁市华义市). A lone near-miss is left
alone: 新华路 is a street, not a misread 新华区. A bare stem (吕梁 in 吕梁孝义支行) is a
neighbour to go by but is never itself mended: after a city a trade name often misses a county
by a character (重庆恒昌, not 荣昌). A stem of one character (兴县, 岚县) is too short to be told
from chance. Names are matched by stem, any one-character suffix taken for any other (梁平县
became 梁平区): a suffix is never what is changed, unless what was read there is no suffix at all.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "data" / "places.tsv"
SUFFIX_CHARS = "省市区县旗盟州"
# Longest first: 恩施土家族苗族自治州's stem is 恩施土家族苗族.
_LONG_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区")
_WILD = "\x00"


class PlaceTableError(ValueError):
    """data/places.tsv does not say what it must."""


@dataclass(frozen=True)
class Place:
    code: str  # GB/T 2260, 6 digits
    name: str  # 孝义市
    stem: str  # 孝义

    @property
    def ancestors(self) -> tuple[str, ...]:
        """Codes of the prefecture and province it lies in (that exist), nearest first."""
        out = []
        if self.code[4:] != "00":
            out.append(self.code[:4] + "00")
        if self.code[2:] != "0000":
            out.append(self.code[:2] + "0000")
        return tuple(out)


@dataclass(frozen=True)
class Mend:
    start: int  # in the text
    read: str  # as read: 学义市
    # The places it may be, as written (孝义市), each as well supported by its neighbours:
    # 吕梁市文城县 is one character off both 交城县 and 文水县. The frames choose (`placenames`).
    names: tuple[str, ...]
    beside: str  # the neighbour that names its parent or child (as the text has it)
    # A near-miss itself (昌梁市 beside 华义市): this mend stands only if that one is mended too.
    partner: str | None = None
    kind: str = "place"  # or "bank" (`banks`): what list the names come from

    @property
    def end(self) -> int:
        return self.start + len(self.read)

    @property
    def name(self) -> str:
        """The name it is, once one is chosen."""
        if len(self.names) != 1:
            raise ValueError(f"{self.read}: {len(self.names)} places fit, none chosen")
        return self.names[0]


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    place: Place
    exact: bool
    written: str  # what the window should read: the text itself, or the mended name
    suffix_mend: bool = False  # its suffix is what is mended (长春南 -> 长春市)


class Places:
    def __init__(self, places: list[Place]) -> None:
        self.by_code = {p.code: p for p in places}
        # Every spelling a place is met in: its name, its stem + another one-character
        # suffix, its bare stem (bank branches: 吕梁孝义支行). One wildcard key per position
        # finds each spelling one character off.
        self._exact: dict[str, list[tuple[Place, str]]] = defaultdict(list)
        self._near: dict[str, list[tuple[Place, str]]] = defaultdict(list)
        self.max_len = 0
        for p in places:
            for spelling in self._spellings(p):
                self._exact[spelling].append((p, spelling))
                self.max_len = max(self.max_len, len(spelling))
                if len(p.stem) < 2 or spelling == p.stem:
                    continue  # a bare stem one character off is a trade name (重庆恒昌), not 荣昌
                for k in range(len(spelling)):
                    self._near[spelling[:k] + _WILD + spelling[k + 1:]].append((p, spelling))

    @staticmethod
    def _spellings(p: Place) -> list[str]:
        out = [p.name]
        if len(p.stem) < 2:
            return out  # 义县 as printed only: 义市 is no place
        if len(p.name) == len(p.stem) + 1:
            out += [p.stem + s for s in SUFFIX_CHARS if p.stem + s != p.name]
        return [*out, p.stem]

    def hits(self, text: str) -> list[_Hit]:
        """Every window of `text` that spells a place exactly or one character off."""
        found: list[_Hit] = []
        for i in range(len(text)):
            for j in range(i + 2, min(len(text), i + self.max_len) + 1):
                window = text[i:j]
                exact = self._exact.get(window, [])
                for p, _ in exact:
                    found.append(_Hit(i, j, p, True, window))
                if exact:
                    continue
                for k in range(len(window)):
                    if not "\u4e00" <= window[k] <= "\u9fff":
                        continue  # a digit or a mark is not a misread character of a name
                    for p, spelling in self._near.get(window[:k] + _WILD + window[k + 1:], []):
                        if _mended_char_allowed(spelling, p, k, window[k]):
                            found.append(_Hit(i, j, p, False, spelling, k >= len(p.stem)))
        return found

    def is_within(self, child: Place, parent: Place) -> bool:
        return parent.code in child.ancestors


def _mended_char_allowed(spelling: str, place: Place, k: int, read: str) -> bool:
    """Only a stem character is mended, or a suffix read as something that is no suffix
    (长春南 -> 长春市); a suffix read as another suffix is a spelling of the same place."""
    if k < len(place.stem):
        return True
    return read not in SUFFIX_CHARS and spelling == place.name


def mends(text: str, places: Places) -> list[Mend]:
    """The near-misses in `text` that sit beside their parent or child (see the module's
    docstring), left to right, each with the places its neighbours support best."""
    hits = places.hits(text)
    exact_at: dict[int, list[_Hit]] = defaultdict(list)  # by start
    exact_to: dict[int, list[_Hit]] = defaultdict(list)  # by end
    for h in sorted(hits, key=lambda h: h.start - h.end):  # the longest neighbour named first
        if h.exact:
            exact_at[h.start].append(h)
            exact_to[h.end].append(h)
    near = [h for h in hits if not h.exact]
    near_at: dict[int, list[_Hit]] = defaultdict(list)
    for h in near:
        near_at[h.start].append(h)

    # window -> name it may be -> its neighbours that say so (as read; read exactly or not)
    support: dict[tuple[int, int], dict[str, list[tuple[str, bool]]]] = defaultdict(lambda: defaultdict(list))

    for h in near:
        votes = support[(h.start, h.end)][h.written]
        # An exact parent right before it, or an exact child right after it. A stem read
        # right and followed by no suffix is a bare stem (长春绿园支行), unless its child follows.
        if not h.suffix_mend:
            votes += [(a.written, True) for a in exact_to[h.start] if places.is_within(h.place, a.place)][:1]
        votes += [(c.written, True) for c in exact_at[h.end] if places.is_within(c.place, h.place)][:1]
        # Two near-misses, parent then child, both with their suffixes as read.
        for c in near_at[h.end]:
            if places.is_within(c.place, h.place) and _suffixed(text, h) and _suffixed(text, c):
                votes.append((text[c.start:c.end], False))
                support[(c.start, c.end)][c.written].append((text[h.start:h.end], False))

    out = []
    for (i, j), names in sorted(support.items()):
        ranked = sorted(((len(v), name, v) for name, v in names.items() if v), reverse=True)
        if not ranked:
            continue  # no neighbour for it
        # A window across the edge of a place read exactly belongs to that place.
        if any(h.start < i < h.end < j or i < h.start < j < h.end for h in hits if h.exact):
            continue
        tied = tuple(sorted(name for n, name, _ in ranked if n == ranked[0][0]))
        votes = ranked[0][2]
        exact = [v for v, is_exact in votes if is_exact]
        out.append(Mend(i, text[i:j], tied, exact[0] if exact else votes[0][0], None if exact else votes[0][0]))
    return partnered(_disjoint(out))


def partnered(found: list[Mend]) -> list[Mend]:
    """`found` less every mend whose partner is not among them (nor, then, its own partner)."""
    while True:
        kept = [m for m in found if m.partner is None or any(
            o.read == m.partner and (o.end == m.start or o.start == m.end) for o in found)]
        if len(kept) == len(found):
            return kept
        found = kept


def _suffixed(text: str, h: _Hit) -> bool:
    return len(h.written) == len(h.place.stem) + 1 and text[h.end - 1] in SUFFIX_CHARS


def _disjoint(found: list[Mend]) -> list[Mend]:
    """Overlapping mends are two readings of one stretch: neither is taken. A mend inside a
    longer one that writes the same there (the stem 孝义 of 孝义市) is the longer one's."""
    def agrees(inner: Mend, outer: Mend) -> bool:
        at = inner.start - outer.start
        return (outer.start <= inner.start and inner.end <= outer.end and outer is not inner
                and {n[at:at + len(inner.read)] for n in outer.names} == set(inner.names))

    kept = [m for m in found if not any(agrees(m, o) for o in found)]
    return [m for m in kept if not any(not (o.end <= m.start or o.start >= m.end) for o in kept if o is not m)]


def apply(text: str, found: list[Mend]) -> str:
    """`text` with each mend's window written as its (chosen) name."""
    for m in sorted(found, key=lambda m: -m.start):
        text = text[:m.start] + m.name + text[m.end:]
    return text


@functools.cache
def load(path: Path = DEFAULT_PATH) -> Places:
    places = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise PlaceTableError(f"{path}: {exc}") from exc
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#") or line.startswith("code\t"):
            continue
        parts = line.split("\t")
        if len(parts) != 2 or len(parts[0]) != 6 or not parts[0].isdigit() or not parts[1]:
            raise PlaceTableError(f"{path}:{n}: expected a 6-digit code and a name: {line!r}")
        places.append(Place(parts[0], parts[1], _stem(parts[1])))
    if not places:
        raise PlaceTableError(f"{path}: no places")
    return Places(places)


def _stem(name: str) -> str:
    for s in _LONG_SUFFIXES:
        if name.endswith(s) and len(name) > len(s):
            return name[: -len(s)]
    return name[:-1] if name[-1] in SUFFIX_CHARS and len(name) > 1 else name
