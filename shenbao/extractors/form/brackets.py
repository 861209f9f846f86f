"""Closing brackets a scan lost, in scanned free text.

A full-width ）is a thin arc. On a coarse 1-bit scan or a worn copy it falls apart into two
dots that the recogniser reads as ：, or it vanishes, while the （ before it survives: "设备
11台（套：、多媒体…", "设备34台（套，设备总值…" (dev corpus and its degraded copies). Written
Chinese never sets a colon straight before another mark, and a form's short bracketed note
(（套）, （人）, （万元）) is always closed; so an open bracket followed by a few characters and
then a colon before a mark, or a comma or full stop, is closed there.

Only scanned values are mended: a text layer holds what the applicant typed, and an unclosed
bracket there is theirs to answer for.
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


def close_brackets(text: str) -> str:
    """`text` with each short bracketed note that a scan left open closed again."""
    def closed(m: regex.Match[str]) -> str:
        return f"{m['open']}{m['inner']}{m['space']}{_CLOSE_OF[m['open']]}"

    return _MISSING_CLOSE.sub(closed, _COLON_FOR_CLOSE.sub(closed, text))
