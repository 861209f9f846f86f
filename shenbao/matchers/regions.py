"""Region and level cues inside an honour name: who awarded it, at which tier.

Honours of one family differ only by their region/level words (全国技术能手, 三晋技术能手,
吕梁技术能手; 全国劳动模范, 长春市劳动模范). The matcher therefore splits a name into its
*cues* (named regions, level words such as 全国/省/市) and its *core* (技术能手), compares cores
fuzzily and judges cues exactly: a cue that contradicts a candidate's level or region is a
different honour, not a spelling slip.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from shenbao.matchers.lookalikes import fold

LEVELS = ("national", "provincial", "city", "district")
_RANK = {lvl: i for i, lvl in enumerate(LEVELS)}


@dataclass(frozen=True)
class Region:
    key: str
    level: str
    parent: str | None
    names: tuple[str, ...]


# Regions of the five notices (and the few cities/provinces their honours name).
# Longer names are matched first, so 吉林市 (a city) is not read as 吉林 (the province).
REGIONS: tuple[Region, ...] = (
    Region("山西", "provincial", None, ("山西省", "山西", "三晋")),
    Region("吕梁", "city", "山西", ("吕梁市", "吕梁")),
    Region("内蒙古", "provincial", None, ("内蒙古自治区", "内蒙古", "北疆")),
    Region("呼和浩特", "city", "内蒙古", ("呼和浩特市", "呼和浩特", "呼市")),
    Region("吉林", "provincial", None, ("吉林省", "吉林")),
    Region("吉林市", "city", "吉林", ("吉林市",)),
    Region("长春", "city", "吉林", ("长春市", "长春")),
    Region("湖北", "provincial", None, ("湖北省", "湖北", "荆楚")),
    Region("武汉", "city", "湖北", ("武汉市", "武汉")),
    # 重庆 is a municipality directly under the central government: its 市级 is provincial.
    Region("重庆", "provincial", None, ("重庆市", "重庆", "巴渝")),
    Region("梁平", "district", "重庆", ("梁平区", "梁平县", "梁平")),
)
REGION_BY_KEY: dict[str, Region] = {r.key: r for r in REGIONS}

# Level words that name no place. Order matters only through longest-first matching.
BARE_LEVEL_WORDS: dict[str, str] = {
    "全国": "national",
    "国家级": "national",
    "国家": "national",
    "中华": "national",
    "中国": "national",
    "国务院": "national",
    "省级": "provincial",
    "省": "provincial",
    "地市级": "city",
    "市级": "city",
    "全市": "city",
    "市": "city",
    "区县级": "district",
    "县区级": "district",
    "区级": "district",
    "县级": "district",
}

# Words that name a region only in context. Only 内蒙古 among the notices' provinces is an
# autonomous region, so 自治区/全区 mean 内蒙古 unless a jurisdiction says otherwise.
CONTEXT_REGION_WORDS: dict[str, str] = {"自治区级": "内蒙古", "自治区": "内蒙古", "全区": "内蒙古"}

# Per jurisdiction: what its bureau's own words mean. In 梁平 (a district of 重庆) 全区 is the
# district, and 全市/市级 are 重庆 (provincial tier) — the notice's 全市技术能手 is 重庆市技术能手.
JURISDICTION_WORDS: dict[str, dict[str, str]] = {
    "liangping-2023": {"全区": "梁平", "区级": "梁平", "全市": "重庆", "市级": "重庆"},
}

HOME_REGIONS: dict[str, tuple[str, ...]] = {
    "lvliang-2025": ("山西", "吕梁"),
    "hohhot": ("内蒙古", "呼和浩特"),
    "changchun-2025": ("吉林", "长春"),
    "wuhan-2024": ("湖北", "武汉"),
    "liangping-2023": ("重庆", "梁平"),
}


@dataclass(frozen=True)
class Cues:
    """What a (normalised, folded) honour name says about region and level."""

    core: str
    regions: frozenset[str] = field(default_factory=frozenset)
    level: str | None = None  # the most specific tier named, if any
    levels: frozenset[str] = field(default_factory=frozenset)  # every tier named

    @property
    def has_region(self) -> bool:
        return bool(self.regions)


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def _build(jurisdiction: str | None) -> tuple[re.Pattern[str], dict[str, tuple[str | None, str]]]:
    """One regex over every cue word, and what each word means: (region key or None, level)."""
    meaning: dict[str, tuple[str | None, str]] = {}
    for word, level in BARE_LEVEL_WORDS.items():
        meaning[fold(word)] = (None, level)
    context = dict(CONTEXT_REGION_WORDS)
    context.update(JURISDICTION_WORDS.get(jurisdiction or "", {}))
    for word, key in context.items():
        meaning[fold(word)] = (key, REGION_BY_KEY[key].level)
    for region in REGIONS:
        for name in region.names:
            meaning[fold(name)] = (region.key, region.level)
    # a region name may carry a trailing 级 (吕梁市级, 重庆市级): swallow it with the name
    pattern = re.compile(f"(?:{_alternation(list(meaning))})级?")
    return pattern, meaning


_CACHE: dict[str | None, tuple[re.Pattern[str], dict[str, tuple[str | None, str]]]] = {}


def cues_of(text: str, jurisdiction: str | None = None) -> Cues:
    """Split a normalised, folded name into its region/level cues and the remaining core."""
    if jurisdiction not in _CACHE:
        _CACHE[jurisdiction] = _build(jurisdiction)
    pattern, meaning = _CACHE[jurisdiction]
    regions: set[str] = set()
    levels: list[str] = []
    for m in pattern.finditer(text):
        word = m.group(0)
        key, level = meaning.get(word) or meaning[word[:-1]]  # the second form had 级 appended
        if key is not None:
            regions.add(key)
        levels.append(level)
    core = pattern.sub("", text)
    level = max(levels, key=lambda lv: _RANK[lv]) if levels else None
    return Cues(core=core, regions=frozenset(regions), level=level, levels=frozenset(levels))


def region_consistent(claimed_region: str, honour_region: str) -> bool:
    """Whether a region the claim names fits an honour of `honour_region`.

    An honour with no region (a generic tier such as 省级非遗传承人) fits any place; a city
    honour also fits a claim that names its province (湖北省武汉工匠).
    """
    if not honour_region:
        return True
    if claimed_region == honour_region:
        return True
    region = REGION_BY_KEY.get(honour_region)
    return region is not None and region.parent == claimed_region


def home_regions(jurisdiction: str | None) -> tuple[str, ...]:
    return HOME_REGIONS.get(jurisdiction or "", ())
