"""Competition placings as honours (长春: 国家级竞赛前5名、省级一类竞赛前3名、市级一类竞赛第1名).

A placing is written a hundred ways ("2019年全国焊工职业技能大赛第三名", "吉林省一类竞赛银牌"),
so it is parsed, not fuzzy-matched: tier from the region/level cues, rank from 第N名/前N名/
金银铜牌/冠亚季军. The recognised list holds the placings as rows whose title contains 竞赛:
a title with 前N名/第N名 is a qualifying placing up to rank N; one without is the catch-all for
other placings of that tier. A bureau changes a limit by editing the title in data/honours.csv.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shenbao.matchers.claimtext import normalise_claim
from shenbao.matchers.lookalikes import fold
from shenbao.matchers.regions import cues_of

_IS_COMPETITION = re.compile(fold(r"竞赛|大赛|比赛|技能赛|锦标赛|技术比武"))
_CN_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_RANK = re.compile(fold(r"(第|前)\s*([0-9]{1,2}|[一二三四五六七八九十]{1,2})\s*名"))
_MEDALS = tuple(
    (re.compile(fold(p)), rank)
    for p, rank in ((r"冠军|金牌|金奖|状元", 1), (r"亚军|银牌|银奖", 2), (r"季军|铜牌|铜奖", 3))
)
_SECOND_CLASS = re.compile(fold(r"二类|三类"))
_WORLD = re.compile(fold(r"世界技能大赛|世界技能"))


@dataclass(frozen=True)
class Placing:
    level: str
    rank: int | None
    second_class: bool  # 二类/三类 contests do not count towards 一类 limits


def _cn_number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if len(text) == 2 and text[0] == "十":
        return 10 + _CN_NUM[text[1]]
    if len(text) == 2 and text[1] == "十":
        return _CN_NUM[text[0]] * 10
    return _CN_NUM[text[0]]


def parse_placing(claimed: str, jurisdiction: str | None = None) -> Placing | None:
    """The tier and rank of a competition placing, or None when the text is not one."""
    folded = fold(claimed)
    if not _IS_COMPETITION.search(folded):
        return None
    rank: int | None = None
    m = _RANK.search(folded)
    if m:
        rank = _cn_number(m.group(2))
    else:
        for pattern, medal_rank in _MEDALS:
            if pattern.search(folded):
                rank = medal_rank
                break
    # the WorldSkills Competition is entered through the national selection: national tier or above
    level = "national" if _WORLD.search(folded) else cues_of(normalise_claim(claimed), jurisdiction).level
    if level is None:
        return None
    return Placing(level=level, rank=rank, second_class=bool(_SECOND_CLASS.search(folded)))


def rank_limit(title: str) -> int | None:
    """The best rank a placing row accepts (前5名 -> 5, 第1名 -> 1); None for a catch-all row."""
    m = _RANK.search(fold(title))
    return _cn_number(m.group(2)) if m else None


def is_competition_title(title: str) -> bool:
    return bool(_IS_COMPETITION.search(fold(title)))
