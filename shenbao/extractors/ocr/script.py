"""Traditional characters in OCR output turned into their simplified forms.

The recogniser's dictionary holds both scripts, and on a blurred or thin glyph it now and then
picks the traditional form (马 read as 馬, 黄 as 黃). The forms and certificates this project
reads are printed in simplified characters, so such a character is a misreading; left alone it
turns a correct name into a NAME_MISMATCH. OpenCC's phrase-aware t2s conversion is used rather
than a character table, so characters that are simplified forms in some words (乾隆) stay.
Only OCR text goes through this: a text layer says what is written.
"""

from __future__ import annotations

import functools
import re

# Lines without any Han character (numbers, e-mail addresses) need no conversion.
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@functools.cache
def _converter():  # one per process: loading the dictionaries takes ~50 ms
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    if not text or not _HAN.search(text):
        return text
    return _converter().convert(text)
