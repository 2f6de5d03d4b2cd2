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
  neighbours, and web text repeats its words. A text is kept as its list of word ids; the
  n-gram a draw picks is found in numpy (``_Batch``), so no per-n-gram list is ever built;
- the trials of a whole batch of texts advance together: each step draws the next block of
  n-grams of every unfinished trial, then numpy updates all of them in a few array operations
  instead of one call per draw;
- the draws themselves are computed in numpy. Every text's generator is seeded with the same
  seed, so every text consumes the *same* stream of raw 32-bit Mersenne Twister outputs, only
  at its own pace: ``random.choice`` takes ``n.bit_length()`` bits of the next output until the
  value is below ``n``, ``gauss`` takes four outputs every other trial. ``_Stream`` generates
  that stream once (from ``random.Random(seed)`` itself) and each text keeps a position in it.
  A self-check against ``random.Random`` at start-up guards the emulation; if this Python's
  ``random`` ever draws differently, the detector falls back to one generator per text;
- ``detect`` (what ``corpus build`` routes with) stops a text's trials as soon as the leading
  language can no longer be overtaken by the trials left. The answer is the same; most pages
  need 4 of the 7 trials. ``probabilities`` always runs all 7.

Cost on the benchmark's 2,475 surviving pages (1,000 characters each): ``detect`` 0.10 ms per
page, ``probabilities`` 0.16 ms; before this module, langdetect itself took 1.1 ms.
"""

from __future__ import annotations

import math
import random
import re
import sys
from collections.abc import Sequence
from itertools import chain

import numpy as np

_SPACE_RUNS = re.compile(" {2,}")
_LATIN = re.compile("[A-z]")  # langdetect's own test: 'A' <= ch <= 'z' (includes [\\]^_`)
# langdetect counts as non-Latin: ch >= U+0300 outside the "Latin Extended Additional" block.
_NON_LATIN = re.compile("[\u0300-\u1dff\u1f00-\U0010ffff]")
_WORD_CACHE_LIMIT = 200_000  # distinct words remembered (then the cache starts again)
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


_TWOPI = 2.0 * math.pi  # random.TWOPI
_RECIP_BPF = 1.0 / 9007199254740992.0  # 2**-53, random.random()'s scale
_DECIDED_MARGIN = 1e-9  # far above the rounding of 7 additions, far below any real lead
_WINDOW = 16  # raw outputs looked at per block: 5 draws need at most 10 on average (acceptance >= 1/2)


class _Stream:
    """The raw 32-bit outputs of ``random.Random(seed)``, in order, shared by every text.

    ``getrandbits(32 * m)`` returns the next ``m`` outputs as one little-endian integer, so the
    stream comes from CPython's own generator, not from a reimplementation of it.
    """

    def __init__(self, seed: int):
        self.seed = seed
        self.words = np.zeros(0, dtype=np.int64)
        self._gauss: dict[int, tuple[float, float]] = {}

    def ensure(self, n: int) -> np.ndarray:
        if n > len(self.words):
            m = max(n, 2 * len(self.words), 1 << 16)
            raw = random.Random(self.seed).getrandbits(32 * m).to_bytes(4 * m, "little")
            self.words = np.frombuffer(raw, dtype="<u4").astype(np.int64)
        return self.words

    def random_at(self, p: int) -> float:
        """``random.random()`` from outputs ``p`` and ``p + 1`` (CPython: 27 + 26 bits)."""
        w = self.ensure(p + 2)
        return ((int(w[p]) >> 5) * 67108864.0 + (int(w[p + 1]) >> 6)) * _RECIP_BPF

    def gauss_at(self, p: int) -> tuple[float, float]:
        """``random.gauss(0, 1)`` from outputs ``p`` to ``p + 3``, and the value it caches."""
        hit = self._gauss.get(p)
        if hit is None:
            x2pi = self.random_at(p) * _TWOPI
            g2rad = math.sqrt(-2.0 * math.log(1.0 - self.random_at(p + 2)))
            hit = self._gauss[p] = (math.cos(x2pi) * g2rad, math.sin(x2pi) * g2rad)
        return hit

    def choice_at(self, p: int, n: int) -> tuple[int, int]:
        """``random.choice`` index among ``n`` from output ``p`` on, and the next position."""
        shift = 32 - n.bit_length()
        while True:
            w = self.ensure(p + 1)
            r = int(w[p]) >> shift
            p += 1
            if r < n:
                return r, p


def _stream_matches_random() -> bool:
    """Does ``_Stream`` draw exactly what ``random.Random`` draws (gauss, choice, interleaved)?"""
    for seed in (0, 12345):
        ref, stream, p, cached = random.Random(seed), _Stream(seed), 0, None
        for n in (7, 1, 256, 3000, 5, 65537, 2, 1000, 99, 4):
            if cached is None:
                z, cached = stream.gauss_at(p)
                p += 4
            else:
                z, cached = cached, None
            if ref.gauss(0.0, 1.0) != z:
                return False
            for _ in range(25):
                r, p = stream.choice_at(p, n)
                if ref.choice(range(n)) != r:
                    return False
    return True


class _IntBuffer:
    """An append-only int64 array with doubling capacity (``view()`` costs nothing)."""

    def __init__(self, values: Sequence[int] = ()):
        self._data = np.zeros(max(1024, len(values)), dtype=np.int64)
        self._n = 0
        self.extend(values)

    def __len__(self) -> int:
        return self._n

    def extend(self, values: Sequence[int]) -> None:
        end = self._n + len(values)
        if end > len(self._data):
            bigger = np.zeros(max(2 * len(self._data), end), dtype=np.int64)
            bigger[: self._n] = self._data[: self._n]
            self._data = bigger
        self._data[self._n:end] = values
        self._n = end

    def view(self) -> np.ndarray:
        return self._data[: self._n]


class _Batch:
    """The n-grams of a batch of texts without materialising them: text -> word ids -> rows.

    The ``r``-th n-gram of a text is found by a binary search over the cumulative n-gram
    counts of the batch's words, so nothing per n-gram is built in Python.
    """

    def __init__(self, word_ids: list[list[int]], wrows: np.ndarray, woff: np.ndarray, wlen: np.ndarray):
        counts = np.array([len(w) for w in word_ids], dtype=np.int64)
        self.ids = np.fromiter(chain.from_iterable(word_ids), dtype=np.int64, count=int(counts.sum()))
        self.lens = wlen[self.ids]
        self.cum = np.cumsum(self.lens)  # n-grams up to and including each word
        ng_end = self.cum[np.cumsum(counts) - 1]  # every text has a word ("" at least)
        self.start = np.concatenate(([0], ng_end[:-1]))  # first n-gram of each text
        self.sizes = ng_end - self.start
        self._wrows, self._woff = wrows, woff

    def subset(self, texts: np.ndarray) -> _Batch:
        """The same batch restricted to ``texts`` (their n-grams stay where they are)."""
        sub = object.__new__(_Batch)
        sub.__dict__.update(self.__dict__)
        sub.start, sub.sizes = self.start[texts], self.sizes[texts]
        return sub

    def rows(self, texts: np.ndarray, picks: np.ndarray) -> np.ndarray:
        """Matrix rows of n-gram ``picks[k, j]`` of text ``texts[j]``."""
        g = self.start[texts] + picks
        word = np.searchsorted(self.cum, g, side="right")
        within = g - (self.cum[word] - self.lens[word])
        return self._wrows[self._woff[self.ids[word]] + within]


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
        self._stream = _Stream(seed) if _stream_matches_random() else None
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
        self._reset_words()

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

    def _reset_words(self) -> None:
        # word -> id; a word's n-grams are rows woff[id] .. woff[id] + wlen[id] of wrows
        self._word_id: dict[str, int] = {"": 0}  # "" (between two spaces) has no n-grams
        self._last_word_id: dict[str, int] = {}  # a word ending the text: without the trailing space
        self._wrows, self._woff, self._wlen = _IntBuffer(), _IntBuffer([0]), _IntBuffer([0])

    def _add_word(self, word: str, last: bool, new: list[str]) -> int:
        rows, trailing = self._word_rows(word, new)
        if last and trailing:
            rows = rows[: len(rows) - trailing]
        wid = len(self._woff)
        self._woff.extend([len(self._wrows)])
        self._wlen.extend([len(rows)])
        self._wrows.extend(rows)
        (self._last_word_id if last else self._word_id)[word] = wid
        return wid

    def _word_ids(self, text: str, new: list[str]) -> list[int]:
        """The text as word ids: its n-grams are those of its words, in order (see the docstring)."""
        parts = text.translate(self._norm).split(" ")
        ids = list(map(self._word_id.get, parts))
        if None in ids:
            ids = [self._add_word(w, False, new) if i is None else i for i, w in zip(ids, parts)]
        last = parts[-1]
        if last:  # the text does not end with a space: its last word has no trailing n-grams
            wid = self._last_word_id.get(last)
            ids[-1] = self._add_word(last, True, new) if wid is None else wid
        return ids

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
    def _langprob(self, batch: _Batch, decide: bool = False) -> np.ndarray:
        """langdetect's ``langprob`` (the sum over 7 trials of prob / 7) per text of ``batch``.

        ``decide=True`` (for ``detect``): a text stops as soon as its most probable language can
        no longer be overtaken, i.e. it leads every other one by more than the trials left could
        add (each adds at most 1/7), and passes langdetect's 0.1 threshold. Its row is then only
        partial, but its argmax is the one the 7 trials give.
        """
        n_docs = len(batch.sizes)
        out = np.zeros((n_docs, len(self.langlist)))
        if not n_docs:
            return out
        sizes = batch.sizes.tolist()
        draw = _StreamDraws(self._stream, sizes) if self._stream is not None else _GeneratorDraws(self.seed, sizes)
        base, width, freq = self._alpha, self._alpha_width, self._base_freq
        matrix = self._matrix

        active = np.arange(n_docs)  # the document of each row of the arrays below
        trial = np.zeros(n_docs, dtype=np.int64)
        weight = np.array([(base + draw.gauss(d) * width) / freq for d in range(n_docs)])
        prob = np.tile(self._init, (n_docs, 1))
        first = np.ones(n_docs, dtype=bool)  # a trial's first block has one draw, the next 5
        last_i = np.zeros(n_docs, dtype=np.int64)  # index of the last draw of the block
        while len(active):
            draws = batch.rows(active, draw.picks(active, first))  # (5, rows): matrix rows
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
            docs = active[stop]
            out[docs] += prob[stop] / self._n_trial
            trial[docs] += 1
            done = trial[docs] == self._n_trial
            if decide:
                top2 = np.partition(out[docs], -2, axis=1)
                left = (self._n_trial - trial[docs]) / self._n_trial
                done |= (top2[:, -1] > self._prob_threshold) & (top2[:, -1] > top2[:, -2] + left + _DECIDED_MARGIN)
            keep = np.ones(len(active), dtype=bool)
            keep[stop[done]] = False
            for j in stop[~done].tolist():
                last_i[j] = 0
                first[j] = True
                prob[j] = self._init
                weight[j] = (base + draw.gauss(int(active[j])) * width) / freq
            if not keep.all():
                active = active[keep]
                prob, weight, first, last_i = prob[keep], weight[keep], first[keep], last_i[keep]
        return out

    # -- public API ----------------------------------------------------------------------------
    def _batch(self, texts: Sequence[str]) -> _Batch:
        if len(self._woff) > _WORD_CACHE_LIMIT:
            self._reset_words()
        new: list[str] = []
        word_ids = [self._word_ids(self._prepare(t), new) for t in texts]
        self._grow_matrix(new)
        return _Batch(word_ids, self._wrows.view(), self._woff.view(), self._wlen.view())

    def _features(self, texts: Sequence[str], decide: bool) -> tuple[np.ndarray, np.ndarray]:
        """Indices of the texts with n-grams, and their ``langprob`` rows."""
        batch = self._batch(texts)
        with_features = np.flatnonzero(batch.sizes > 0)
        if len(with_features) < len(texts):
            batch = batch.subset(with_features)
        return with_features, self._langprob(batch, decide)

    def probabilities(self, texts: Sequence[str]) -> list[list[tuple[str, float]] | None]:
        """langdetect's ``detect_langs`` for each text as ``(lang, prob)`` pairs (prob > 0.1,
        highest first), or ``None`` where langdetect raises "No features in text"."""
        with_features, langprob = self._features(texts, decide=False)
        result: list[list[tuple[str, float]] | None] = [None] * len(texts)
        for i, row in zip(with_features.tolist(), langprob.tolist()):
            pairs = [(lang, p) for lang, p in zip(self.langlist, row) if p > self._prob_threshold]
            pairs.sort(key=lambda lp: lp[1], reverse=True)  # stable, as langdetect's sort
            result[i] = pairs
        return result

    def detect(self, texts: Sequence[str]) -> list[str | None]:
        """langdetect's ``detect`` for each text (``unknown`` when no language passes 0.1),
        or ``None`` where it has no features to work with."""
        with_features, langprob = self._features(texts, decide=True)
        result: list[str | None] = [None] * len(texts)
        if len(with_features):
            best = langprob.argmax(axis=1)  # the first of equals, as langdetect's stable sort
            top = langprob[np.arange(len(best)), best]
            for i, b, p in zip(with_features.tolist(), best.tolist(), top.tolist()):
                result[i] = self.langlist[b] if p > self._prob_threshold else "unknown"
        return result


class _StreamDraws:
    """The draws of a batch of texts from the shared raw stream (see the module docstring)."""

    def __init__(self, stream: _Stream, sizes: list[int]):
        self.stream = stream
        self.sizes = np.array(sizes, dtype=np.int64)
        self.shift = np.array([32 - n.bit_length() for n in sizes], dtype=np.int64)
        self.pos = np.zeros(len(sizes), dtype=np.int64)  # next unused output, per text
        self.cached: list[float | None] = [None] * len(sizes)  # gauss's second value, per text
        self._window = np.arange(_WINDOW, dtype=np.int64)

    def gauss(self, d: int) -> float:
        z = self.cached[d]
        if z is not None:
            self.cached[d] = None
            return z
        z, self.cached[d] = self.stream.gauss_at(int(self.pos[d]))
        self.pos[d] += 4
        return z

    def picks(self, active: np.ndarray, first: np.ndarray) -> np.ndarray:
        """Indices of the next 1 (``first``) or 5 n-grams drawn by each active text, (5, rows)."""
        pos, n = self.pos[active], self.sizes[active]
        words = self.stream.ensure(int(pos.max()) + _WINDOW)
        # random.choice: the top n.bit_length() bits of each output, the first ones below n
        cand = words[pos[:, None] + self._window] >> self.shift[active][:, None]
        accepted = np.cumsum(cand < n[:, None], axis=1)
        cols = np.arange(len(active))
        picks = np.empty((5, len(active)), dtype=np.int64)
        ends = np.empty((5, len(active)), dtype=np.int64)
        for k in range(5):
            ends[k] = np.argmax(accepted > k, axis=1)  # where the (k+1)-th accepted value is
            picks[k] = cand[cols, ends[k]]
        new_pos = pos + np.where(first, ends[0], ends[4]) + 1
        for j in np.flatnonzero(accepted[:, -1] < np.where(first, 1, 5)).tolist():
            p, size = int(pos[j]), int(n[j])  # rare: too many rejections in the window
            for k in range(1 if first[j] else 5):
                picks[k, j], p = self.stream.choice_at(p, size)
            new_pos[j] = p
        np.minimum(picks, n - 1, out=picks)  # unused picks of one-draw blocks: any valid index
        self.pos[active] = new_pos
        return picks


class _GeneratorDraws:
    """Fallback: one ``random.Random(seed)`` per text, drawn in Python (as langdetect does)."""

    def __init__(self, seed: int, sizes: list[int]):
        self.rngs = [random.Random(seed) for _ in sizes]  # langdetect: random.seed(seed)
        self.sizes = sizes

    def gauss(self, d: int) -> float:
        return self.rngs[d].gauss(0.0, 1.0)

    def picks(self, active: np.ndarray, first: np.ndarray) -> np.ndarray:
        flat: list[int] = []
        for d, one in zip(active.tolist(), first.tolist()):
            # random.choice(ngrams) is ngrams[_randbelow(len(ngrams))], and _randbelow draws
            # n.bit_length() bits until the value is below n (see _check_randbelow).
            gb, n = self.rngs[d].getrandbits, self.sizes[d]
            k = n.bit_length()
            for _ in range(1 if one else 5):
                r = gb(k)
                while r >= n:
                    r = gb(k)
                flat.append(r)
            if one:
                flat += (0, 0, 0, 0)
        return np.array(flat, dtype=np.int64).reshape(len(active), 5).T


_shared: BatchDetector | None = None


def shared_detector() -> BatchDetector:
    """One detector per process: the profiles and caches are reused across batches."""
    global _shared
    if _shared is None:
        _shared = BatchDetector()
    return _shared
