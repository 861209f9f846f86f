"""OCR look-alike characters, folded onto one representative before honours are compared.

OCR engines confuse characters that differ by a stroke or a radical (手/乎, 能/熊, 技/枝…),
and scanned forms carry the odd traditional form. Folding *both* the claimed text and every
recognised title with the same table turns such a slip into an exact match, so the fuzzy
score is spent on real differences (missing or extra characters), not on shapes.

The table is conservative on purpose: a variant is only listed when it does not occur in any
recognised title or in the cue words the matcher relies on (regions, 省/市/全国, fillers),
so folding never merges two honours. Add to it when a new slip shows up in real scans.
"""

from __future__ import annotations

import unicodedata

# canonical character -> characters OCR reads in its place (seen in scans, or one stroke away)
LOOKALIKES: dict[str, str] = {
    "手": "乎于",
    "能": "熊態",
    "技": "枝伎",
    "术": "朮木術",
    "匠": "近",
    "师": "帅師",
    "劳": "芳勞",
    "动": "動",
    "模": "摸横",
    "范": "苑範",
    "春": "吞舂",
    "荣": "茉榮",
    "誉": "譽",
    "梁": "粱",
    "晋": "普晉",
    "状": "壮狀",
    "元": "无",
    "汉": "汊漢",
    "贴": "帖貼",
    "津": "律",
    "殊": "珠姝",
    "特": "持待",
    "首": "昔",
    "奖": "桨浆獎",
    "章": "竟",
    "英": "荚",
    "疆": "彊僵",
    "国": "图固國",
    "全": "仝",
    "大": "太",
    "才": "オ",
    "人": "入",
    "华": "華",
    "专": "專",
    "艺": "藝",
    "贡": "貢",
    "献": "獻",
    "称": "稱",
    "号": "號",
    "获": "獲",
    "级": "級",
}

_FOLD: dict[int, str] = {ord(v): canon for canon, variants in LOOKALIKES.items() for v in variants}


def fold_char(ch: str) -> str:
    """One character, width-normalised and folded to its look-alike representative."""
    ch = unicodedata.normalize("NFKC", ch)
    return ch.translate(_FOLD) if ch else ch


def fold(text: str) -> str:
    """The text width-normalised (NFKC: full-width letters/digits/brackets) and look-alike folded.

    NFKC can change length only for rare compatibility characters; callers that need offsets
    into the original text fold character by character with `fold_char` instead.
    """
    return unicodedata.normalize("NFKC", text).translate(_FOLD)
