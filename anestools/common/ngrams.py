"""Long n-grams shared with a benchmark: the decontamination rule of every stage (corpus, qa).

English (and any Latin text): word 13-grams over lower-cased alphanumeric tokens, the GPT-3 /
lm-eval convention. Chinese: character 20-grams over the text with whitespace and punctuation
removed (Chinese has no word boundaries; 20 characters is about a 13-word span). Benchmark
texts shorter than ``n`` contribute nothing: a short option ("Propofol") is not evidence of
contamination.
n-grams are kept as strings (not Python ``hash``es, which differ between processes), so the
index gives the same answer in every worker, Slurm job or Ray task.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

WORD_N = 13
CHAR_N = 20
_WORD = re.compile(r"[a-z0-9]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_NOT_CONTENT = re.compile(r"[\W_]+", re.UNICODE)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _chars(text: str) -> str:
    return _NOT_CONTENT.sub("", text.lower())


def word_ngrams(text: str, n: int = WORD_N) -> Iterable[str]:
    w = _words(text)
    return (" ".join(w[i : i + n]) for i in range(len(w) - n + 1))


def char_ngrams(text: str, n: int = CHAR_N) -> Iterable[str]:
    c = _chars(text)
    return (c[i : i + n] for i in range(len(c) - n + 1))


@dataclass
class NGramIndex:
    """The benchmark's word and character n-grams."""

    word_n: int = WORD_N
    char_n: int = CHAR_N
    words: set[str] = field(default_factory=set)
    chars: set[str] = field(default_factory=set)

    @classmethod
    def from_texts(cls, texts: Iterable[str], word_n: int = WORD_N, char_n: int = CHAR_N) -> NGramIndex:
        idx = cls(word_n, char_n)
        for t in texts:
            idx.words.update(word_ngrams(t, word_n))
            if _CJK.search(t):
                idx.chars.update(g for g in char_ngrams(t, char_n) if _CJK.search(g))
        return idx

    def __len__(self) -> int:
        return len(self.words) + len(self.chars)

    def __deepcopy__(self, memo: dict) -> NGramIndex:
        # Read-only after from_texts: datatrove deep-copies the pipeline for every local task,
        # and copying a benchmark's millions of n-grams each time would cost seconds.
        return self

    def overlaps(self, text: str) -> bool:
        """True when ``text`` shares at least one n-gram with the benchmark."""
        if self.words and any(g in self.words for g in word_ngrams(text, self.word_n)):
            return True
        return bool(self.chars and _CJK.search(text) and any(g in self.chars for g in char_ngrams(text, self.char_n)))
