"""Fields with a closed set of values: gender, ethnic group, skill level, 是/否, 政治面貌."""

from __future__ import annotations

import re

from shenbao.extractors.normalize.text import is_placeholder, nfkc

# Marks a form uses to tick one of several printed options, and the empty box.
_CHECKED = "☑✓✔√■☒▣●◉⊠☒✗✘xX×"
_UNCHECKED = "□☐○◯〇"


def _ticked_option(text: str, options: tuple[str, ...]) -> str | None:
    """With printed options and tick boxes ("☑男 □女", "男□ 女√"), the option next to a tick.

    None when the text has no tick boxes, or the ticks do not single out one option.
    """
    if not any(c in _UNCHECKED for c in text) and not any(c in "☑✓✔√■☒▣⊠" for c in text):
        return None
    chosen = set()
    for opt in options:
        for m in re.finditer(re.escape(opt), text):
            before = text[m.start() - 1] if m.start() > 0 else ""
            after = text[m.end()] if m.end() < len(text) else ""
            if (before and before in _CHECKED) or (after and after in _CHECKED):
                chosen.add(opt)
    return chosen.pop() if len(chosen) == 1 else None


# --- 性别 --------------------------------------------------------------------------------


def normalize_gender(raw: str | None) -> str | None:
    """`男` or `女`: 男/男性/M/Male, 女/女性/F/Female, a ticked box. None when unclear."""
    if raw is None or is_placeholder(raw):
        return None
    text = re.sub(r"\s+", "", nfkc(raw))
    ticked = _ticked_option(text, ("男", "女"))
    if ticked:
        return ticked
    male, female = "男" in text, "女" in text
    if male != female:
        return "男" if male else "女"
    low = text.lower()
    if low in ("m", "male", "man"):
        return "男"
    if low in ("f", "female", "woman"):
        return "女"
    return None


# --- 民族 --------------------------------------------------------------------------------

# The 56 ethnic groups of GB/T 3304, without the trailing 族.
ETHNIC_GROUPS: tuple[str, ...] = (
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白",
    "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西",
    "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌",
    "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔",
    "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
)
# Short forms in everyday use.
_ETHNIC_ALIASES: dict[str, str] = {"蒙": "蒙古", "维": "维吾尔", "哈": "哈萨克", "柯": "柯尔克孜"}
_ETHNIC_BY_LENGTH = sorted(ETHNIC_GROUPS, key=len, reverse=True)


def normalize_ethnicity(raw: str | None) -> str | None:
    """Full name with 族: 汉 → 汉族, 蒙古 → 蒙古族, 维族 → 维吾尔族, 汉族 → 汉族.

    The longest group name the text starts with wins (so 土家 is not 土); an OCR slip after
    the name ("汉战") is tolerated. Text that names no group is returned cleaned (a value such
    as 穿青人 or 外国血统 is still a value).
    """
    if raw is None or is_placeholder(raw):
        return None
    text = re.sub(r"\s+", "", nfkc(raw))
    text = re.sub(r"^民族[:：]?", "", text)
    if not text:
        return None
    for alias, full in _ETHNIC_ALIASES.items():
        if text in (alias, alias + "族"):
            return full + "族"
    for name in _ETHNIC_BY_LENGTH:
        if text.startswith(name):
            rest = text[len(name) :]
            # "土家族" must not read as 土 + 家族; a longer name was tried first, so a rest that
            # is not 族-ish means a different word — except a single OCR slip for 族.
            if rest in ("", "族") or (len(rest) == 1 and len(name) + 1 == len(text)):
                return name + "族"
    return text


# --- 职业技能等级 ------------------------------------------------------------------------

SKILL_LEVELS: tuple[str, ...] = ("初级工", "中级工", "高级工", "技师", "高级技师", "特级技师", "首席技师")
_GRADE_TO_LEVEL: dict[str, str] = {"五": "初级工", "四": "中级工", "三": "高级工", "二": "技师", "一": "高级技师"}
_ARABIC_GRADE = {"5": "五", "4": "四", "3": "三", "2": "二", "1": "一"}
# Named levels, highest first: the first found wins, so 高级技师 is found before 技师 and
# 高级工程师 (a title) is not 高级工.
_NAMED = (
    ("首席技师", re.compile(r"首席技师")),
    ("特级技师", re.compile(r"特级技师")),
    ("高级技师", re.compile(r"高级技师")),
    ("技师", re.compile(r"(?<!高级)(?<!特级)(?<!首席)技师")),
    ("高级工", re.compile(r"高级工(?!程|艺美术)")),
    ("中级工", re.compile(r"中级工(?!程)")),
    ("初级工", re.compile(r"初级工(?!程)")),
)
# "一级" with OCR reading 一 as a dash; "国家职业资格二级"; "2级"; "一级/高级技师" is caught by name.
_GRADE = re.compile(r"(?<![\d一二三四五六七八九十])([一二三四五1-5]|[—－\-–])\s*级")
# OCR slips of the level names that keep their shape: 高级技手 / 高级技帅, 技帅.
_FUZZY = (
    ("高级技师", re.compile(r"高级技[师帅币手市卯]|高级枝师|高级技.?(?:$|[(（/、\s])")),
    ("技师", re.compile(r"(?<!高级)技[帅币手卯]|枝师")),
)


