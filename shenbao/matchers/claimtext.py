"""Clean an honour as written on a form down to the words that name it; find its year.

A claim arrives wrapped: "1、2017年获山西省“三晋技术能手”荣誉称号（2019）", "享受国务院政府
特殊津贴的高级技师", "国务院特殊津贴专家". `normalise_claim` strips numbering, years, brackets,
quotes, award verbs and 称号, and rewrites the few families that are spelled many ways
(政府特殊津贴, 非物质文化遗产…传承人, 劳模, 五一) to one spelling. Recognised titles go through
the same function, so both sides of a comparison are spelled alike.
"""

from __future__ import annotations

import re
import unicodedata

from shenbao.matchers.lookalikes import fold

_CN_DIGITS = {
    "〇": "0",
    "○": "0",
    "零": "0",
    "Ｏ": "0",
    "一": "1",
    "二": "2",
    "三": "3",
    "四": "4",
    "五": "5",
    "六": "6",
    "七": "7",
    "八": "8",
    "九": "9",
}

# A year standing alone (not part of a longer number such as an ID or certificate number).
_YEAR = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})(?![0-9])")
_CN_YEAR = re.compile(r"([一二〇○零三四五六七八九]{4})\s*年")
MIN_YEAR, MAX_YEAR = 1949, 2100

_NUMBERING = re.compile(
    r"^\s*(?:[(（]\s*[0-9一二三四五六七八九十]+\s*[)）]|[0-9]{1,2}\s*[、.．)）]|[一二三四五六七八九十]+\s*[、.．]"
    r"|[①-⑳])\s*"
)
# years with their trimmings: 2019年度 / 2019年5月 / 2019.05 / 2019-05-12 / 第十届 / 2019
_DATEISH = re.compile(
    r"(?:19|20)[0-9]{2}\s*(?:年度|年)?\s*(?:[0-9]{1,2}\s*月\s*(?:[0-9]{1,2}\s*日)?)?"
    r"|(?:19|20)[0-9]{2}[.\-/][0-9]{1,2}(?:[.\-/][0-9]{1,2})?"
    r"|[一二〇○零三四五六七八九]{4}\s*年(?:度)?(?:[一二三四五六七八九十]{1,3}月)?"
    r"|第\s*[0-9一二三四五六七八九十百]+\s*(?:届|批|次)"
)
_BRACKETED = re.compile(r"[(\[（【〔［][^()\[\]（）【】〔〕［］]*[)\]）】〕］]")
_BRACKET_CHARS = re.compile(r"[()\[\]（）【】〔〕［］<>《》〈〉]")
_QUOTES_PUNCT = re.compile(r"[\"'“”‘’「」『』〝〞＂＇`´，,。.;；:：、·•・!！?？~～\-—_/\\|\s]+")

# Award verbs and wrappers around a title. They never occur inside a recognised title, so
# removing them anywhere is safe (the check lives in tests: every title survives unchanged).
_FILLERS = (
    "荣誉称号",
    "光荣称号",
    "称号",
    "荣誉证书",
    "证书",
    "奖状",
    "荣誉",
    "获得者",
    "获奖者",
    "荣获",
    "被授予",
    "授予",
    "被评为",
    "评为",
    "被命名为",
    "命名为",
    "入选",
    "当选",
    "获得",
    "获",
    "授",
    "被",
    "的",
)
_FILLER_RE = re.compile("|".join(re.escape(fold(w)) for w in sorted(_FILLERS, key=len, reverse=True)))

# Spelling families: (pattern on folded text, replacement)
_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(fold(p)), fold(r))
    for p, r in (
        (r"享受", ""),
        # 津贴 + who gets it: 享受国务院政府特殊津贴的高级技师 / 国务院特殊津贴专家
        (r"津贴(?:高级技师|技师|专家|人员|人才|获得者)", "津贴"),
        (r"专项津贴", "特殊津贴"),
        (r"人民政府", "政府"),
        (r"国务院(?:政府)?(?:特殊)?津贴", "国务院政府特殊津贴"),
        (r"政府(?:特殊)?津贴", "政府特殊津贴"),
        (r"(?<!政府)特殊津贴", "政府特殊津贴"),
        # 非物质文化遗产代表性项目“XX”代表性传承人 -> 非遗传承人 (the project name does not matter)
        (r"非物质文化遗产", "非遗"),
        (r"非遗.{0,16}?传承人", "非遗传承人"),
        (r"劳模", "劳动模范"),
        (r"(?:五[.·•・]?一|5[.·•・]?1)", "五一"),
        (r"工程$", ""),  # 草原英才工程
    )
)


def _cn_year(digits: str) -> int:
    return int("".join(_CN_DIGITS[c] for c in digits))


def extract_year(text: str) -> int | None:
    """The first plausible year (1949–2100) written in the text: 2019年, （2019）, 2019.05, 二〇一九年.

    Digits inside longer numbers (ID numbers, certificate numbers) are not years.
    """
    if not text:
        return None
    norm = unicodedata.normalize("NFKC", text)
    candidates: list[tuple[int, int]] = []
    for m in _YEAR.finditer(norm):
        candidates.append((m.start(), int(m.group(1))))
    for m in _CN_YEAR.finditer(norm):
        candidates.append((m.start(), _cn_year(m.group(1))))
    for _, year in sorted(candidates):
        if MIN_YEAR <= year <= MAX_YEAR:
            return year
    return None


def _drop_side_brackets(text: str) -> str:
    """Drop bracketed asides (issuer, remarks) when there is a title outside the brackets."""
    outside = _BRACKETED.sub("", text)
    if len(re.findall(r"[\u4e00-\u9fff]", outside)) >= 2:
        return outside
    return text


def normalise_claim(text: str) -> str:
    """The words that name the honour: folded, without numbering, years, quotes, verbs, 称号."""
    # circled numbers (③) turn into plain digits under NFKC: strip numbering before and after folding
    s = fold(_NUMBERING.sub("", text or ""))
    s = _NUMBERING.sub("", s)
    s = _DATEISH.sub("", s)
    s = _drop_side_brackets(s)
    s = _BRACKET_CHARS.sub("", s)
    s = _QUOTES_PUNCT.sub("", s)
    s = _FILLER_RE.sub("", s)
    for pattern, repl in _REWRITES:
        s = pattern.sub(repl, s)
    return s
