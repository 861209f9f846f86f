"""How well two Chinese characters go together, from a word-frequency list.

The recogniser reads each character on its own evidence: where a 1-bit scan has broken a
stroke, 项目 comes out 项日 and 东侧 东制, although the frames still give the right character as
a close second. Which of two near-equal readings is Chinese is what a language model knows.

No language model ships in a pinned wheel, but wordfreq's Chinese word list does (334,000
words with their frequencies, from Wikipedia, subtitles, news and the web; Apache-2.0 code,
CC BY-SA data). From it this module derives a character bigram model: each word is a run of
characters between word boundaries, so P(b | a) = (times b follows a inside a word + times a
ends a word × share of words that start with b) / times a occurs. What a decoder is given is the
pointwise mutual information log P(b | a) / P(b): positive where the pair is a word or part of
one (项目 +5.9, 吕梁 +6.0), near 0 for unrelated characters, negative where a pair is rare
(项日 −0.2, 学义 −2.0). Only simplified characters are in the model: the forms are printed in
them, and a traditional form must never be preferred (the recogniser's dictionary has both).
Characters the model does not hold (digits, Latin, marks, rare names) score 0 with anything.
"""

from __future__ import annotations

import functools
import math
import re
from collections import defaultdict
from dataclasses import dataclass

HAN = "[\u4e00-\u9fff]"  # the characters the model is built from (CJK Unified Ideographs)
_HAN_WORD = re.compile(f"{HAN}+")


@dataclass(frozen=True)
class CharBigrams:
    count: dict[str, float]  # frequency mass of each character (all its occurrences)
    follows: dict[tuple[str, str], float]  # b right after a inside a word
    ends: dict[str, float]  # a as a word's last character
    starts: dict[str, float]  # b as a word's first character
    total_starts: float
    total_count: float
    smoothing: float = 0.02  # share of the plain character frequency mixed in (unseen pairs)

    def knows(self, ch: str) -> bool:
        return ch in self.count

    def pmi(self, a: str, b: str) -> float:
        """log P(b | a) / P(b); 0 when either character is not in the model."""
        ca, cb = self.count.get(a), self.count.get(b)
        if not ca or not cb:
            return 0.0
        inside = self.follows.get((a, b), 0.0)
        across = self.ends.get(a, 0.0) * self.starts.get(b, 0.0) / self.total_starts
        after = (inside + across) / ca
        prior = cb / self.total_count
        return math.log(((1.0 - self.smoothing) * after + self.smoothing * prior) / prior)

    @classmethod
    def from_words(cls, words: dict[str, float]) -> CharBigrams:
        """From {word: frequency}; words holding a character outside simplified Han are left out."""
        count: dict[str, float] = defaultdict(float)
        follows: dict[tuple[str, str], float] = defaultdict(float)
        ends: dict[str, float] = defaultdict(float)
        starts: dict[str, float] = defaultdict(float)
        candidates = {w: f for w, f in words.items() if f > 0 and _HAN_WORD.fullmatch(w)}
        traditional = _traditional({ch for w in candidates for ch in w})
        for word, freq in candidates.items():
            if any(ch in traditional for ch in word):
                continue
            starts[word[0]] += freq
            ends[word[-1]] += freq
            for i, ch in enumerate(word):
                count[ch] += freq
                if i:
                    follows[(word[i - 1], ch)] += freq
        return cls(dict(count), dict(follows), dict(ends), dict(starts),
                   sum(starts.values()) or 1.0, sum(count.values()) or 1.0)


def _traditional(chars: set[str]) -> set[str]:
    """Characters that are traditional forms (the t2s conversion changes them on their own)."""
    from shenbao.extractors.ocr.script import to_simplified

    return {ch for ch in chars if to_simplified(ch) != ch}


@functools.cache
def load() -> CharBigrams:
    """The model from wordfreq's list (built once per process, ~3 s)."""
    import wordfreq

    return CharBigrams.from_words(wordfreq.get_frequency_dict("zh", wordlist="large"))
