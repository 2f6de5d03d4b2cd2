"""Per-pair checks: length bounds, language, near-duplicates, untranslated Latin text.

Each check returns ``None`` (pass) or a short detail string; the caller records the reason
name (``too_short``, ``wrong_language``...) so the summary can count drops by cause.

Language: a script test first (a Chinese pair must be mostly Han characters without kana or
Hangul, which settles Chinese: langdetect's ko/ja profiles also hold Han characters and call
short Chinese medical text "ko", as the corpus stage found); then, for English,
``langdetect``'s public ``detect_langs``, seeded once for the process so the same text always
gets the same answer.

Near-duplicates: Jaccard similarity of word 3-grams (English) or character 3-grams (Chinese)
with exact verification. Candidates come from an inverted index of each question's *prefix*
shingles in one fixed global order (the prefix-filtering bound of set-similarity joins: two
sets with Jaccard >= t must share one of their first ``|x| - ceil(t*|x|) + 1`` shingles), so
no similar pair is missed and a common shingle such as "what is the" is rarely probed.
"""

from __future__ import annotations

import math
import re
import threading
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_KANA_HANGUL = re.compile(r"[\u3040-\u30ff\uac00-\ud7af]")
_WORD = re.compile(r"[a-z0-9]+")
_NOT_CONTENT = re.compile(r"[\W_]+", re.UNICODE)

_seed_lock = threading.Lock()
_seeded = False


def _langdetect():
    global _seeded
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    with _seed_lock:
        if not _seeded:
            DetectorFactory.seed = 0
            _seeded = True
    return detect_langs, LangDetectException


def cjk_share(text: str) -> float:
    """Share of CJK characters among CJK + Latin letters (0 when there is neither)."""
    c = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    return c / (c + latin) if c + latin else 0.0


def latin_share(text: str) -> float:
    """Share of Latin letters among CJK + Latin letters: untranslated text in a Chinese pair."""
    c = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    return latin / (c + latin) if c + latin else 0.0


def _script_problem(text: str, expected: str) -> str | None:
    share = cjk_share(text)
    if expected == "zh":
        if share < 0.5:
            return f"expected zh, {100 * share:.0f}% Chinese characters"
        if len(_KANA_HANGUL.findall(text)) > 0.1 * len(_CJK.findall(text)):
            return "expected zh, contains Japanese/Korean script"
    elif share > 0.2:
        return f"expected {expected}, {100 * share:.0f}% Chinese characters"
    return None


def language_problem(parts: Sequence[str] | str, expected: str) -> str | None:
    """``None`` when every part (question, answer...) is in ``expected`` (en/zh), else why not.

    The script test runs on each part (an English question with a Chinese answer fails);
    langdetect runs once, on the parts joined, and only for English: Han text without kana
    or Hangul is Chinese (langdetect's ko/ja profiles also hold Han characters and label short
    Chinese medical text "ko", the corpus stage's script guard).
    """
    parts = [parts] if isinstance(parts, str) else list(parts)
    for part in parts:
        problem = _script_problem(part, expected)
        if problem:
            return problem
    if expected == "zh":
        return None
    detect_langs, error = _langdetect()
    try:
        best = detect_langs("\n".join(parts))[0]
    except error:
        return "language not detectable"
    lang = "zh" if best.lang.startswith("zh") else best.lang
    if lang != expected:
        return f"expected {expected}, detected {best.lang} ({best.prob:.2f})"
    return None


@dataclass(frozen=True)
class LengthBounds:
    """Characters; Chinese text is counted x3 so the same bounds suit both languages."""

    min_question: int = 15
    max_question: int = 1500
    min_answer: int = 2
    max_answer: int = 4000

    @staticmethod
    def size(text: str) -> int:
        return len(text) + 2 * len(_CJK.findall(text))

    def problem(self, question: str, answer: str) -> tuple[str, str] | None:
        q, a = self.size(question), self.size(answer)
        if q < self.min_question:
            return "too_short", f"question {q} < {self.min_question}"
        if a < self.min_answer:
            return "too_short", f"answer {a} < {self.min_answer}"
        if q > self.max_question:
            return "too_long", f"question {q} > {self.max_question}"
        if a > self.max_answer:
            return "too_long", f"answer {a} > {self.max_answer}"
        return None


def normalize(text: str) -> str:
    """Lower case, no punctuation or spaces: the key of exact duplicates."""
    return _NOT_CONTENT.sub("", text.lower())


def shingles(text: str, n: int = 3) -> set[str]:
    if _CJK.search(text):
        s = normalize(text)
        return {s[i:i + n] for i in range(max(1, len(s) - n + 1))} if s else set()
    w = _WORD.findall(text.lower())
    if len(w) < n:
        return {" ".join(w)} if w else set()
    return {" ".join(w[i:i + n]) for i in range(len(w) - n + 1)}


def _order(shingle: str) -> int:
    return zlib.crc32(shingle.encode())


@dataclass
class NearDupIndex:
    """Exact and near-duplicate questions among those added so far."""

    threshold: float = 0.8
    _exact: dict[str, str] = field(default_factory=dict)
    _sets: list[set[str]] = field(default_factory=list)
    _ids: list[str] = field(default_factory=list)
    _prefix: dict[str, list[int]] = field(default_factory=dict)

    def _prefix_of(self, s: set[str]) -> list[str]:
        k = len(s) - math.ceil(self.threshold * len(s)) + 1
        return sorted(s, key=_order)[:max(1, k)]

    def check_add(self, pair_id: str, question: str) -> tuple[str, str] | None:
        """``(reason, detail)`` if ``question`` duplicates a kept one; else remember it."""
        key = normalize(question)
        if key in self._exact:
            return "duplicate_exact", f"same question as {self._exact[key]}"
        s = shingles(question)
        prefix = self._prefix_of(s) if s else []
        hits: Counter[int] = Counter()
        for g in prefix:
            for j in self._prefix.get(g, ()):
                hits[j] += 1
        for j in hits:
            other = self._sets[j]
            inter = len(s & other)
            jac = inter / (len(s) + len(other) - inter) if s or other else 0.0
            if jac >= self.threshold:
                return "duplicate_near", f"Jaccard {jac:.2f} with {self._ids[j]}"
        self._exact[key] = pair_id
        idx = len(self._sets)
        self._sets.append(s)
        self._ids.append(pair_id)
        for g in prefix:
            self._prefix.setdefault(g, []).append(idx)
        return None
