"""Marks a scan made or lost in free text: brackets left open, specks read as decimal points.

A full-width ）is a thin arc. On a coarse 1-bit scan or a worn copy it falls apart into two
dots that the recogniser reads as ：, or it vanishes, while the （ before it survives: "设备
11台（套：、多媒体…", "设备34台（套，设备总值…" (dev corpus and its degraded copies). Written
Chinese never sets a colon straight before another mark, and a form's short bracketed note
(（套）, （人）, （万元）) is always closed; so an open bracket followed by a few characters and
then a colon before a mark, or a comma or full stop, is closed there (`close_brackets`).

A speck of dust between two digits reads as "."; where the number counts things (14台套, 23条,
12名) it cannot have a decimal point, so the point goes (`drop_count_points`). Money, years,
days and percentages can have one, and keep it.

Only scanned values are mended: a text layer holds what the applicant typed, and an unclosed
bracket or a 1.4台 there is theirs to answer for.
"""

from __future__ import annotations

import regex

MAX_INNER = 4  # a bracketed note longer than this may be a clause whose close is further on

_CHAR = r"[^\s（）()\[\]【】，。、；：,.;:！？!?“”\"'‘’《》]"
# The note may be broken over two rows of its cell: "34台（" / "套，设备…".
_INNER = rf"\s*{_CHAR}(?:\s*{_CHAR}){{0,{MAX_INNER - 1}}}"
# （套：、 / （套：<end>: the colon is the lost close
_COLON_FOR_CLOSE = regex.compile(
    rf"(?P<open>[（(])(?P<inner>{_INNER})(?P<space>\s*)[：:；;](?=\s*(?:[，。、；,.;]|$))"
)
# （套，设备 / （套。: the close is missing before the comma or full stop
_MISSING_CLOSE = regex.compile(rf"(?P<open>[（(])(?P<inner>{_INNER})(?P<space>\s*)(?=[，。；,;])")

_CLOSE_OF = {"（": "）", "(": ")"}

# Measure words of things counted whole. Not 个 (1.5个百分点), 倍, 年, 天, 元: those take a
# fraction.
COUNT_WORDS = "台套人名项次册部门条篇件届批家所位"
# ... unless the word starts a noun: 2019.3项目启动, 人员, 部门, 名称, 条件, 位置.
_NOT_COUNTS = "目员门称件置"
# A point between short digit runs (not a year's 2019.3) before a count word: 1.4台套.
_COUNT_POINT = regex.compile(
    rf"(?<=(?<![\d.．·])\d{{1,3}})[.．·](?=\d{{1,3}}\s*[{COUNT_WORDS}](?![{_NOT_COUNTS}]))"
)


def close_brackets(text: str) -> str:
    """`text` with each short bracketed note that a scan left open closed again."""
    def closed(m: regex.Match[str]) -> str:
        return f"{m['open']}{m['inner']}{m['space']}{_CLOSE_OF[m['open']]}"

    return _MISSING_CLOSE.sub(closed, _COLON_FOR_CLOSE.sub(closed, text))


def drop_count_points(text: str) -> str:
    """`text` without the points a scan put inside numbers of things counted whole."""
    return _COUNT_POINT.sub("", text)
