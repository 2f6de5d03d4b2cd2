"""langdetect, batched: the same probabilities as ``langdetect`` for many texts at once.

Usage::

    from anestools.corpus.steps.langdetect_batch import BatchDetector

    detector = BatchDetector()                     # loads langdetect's profiles (once per process)
    detector.probabilities(["An anesthesia text", "麻醉"])  # [[("en", 0.99...)], [("zh-cn", ...)]]
    detector.detect(["An anesthesia text", "12345"])        # ["en", None]

Why: langdetect is pure Python, and it ran on every surviving page of ``corpus build``
(about 1.1 ms per page even after a first rewrite, more than screening the other 99% of the
input). Its algorithm per text: normalise the characters, extract the 1-, 2- and 3-grams known
to the profiles, then 7 trials that each draw random n-grams and multiply 55 language
probabilities by ``alpha / BASE_FREQ + p(n-gram | language)``, normalising every 5 draws
until one language passes 0.99999 (or 1,000 draws).

What we keep, bit for bit: langdetect's profiles, its text preparation (URL/e-mail removal,
Vietnamese normalisation, space runs, the Latin/non-Latin cleaning), its n-gram order, its
random sequence (each text gets ``random.Random(seed)`` and the same ``gauss`` and
``random.choice`` draws, as ``Detector._detect_block`` does after ``self.random.seed(seed)``),
and every floating-point operation in the same order (one multiplication per draw and
language, Python's own left-to-right sum for the normalisation). Tests compare the
probabilities with langdetect's ``detect_langs`` for equality, not closeness.

What we change is only how the work is done:

- n-grams are extracted per *word*, from a cache: langdetect's n-gram buffer restarts at
  every space, so a word's n-grams (and its all-capitals rule) do not depend on its
  neighbours, and web text repeats its words;
- the trials of a whole batch of texts advance together: each step draws (in Python, from
  each text's own generator) the next block of n-grams of every unfinished trial, then numpy
  updates all of them in a few array operations instead of one call per draw.
"""

from __future__ import annotations

import random
import re
import sys
from collections.abc import Sequence

import numpy as np

_SPACE_RUNS = re.compile(" {2,}")
_LATIN = re.compile("[A-z]")  # langdetect's own test: 'A' <= ch <= 'z' (includes [\\]^_`)
# langdetect counts as non-Latin: ch >= U+0300 outside the "Latin Extended Additional" block.
_NON_LATIN = re.compile("[\u0300-\u1dff\u1f00-\U0010ffff]")
_WORD_CACHE_LIMIT = 200_000
# Python < 3.12 sums a list of floats left to right in a C double, which is what a cumulative
# sum computes; 3.12+ compensates the rounding (Neumaier), so there we call sum() itself.
_PLAIN_SUM = sys.version_info < (3, 12)


def _check_randbelow() -> None:
    """Our inlined ``random.choice`` must draw what this Python's ``Random._randbelow`` draws."""
    ours, theirs = random.Random(7), random.Random(7)
    for n in (1, 2, 3, 5, 7, 100, 255, 256, 257, 1000, 2999, 3000):
        for _ in range(20):
            k = n.bit_length()
            r = ours.getrandbits(k)
            while r >= n:
                r = ours.getrandbits(k)
            if r != theirs._randbelow(n):
                raise RuntimeError("this Python's random.choice differs from the one anestools inlines")


class _NormTable(dict):
    """``str.translate`` table: langdetect's per-character normalisation, once per code point."""

    def __init__(self, normalize):
        super().__init__()
        self._normalize = normalize

    def __missing__(self, code: int) -> str:
        ch = self._normalize(chr(code))
        self[code] = ch
        return ch


