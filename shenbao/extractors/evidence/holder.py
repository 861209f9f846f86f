"""Who a certificate is made out to, whatever the template's wording.

Certificates name their holder in a handful of ways, and a reader that knows one of them
misses the others (a holder line ending 同学： instead of 同志：). Each way is tried, surest
first, on the page's visual rows (shenbao.extractors.evidence.layout):

1. before a salutation (data/certificates.yaml `salutations`): "张三同志：", "蔡文雅 同学：",
   "授予 刘宇航 同志", "殷成文姚鹏郭思邈 同学" (several holders, cut into names);
2. after a salutation and a colon: "同学：朱毅"; after a team's holder label and a colon
   (`holder_labels`): "参赛学生：毛文祥崔仕明闫绮张宇欣", "队员：奚冬博 孙天旭";
3. opening a line before what the holder did (`acts`): "余升桔 参加 2023年…考试";
4. after a granting word: "授予王五“全国技术能手”称号";
5. a short line "张三：" that opens the text;
6. a name alone on its line in the upper part of the page (a blank filled in by hand); not
   on documents that print other short lines (`alone=False`: qualification certificates).

Whatever the way, a candidate is a name only when it looks like one: two to four Han
characters (a compound surname or a list of names aside), none of the printed words a holder
line stands among (`not_names`: 荣获, 指导单位 …), its first character a surname and the others
characters names are written with (data/name_chars.tsv). A label is never a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shenbao.extractors.evidence.layout import PageText
from shenbao.extractors.evidence.model import Value
from shenbao.extractors.evidence.phrases import CertificatePhrases, load_phrases
from shenbao.extractors.ocr import namelm


@dataclass(frozen=True)
class HolderSettings:
    # Mean log probability per character of a name, by the name tables, at or above this.
    min_mean_logp: float = -9.5
    # A name alone on its line stands above this share of the page's text height.
    alone_top: float = 0.6
    # How much less sure each way is than the first (a multiplier of the OCR confidence).
    after_colon: float = 0.95
    after_grant: float = 0.95
    opening: float = 0.9
    alone: float = 0.85
    several: float = 0.9

    def __post_init__(self) -> None:
        if not 0 < self.alone_top <= 1:
            raise ValueError("alone_top must be in (0, 1]")
        for name in ("after_colon", "after_grant", "opening", "alone", "several"):
            if not 0 < getattr(self, name) <= 1:
                raise ValueError(f"{name} must be in (0, 1]")


_HAN = r"[\u3400-\u9fff]"


def plausible_name(text: str, phrases: CertificatePhrases, settings: HolderSettings) -> bool:
    """Two to four Han characters (a · between the parts of a minority name allowed) that look
    like a person's name and are none of the certificate's printed words."""
    bare = text.replace("·", "")
    if not 2 <= len(bare) <= 4 or not re.fullmatch(f"{_HAN}+", bare):
        return False
    if any(word in bare for word in phrases.not_names if len(word) >= 2) or bare in phrases.not_names:
        return False
    chars = namelm.load()
    first = chars.surname.get(bare[0])
    rest = [chars.given.get(c) for c in bare[1:]]
    if first is None or any(r is None for r in rest):
        return False
    return (first + sum(r for r in rest if r is not None)) / len(bare) >= settings.min_mean_logp


def split_names(run: str, phrases: CertificatePhrases, settings: HolderSettings) -> list[str] | None:
    """A run before a salutation cut into names: by its separators, or (several holders written
    without any) into 2-3 character names, the likeliest cut by the name tables."""
    parts = [p for p in re.split(r"[、，,\s]+", run) if p]
    if len(parts) > 1:
        return parts if all(plausible_name(p, phrases, settings) for p in parts) else None
    if plausible_name(run, phrases, settings):
        return [run]
    chars = namelm.load()
    best: dict[int, tuple[float, list[str]]] = {0: (0.0, [])}
    for end in range(1, len(run) + 1):
        for size in (2, 3):
            start = end - size
            if start not in best:
                continue
            piece = run[start:end]
            if not plausible_name(piece, phrases, settings):
                continue
            score = best[start][0] + sum(chars.log_prob(c, k) or -20.0 for k, c in enumerate(piece))
            if end not in best or score > best[end][0]:
                best[end] = (score, [*best[start][1], piece])
    found = best.get(len(run))
    return found[1] if found is not None and len(found[1]) > 1 else None


def read_holder(pt: PageText, phrases: CertificatePhrases | None = None,
                settings: HolderSettings | None = None, alone: bool = True) -> Value | None:
    phrases = phrases or load_phrases()
    settings = settings or HolderSettings()
    ways = [_before_salutation, _after_salutation, _after_holder_label, _before_act, _after_grant, _opening]
    for way in ways + ([_alone] if alone else []):
        value = way(pt, phrases, settings)
        if value is not None:
            return value
    return None


def _value(pt: PageText, ri: int, i: int, j: int, text: str, factor: float) -> Value:
    span = pt.span(ri, i, j)
    return Value(value=text, raw=span.text, page=span.page, bbox=span.bbox,
                 confidence=round(span.confidence * factor, 3))


_ASIDE = re.compile(r"[（(][\sA-Za-z0-9\-]{2,24}[)）]\s*$")


def _before_salutation(pt: PageText, phrases: CertificatePhrases, settings: HolderSettings) -> Value | None:
    salute = re.compile(rf"(?:{phrases.alternatives('salutations')})")
    grants = re.compile(rf"^(?:{phrases.alternatives('grants')})")
    for ri, row in enumerate(pt.rows):
        for m in salute.finditer(row.text):
            before = row.text[: m.start()].rstrip()
            # a student or staff number in brackets between name and salutation is an aside
            aside = _ASIDE.search(before)
            if aside is not None:
                before = before[: aside.start()].rstrip()
            token = re.search(r"[\u3400-\u9fff·、，,]+$", before)
            if token is None:
                continue
            run, start = token.group(0), token.start()
            g = grants.match(run)
            if g is not None and len(run) - g.end() >= 2:
                run, start = run[g.end():], start + g.end()
            names = split_names(run.strip("、，,"), phrases, settings)
            if not names:
                continue
            factor = settings.several if len(names) > 1 and not re.search(r"[、，,]", run) else 1.0
            return _value(pt, ri, start, start + len(run), "、".join(names), factor)
    return None


def _after_holder_label(pt: PageText, phrases: CertificatePhrases, settings: HolderSettings) -> Value | None:
    """The names after a team's holder label: "参赛学生：毛文祥崔仕明闫绮张宇欣"."""
    rx = re.compile(rf"(?:{phrases.alternatives('holder_labels')})\s*[：:]\s*([\u3400-\u9fff·、，, ]{{2,48}})")
    for ri, row in enumerate(pt.rows):
        for m in rx.finditer(row.text):
            run = m.group(1).strip(" 、，,")
            names = split_names(run, phrases, settings)
            if names:
                start = m.start(1)
                return _value(pt, ri, start, start + len(run), "、".join(names),
                              settings.after_colon * (settings.several if len(names) > 1 else 1.0))
    return None