def normalize_skill_level(raw: str | None) -> str | None:
    """One of 初级工, 中级工, 高级工, 技师, 高级技师, 特级技师, 首席技师, or None.

    Reads named levels ("技师（二级）", "高级技师(一级)", "一级/高级技师") and grades
    (五级…一级 → 初级工…高级技师, "国家职业资格二级"). A name beats a grade when both are
    written; a grade beats an OCR-garbled name ("一级 高级技手").
    """
    if raw is None or is_placeholder(raw):
        return None
    text = re.sub(r"\s+", "", nfkc(raw))
    for level, pattern in _NAMED:
        if pattern.search(text):
            return level
    m = _GRADE.search(text)
    if m:
        grade = m.group(1)
        grade = _ARABIC_GRADE.get(grade, "一" if grade in "—－-–" else grade)
        return _GRADE_TO_LEVEL[grade]
    for level, pattern in _FUZZY:
        if pattern.search(text):
            return level
    return None


def skill_level_rank(level: str | None) -> int | None:
    """Order of a normalised level (初级工 = 0 … 首席技师 = 6), for minimum-level rules."""
    return SKILL_LEVELS.index(level) if level in SKILL_LEVELS else None


# --- 是/否 -------------------------------------------------------------------------------

_NO = re.compile(r"否|不是|非|未|没有|无")
_YES = re.compile(r"是|已|有")


def normalize_yes_no(raw: str | None) -> str | None:
    """`是` or `否` for 是否… cells: 是/否, ticked boxes, 已授牌/未授牌, 非央企, Y/N.

    A bare 无 answers the question ("是否已经授牌：无" means no), so it reads as 否.
    """
    if raw is None:
        return None
    text = re.sub(r"\s+", "", nfkc(raw))
    if text in ("无", "没有"):
        return "否"
    if is_placeholder(text):
        return None
    ticked = _ticked_option(text, ("是", "否"))
    if ticked:
        return ticked
    low = text.lower()
    if low in ("y", "yes", "true", "1"):
        return "是"
    if low in ("n", "no", "false", "0"):
        return "否"
    # The answer usually leads ("是（XX集团）", "否，"); a label may precede it ("是否央企：否").
    text = re.sub(r"^是否[^:：]*[:：]", "", text).replace("是否", "")
    if text[:1] in ("是", "否"):
        return text[0]
    if _NO.search(text):
        return "否"
    if _YES.search(text):
        return "是"
    return None


# --- 政治面貌 ----------------------------------------------------------------------------

# Canonical names of GB/T 4762, most specific pattern first.
_POLITICAL: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("中共预备党员", re.compile(r"预备党员")),
    ("中共党员", re.compile(r"中共党员|中国共产党党?员|共产党员|^党员$|^中共$")),
    ("共青团员", re.compile(r"共青团员|^团员$|共青团")),
    ("民革党员", re.compile(r"民革")),
    ("民盟盟员", re.compile(r"民盟|民主同盟")),
    ("民建会员", re.compile(r"民建|民主建国会")),
    ("民进会员", re.compile(r"民进|民主促进会")),
    ("农工党党员", re.compile(r"农工")),
    ("致公党党员", re.compile(r"致公")),
    ("九三学社社员", re.compile(r"九三")),
    ("台盟盟员", re.compile(r"台盟|台湾民主自治同盟")),
    ("无党派人士", re.compile(r"无党派")),
    ("群众", re.compile(r"群众")),
)


def normalize_political(raw: str | None) -> str | None:
    """政治面貌 under its GB/T 4762 name (党员 → 中共党员, 民盟 → 民盟盟员); other text cleaned."""
    if raw is None or is_placeholder(raw):
        return None
    text = re.sub(r"\s+", "", nfkc(raw))
    for name, pattern in _POLITICAL:
        if pattern.search(text):
            return name
    return text