class BatchDetector:
    """langdetect's ``Detector`` for a list of texts (see the module docstring)."""

    def __init__(self, seed: int = 0, max_text_length: int = 10_000):
        from langdetect import detector_factory
        from langdetect.detector import Detector
        from langdetect.utils.ngram import NGram

        _check_randbelow()
        detector_factory.init_factory()  # loads the 55 profiles once per process
        factory = detector_factory._factory
        self.langlist: list[str] = list(factory.langlist)
        self._profiles: dict[str, list[float]] = factory.word_lang_prob_map
        self.seed = seed
        self.max_text_length = max_text_length
        self._url_re, self._mail_re = Detector.URL_RE, Detector.MAIL_RE
        self._normalize_vi = NGram.normalize_vi
        self._norm = _NormTable(NGram.normalize)
        self._alpha, self._alpha_width = Detector.ALPHA_DEFAULT, Detector.ALPHA_WIDTH
        self._base_freq = Detector.BASE_FREQ
        self._n_trial = 7
        self._iteration_limit = Detector.ITERATION_LIMIT
        self._conv = Detector.CONV_THRESHOLD
        self._prob_threshold = Detector.PROB_THRESHOLD
        n = len(self.langlist)
        self._init = np.full(n, 1.0 / n)  # langdetect: [1.0 / n] * n (no prior map)
        # n-gram -> row of self._matrix (its probability per language), added as n-grams appear
        self._row_of: dict[str, int] = {}
        self._buffer = np.empty((0, n))
        self._matrix = self._buffer
        self._words: dict[str, tuple[tuple[int, ...], int]] = {}  # word -> (rows, trailing rows)

    # -- text preparation and n-grams (langdetect's append, cleaning_text, _extract_ngrams) ----
    def _prepare(self, text: str) -> str:
        # Each regex only runs where it can match: a URL needs "http", an e-mail "@", and the
        # Vietnamese marks are not ASCII (the scans are a third of the per-page cost otherwise).
        if "http" in text:
            text = self._url_re.sub(" ", text)
        if "@" in text:
            text = self._mail_re.sub(" ", text)
        ascii_only = text.isascii()
        if not ascii_only:
            text = self._normalize_vi(text)
        text = _SPACE_RUNS.sub(" ", text[: self.max_text_length])
        if ascii_only:
            return text  # no non-Latin character: langdetect's cleaning keeps the text as is
        without_latin = _LATIN.sub("", text)
        latin = len(text) - len(without_latin)
        if latin * 2 < len(text) - len(_NON_LATIN.sub("", text)):
            return without_latin
        return text

    def _row(self, gram: str, new: list[str]) -> int:
        row = self._row_of.get(gram)
        if row is None:
            row = self._row_of[gram] = len(self._row_of)
            new.append(gram)
        return row

    def _word_rows(self, word: str, new: list[str]) -> tuple[tuple[int, ...], int]:
        """Rows of the known n-grams of ``" " + word + " "`` in langdetect's order, and how many
        of them come from the trailing space (dropped when the word ends the text)."""
        known = self._profiles
        padded = " " + word + " "
        rows: list[int] = []
        trailing = 0
        for i in range(1, len(padded)):
            ch = padded[i]
            if ch.isupper() and padded[i - 1].isupper():
                continue  # langdetect skips all-capital words from their second letter on
            before = len(rows)
            if ch != " " and ch in known:
                rows.append(self._row(ch, new))
            gram = padded[i - 1:i + 1]
            if gram in known:
                rows.append(self._row(gram, new))
            if i >= 2:
                gram = padded[i - 2:i + 1]
                if gram in known:
                    rows.append(self._row(gram, new))
            if i == len(padded) - 1:
                trailing = len(rows) - before
        return tuple(rows), trailing

    def _ngram_rows(self, text: str, new: list[str]) -> list[int]:
        words = self._words
        if len(words) > _WORD_CACHE_LIMIT:
            words.clear()
        parts = text.translate(self._norm).split(" ")
        rows: list[int] = []
        last = len(parts) - 1
        for k, word in enumerate(parts):
            if not word:
                continue
            hit = words.get(word)
            if hit is None:
                hit = words[word] = self._word_rows(word, new)
            if k == last and hit[1]:
                rows.extend(hit[0][: len(hit[0]) - hit[1]])  # the text does not end with a space
            else:
                rows.extend(hit[0])
        return rows

    def _grow_matrix(self, new: list[str]) -> None:
        # Capacity doubles, so a long run copies its rows O(log n) times, not once per batch.
        if not new:
            return
        total = len(self._row_of)
        used = total - len(new)
        if total > len(self._buffer):
            bigger = np.empty((max(2 * len(self._buffer), total, 1024), len(self.langlist)))
            bigger[:used] = self._buffer[:used]
            self._buffer = bigger
        self._buffer[used:total] = [self._profiles[g] for g in new]
        self._matrix = self._buffer[:total]

    # -- the trials ------------------------------------------------------------------------------
    def _langprob(self, ngrams: list[list[int]]) -> np.ndarray:
        """langdetect's ``langprob`` (the sum over 7 trials of prob / 7) per n-gram list."""
        n_docs = len(ngrams)
        out = np.zeros((n_docs, len(self.langlist)))
        if not n_docs:
            return out
        rngs = [random.Random(self.seed) for _ in range(n_docs)]  # langdetect: random.seed(seed)
        bits = [rng.getrandbits for rng in rngs]
        sizes = [len(g) for g in ngrams]
        widths = [n.bit_length() for n in sizes]
        base, width, freq = self._alpha, self._alpha_width, self._base_freq
        matrix = self._matrix

        active = list(range(n_docs))  # the document of each row of the arrays below
        trial = [0] * n_docs
        weight = np.array([(base + rngs[d].gauss(0.0, 1.0) * width) / freq for d in active])
        prob = np.tile(self._init, (n_docs, 1))
        first = np.ones(n_docs, dtype=bool)  # a trial's first block has one draw, the next 5
        last_i = np.zeros(n_docs, dtype=np.int64)  # index of the last draw of the block
        while active:
            n_act = len(active)
            flat: list[int] = []
            for d, one in zip(active, first.tolist()):
                # random.choice(ngrams) is ngrams[_randbelow(len(ngrams))], and _randbelow draws
                # n.bit_length() bits until the value is below n (see _check_randbelow).
                g, gb, n, k = ngrams[d], bits[d], sizes[d], widths[d]
                r = gb(k)
                while r >= n:
                    r = gb(k)
                if one:
                    flat += (g[r], 0, 0, 0, 0)
                    continue
                # unrolled on purpose: this loop runs ~900k times per 2,500 pages
                r2 = gb(k)
                while r2 >= n:
                    r2 = gb(k)
                r3 = gb(k)
                while r3 >= n:
                    r3 = gb(k)
                r4 = gb(k)
                while r4 >= n:
                    r4 = gb(k)
                r5 = gb(k)
                while r5 >= n:
                    r5 = gb(k)
                flat += (g[r], g[r2], g[r3], g[r4], g[r5])
            draws = np.array(flat, dtype=np.intp).reshape(n_act, 5).T
            w = weight[:, None]
            for k in range(5):
                factor = w + matrix[draws[k]]  # langdetect: weight + p(n-gram | language)
                if k:
                    factor[first] = 1.0  # one-draw blocks: x * 1.0 == x exactly
                prob *= factor
            if _PLAIN_SUM:
                sums = np.cumsum(prob, axis=1)[:, -1]
            else:
                sums = np.array([sum(row) for row in prob.tolist()])
            prob /= sums[:, None]
            last_i[~first] += 5
            first[:] = False
            stop = np.flatnonzero((prob.max(axis=1) > self._conv) | (last_i >= self._iteration_limit))
            if not len(stop):
                continue
            out[[active[j] for j in stop.tolist()]] += prob[stop] / self._n_trial
            keep = np.ones(n_act, dtype=bool)
            for j in stop.tolist():
                d = active[j]
                trial[d] += 1
                if trial[d] == self._n_trial:
                    keep[j] = False
                    continue
                last_i[j] = 0
                first[j] = True
                prob[j] = self._init
                weight[j] = (base + rngs[d].gauss(0.0, 1.0) * width) / freq
            if not keep.all():
                active = [d for d, kept in zip(active, keep.tolist()) if kept]
                prob, weight, first, last_i = prob[keep], weight[keep], first[keep], last_i[keep]
        return out

    # -- public API ----------------------------------------------------------------------------
    def probabilities(self, texts: Sequence[str]) -> list[list[tuple[str, float]] | None]:
        """langdetect's ``detect_langs`` for each text as ``(lang, prob)`` pairs (prob > 0.1,
        highest first), or ``None`` where langdetect raises "No features in text"."""
        new: list[str] = []
        ngrams = [self._ngram_rows(self._prepare(t), new) for t in texts]
        self._grow_matrix(new)
        with_features = [i for i, g in enumerate(ngrams) if g]
        langprob = self._langprob([ngrams[i] for i in with_features])
        result: list[list[tuple[str, float]] | None] = [None] * len(texts)
        for i, row in zip(with_features, langprob.tolist()):
            pairs = [(lang, p) for lang, p in zip(self.langlist, row) if p > self._prob_threshold]
            pairs.sort(key=lambda lp: lp[1], reverse=True)  # stable, as langdetect's sort
            result[i] = pairs
        return result

    def detect(self, texts: Sequence[str]) -> list[str | None]:
        """langdetect's ``detect`` for each text (``unknown`` when no language passes 0.1),
        or ``None`` where it has no features to work with."""
        return [None if p is None else (p[0][0] if p else "unknown") for p in self.probabilities(texts)]


_shared: BatchDetector | None = None


def shared_detector() -> BatchDetector:
    """One detector per process: the profiles and caches are reused across batches."""
    global _shared
    if _shared is None:
        _shared = BatchDetector()
    return _shared