def _named_by(pt: PageText, rx: re.Pattern[str], phrases: CertificatePhrases, settings: HolderSettings,
              factor: float, rows: int | None = None) -> Value | None:
    """The first name (group 1 of `rx`, searched in each row from the top) that looks like one."""
    for ri, row in enumerate(pt.rows[:rows]):
        for m in rx.finditer(row.text):
            if plausible_name(m.group(1), phrases, settings):
                return _value(pt, ri, m.start(1), m.end(1), m.group(1), factor)
    return None


def _after_salutation(pt: PageText, phrases: CertificatePhrases, settings: HolderSettings) -> Value | None:
    rx = re.compile(rf"^\s*(?:{phrases.alternatives('salutations')})\s*[：:]\s*({_HAN}[\u3400-\u9fff·]{{1,5}})(?=\s|$)")
    return _named_by(pt, rx, phrases, settings, settings.after_colon)


def _before_act(pt: PageText, phrases: CertificatePhrases, settings: HolderSettings) -> Value | None:
    rx = re.compile(rf"^\s*({_HAN}[\u3400-\u9fff·]{{1,4}}?)\s*(?:{phrases.alternatives('acts')})")
    return _named_by(pt, rx, phrases, settings, settings.after_grant)


def _after_grant(pt: PageText, phrases: CertificatePhrases, settings: HolderSettings) -> Value | None:
    rx = re.compile(rf"(?:{phrases.alternatives('grants')})\s*({_HAN}{{2,4}})(?=\s|[“\"「『]|$)")
    return _named_by(pt, rx, phrases, settings, settings.after_grant)


def _opening(pt: PageText, phrases: CertificatePhrases, settings: HolderSettings) -> Value | None:
    rx = re.compile(rf"^\s*({_HAN}[\u3400-\u9fff·]{{1,4}})\s*[：:]\s*$")
    return _named_by(pt, rx, phrases, settings, settings.opening, rows=12)


def _alone(pt: PageText, phrases: CertificatePhrases, settings: HolderSettings) -> Value | None:
    if not pt.rows:
        return None
    top, bottom = pt.rows[0].bbox[1], pt.rows[-1].bbox[3]
    limit = top + settings.alone_top * (bottom - top)
    for ri, row in enumerate(pt.rows):
        if row.bbox[1] > limit:
            break
        m = re.fullmatch(rf"\s*({_HAN}[\u3400-\u9fff·]{{1,4}})\s*", row.text)
        if m and plausible_name(m.group(1), phrases, settings):
            return _value(pt, ri, m.start(1), m.end(1), m.group(1), settings.alone)
    return None
