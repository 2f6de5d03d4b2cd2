"""Bilingual anesthesia lexicon and the relevance score built on it.

Usage (stable interface, shared by ``corpus build`` and ``corpus pubmed``)::

    from anestools.corpus.lexicon import load_lexicon

    lex = load_lexicon()                   # shipped en.txt + zh.txt (or pass your own files)
    m = lex.match(text)                    # -> RelevanceMatch
    m.terms, m.score                       # distinct matched terms, relevance score
    if m.qualifies(min_terms=3, min_score=2.0): ...   # defaults: DEFAULT_MIN_TERMS/SCORE
    m.drop_reason()                        # None when it qualifies, else a short reason

Lexicon files (``anestools/resources/lexicon/*.txt``) are plain text a domain expert can edit:
one concept per line, spelling variants separated by ``" | "`` (counted as ONE distinct term),
sections ``[strong]`` (weight 1.0), ``[related]`` (0.5), ``[weak]`` (0.25), an optional
``= 0.7`` weight override at the end of a line, ``#`` comments.

Why this scoring: keyword filters on web data fail in two ways. Ambiguous words ("block" in a
blockchain article, "Spinal Tap" the film) look like anesthesia, and one passing mention of
"anesthesia" in a long unrelated page is not an anesthesia document. So a document qualifies
only if it has (1) at least one ``[strong]`` term, (2) at least ``min_terms`` distinct terms and
(3) a score ``>= min_score``, where the score is the weighted number of distinct terms scaled
down when the matches are sparse (weighted hits per 1,000 words below ``DENSITY_FULL``).

Matching uses one Aho-Corasick automaton (``pyahocorasick``) over the lower-cased text with
leftmost-longest semantics (``iter_long``), so "全身麻醉" counts once, not also as "麻醉", and
"blockchain" is seen as "block" + a failed word-boundary check. Terms made of Latin letters need
word boundaries on both sides (a trailing plural ``s``/``es`` is accepted); terms containing
CJK characters are matched as plain substrings, since Chinese has no spaces between words.

``Lexicon.strong_screen()`` is the vectorised pre-screen run on whole Arrow batches before any of
this: a page without a strong term is rejected without becoming a Python string. It is a
hyperscan database of the strong spellings (caseless literals, one scan over a batch's values
buffer) with the RE2 regex ``strong_pattern()`` as the fallback (no hyperscan wheel, or spellings
the literal screen cannot cover); either way it may pass more pages than ``has_strong``, never fewer.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from anestools.errors import InputError

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

DEFAULT_MIN_TERMS = 3
DEFAULT_MIN_SCORE = 2.0
#: weighted hits per 1,000 words at (and above) which the score is not scaled down
DENSITY_FULL = 10.0
#: average characters per Chinese word, to put CJK text and space-separated text on one scale
CJK_CHARS_PER_WORD = 1.5

SECTION_WEIGHTS = {"strong": 1.0, "related": 0.5, "weak": 0.25}
SHIPPED = ("en.txt", "zh.txt")

_CJK_RE = re.compile(r"[\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD_CHAR_LIMIT = 0x2E80  # letters/digits below this code point are "word" characters
#: the only characters outside ASCII whose ``str.lower()`` contains ASCII (U+0130 "İ" ->
#: "i" + U+0307, U+212A KELVIN SIGN -> "k"; checked over every code point in the tests): the
#: pre-screens let any text containing one through, since it may hide a strong spelling.
LOWER_TO_ASCII = ("\u0130", "\u212a")
#: hs_scan takes a 32-bit length; an array whose text is longer is screened with RE2 instead
_MAX_SCAN_BYTES = (1 << 32) - 1


#: characters that are never word characters (``_is_word_char``): a match between two of them
#: has its word boundaries
_SEPARATORS = frozenset(" \t\n\r\f\v.,;:!?()[]{}<>\"'/\\-–—…|*&%$#@+=~`^")


def _has_cjk(s: str) -> bool:
    return _CJK_RE.search(s) is not None


def _is_word_char(c: str) -> bool:
    # CJK characters are alphanumeric for Python but act as boundaries for Latin terms
    # ("使用propofol诱导" mentions propofol).
    # "_" counts as a word character, as in RE2's ``\b`` used by the Arrow pre-screen.
    return (c.isalnum() or c == "_") and ord(c) < _WORD_CHAR_LIMIT


@dataclass(frozen=True)
class Term:
    """One concept of the lexicon: its display name, its spellings and its weight."""

    name: str
    variants: tuple[str, ...]
    weight: float
    section: str
    source: str  # "file:line", for error messages and audits

    @property
    def strong(self) -> bool:
        return self.section == "strong"


@dataclass
class RelevanceMatch:
    """What the lexicon found in one text (see the module docstring for the rule)."""

    terms: list[str] = field(default_factory=list)  # distinct term names, by first occurrence
    strong_terms: int = 0  # distinct [strong] terms
    weighted_terms: float = 0.0  # sum of the weights of the distinct terms
    hits: int = 0  # all valid occurrences
    weighted_hits: float = 0.0
    words: float = 0.0  # length of the text in words (CJK characters / 1.5)
    density: float = 0.0  # weighted hits per 1,000 words
    score: float = 0.0

    def drop_reason(
        self, min_terms: int = DEFAULT_MIN_TERMS, min_score: float = DEFAULT_MIN_SCORE
    ) -> str | None:
        """``None`` if the text qualifies, else why not (used as the datatrove drop reason)."""
        if not self.terms:
            return "no_term"
        if self.strong_terms == 0:
            return "no_strong_term"
        if len(self.terms) < min_terms:
            return "too_few_terms"
        if self.score < min_score:
            return "low_score"
        return None

    def qualifies(self, min_terms: int = DEFAULT_MIN_TERMS, min_score: float = DEFAULT_MIN_SCORE) -> bool:
        """True when the text counts as an anesthesia document."""
        return self.drop_reason(min_terms, min_score) is None


def _parse_file(path: Path, display: str) -> list[Term]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{display}: cannot read lexicon file ({exc})") from exc
    section = "strong"
    terms: list[Term] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip().lower()
            if section not in SECTION_WEIGHTS:
                raise InputError(
                    f"{display}:{lineno}: unknown section [{section}] "
                    f"(expected one of {', '.join(f'[{s}]' for s in SECTION_WEIGHTS)})"
                )
            continue
        weight = SECTION_WEIGHTS[section]
        if "=" in line:
            line, _, w = line.rpartition("=")
            try:
                weight = float(w)
            except ValueError as exc:
                raise InputError(f"{display}:{lineno}: bad weight {w.strip()!r} (expected a number)") from exc
            if not 0 < weight <= 10:
                raise InputError(f"{display}:{lineno}: weight {weight} out of range (0, 10]")
        variants = tuple(dict.fromkeys(v.strip().lower() for v in line.split("|") if v.strip()))
        if not variants:
            raise InputError(f"{display}:{lineno}: empty term")
        terms.append(Term(variants[0], variants, weight, section, f"{display}:{lineno}"))
    if not terms:
        raise InputError(f"{display}: lexicon file has no terms")
    return terms


def _literal_safe(variant: str) -> bool:
    """True if a caseless byte literal of ``variant`` finds every text whose ``lower()`` contains it.

    ASCII letters only come from ASCII letters (hyperscan folds those) or from ``LOWER_TO_ASCII``;
    CJK characters have no case, so nothing else lowers to them (both checked exhaustively in the
    tests). Other characters ("é" <- "É", "σ" <- "Σ"/"ς") would need Unicode case folding.
    """
    return all(c.isascii() or _CJK_RE.match(c) for c in variant)


def _hyperscan_db(literals: Sequence[bytes], caseless: Sequence[bool]) -> Any | None:
    """A block-mode hyperscan database of byte ``literals`` (id = position), or None if unusable."""
    try:
        import hyperscan
    except (ImportError, OSError):  # no wheel for this platform
        return None
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    try:
        db.compile(expressions=list(literals), ids=list(range(len(literals))), elements=len(literals),
                   flags=[hyperscan.HS_FLAG_CASELESS if c else 0 for c in caseless], literal=True)
    except hyperscan.error:  # e.g. a CPU the library does not support
        return None
    return db


_SCREENS: dict[tuple[str, ...], StrongScreen] = {}


class StrongScreen:
    """Vectorised superset test "may contain a ``[strong]`` spelling" over Arrow string arrays.

    Why hyperscan: one scan of a batch's whole values buffer (all rows back to back) costs about a
    tenth of RE2's per-row regex, and the match offsets map back to rows through the offsets
    buffer, so no row becomes a Python string. A match straddling two rows is discarded (its
    first and last byte lie in different rows), so a row passes iff it contains a spelling as a
    caseless byte literal, or a ``LOWER_TO_ASCII`` character. No word boundaries: they are not
    needed for a superset, and the exact ``Lexicon.has_strong`` downstream checks them. RE2
    (``re2_pattern``) is the fallback when hyperscan is missing, cannot compile, or a spelling
    holds a cased non-ASCII letter (see ``_literal_safe``).

    Not meant to be pickled with a pipeline step (``Lexicon`` rebuilds it lazily in each worker);
    if it is, it recompiles on unpickling (~10 ms).
    """

    def __init__(self, variants: Sequence[str], re2_pattern: str):
        self._variants = list(variants)
        self.re2_pattern = re2_pattern
        self._db = None
        if all(_literal_safe(v) for v in self._variants):
            literals = [v.encode() for v in self._variants] + [c.encode() for c in LOWER_TO_ASCII]
            self._lengths = [len(lit) for lit in literals]  # by pattern id: a match starts at end - length
            self._db = _hyperscan_db(literals, [True] * len(self._variants) + [False] * len(LOWER_TO_ASCII))

    def __reduce__(self):
        return (StrongScreen, (self._variants, self.re2_pattern))

    @property
    def backend(self) -> str:
        """``"hyperscan"`` or ``"re2"``: which engine screens."""
        return "re2" if self._db is None else "hyperscan"

    def screen_texts(self, texts: Sequence[str]) -> list[bool]:
        """One bool per text: False only if the text surely has no strong spelling."""
        import pyarrow as pa

        return self.screen_array(pa.array(texts, type=pa.large_string())).tolist()

    def screen_array(self, arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
        """Boolean mask over ``arr`` (``string``/``large_string``, sliced or chunked); nulls are False."""
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        if isinstance(arr, pa.ChunkedArray):
            return np.concatenate([np.zeros(0, dtype=bool)] + [self.screen_array(c) for c in arr.chunks])
        if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
            arr = arr.cast(pa.large_string())
        n = len(arr)
        if n == 0:
            return np.zeros(0, dtype=bool)
        itemsize = 8 if pa.types.is_large_string(arr.type) else 4
        offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64 if itemsize == 8 else np.int32,
                                count=n + 1, offset=arr.offset * itemsize).astype(np.int64)
        first, last = int(offsets[0]), int(offsets[-1])
        if self._db is None or last - first > _MAX_SCAN_BYTES:
            screened = pc.match_substring_regex(arr, pattern=self.re2_pattern, ignore_case=True)
            return pc.fill_null(screened, False).to_numpy(zero_copy_only=False)
        mask = np.zeros(n, dtype=bool)
        if last > first:
            ids: list[int] = []
            ends: list[int] = []

            def on_match(pattern_id: int, _from: int, to: int, _flags: int, _ctx: object) -> None:
                ids.append(pattern_id)
                ends.append(to)

            self._db.scan(memoryview(arr.buffers()[2])[first:last], match_event_handler=on_match)
            if ends:
                # the row of a byte is the last row starting at or before it (empty rows never are)
                last_byte = np.asarray(ends, dtype=np.int64) + (first - 1)
                first_byte = last_byte + 1 - np.asarray(self._lengths, dtype=np.int64)[ids]
                row = np.searchsorted(offsets, last_byte, side="right") - 1
                mask[row[row == np.searchsorted(offsets, first_byte, side="right") - 1]] = True
        if arr.null_count:
            mask &= arr.is_valid().to_numpy(zero_copy_only=False)
        return mask


def shipped_lexicon_files() -> list[Path]:
    """Paths of the lexicon files shipped in the package (``resources/lexicon``)."""
    root = resources.files("anestools") / "resources" / "lexicon"
    return [Path(str(root / name)) for name in SHIPPED]


class Lexicon:
    """A set of weighted terms compiled into one Aho-Corasick automaton.

    Picklable (the automaton is rebuilt lazily after unpickling), so it can travel inside
    datatrove pipeline steps to worker processes, Slurm jobs or Ray tasks.
    """

    def __init__(self, terms: Sequence[Term], sources: Sequence[str] = ()):
        if not terms:
            raise InputError("lexicon has no terms")
        self.terms: list[Term] = list(terms)
        self.sources: list[str] = list(sources)
        self._automaton = None
        self._strong_automaton = None
        self._strong_screen: StrongScreen | None = None

    # -- construction -------------------------------------------------------------------
    def _build(self, strong_only: bool = False):
        import ahocorasick

        automaton = ahocorasick.Automaton()
        for idx, term in enumerate(self.terms):
            if strong_only and not term.strong:
                continue
            for variant in term.variants:
                # A spelling listed twice: the later definition wins (user files come last).
                automaton.add_word(variant, (idx, not _has_cjk(variant), len(variant)))
        automaton.make_automaton()
        return automaton

    @property
    def automaton(self):
        if self._automaton is None:
            self._automaton = self._build()
        return self._automaton

    @property
    def strong_automaton(self):
        if self._strong_automaton is None:
            self._strong_automaton = self._build(strong_only=True)
        return self._strong_automaton

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_automaton"] = None
        state["_strong_automaton"] = None
        state["_strong_screen"] = None
        return state

    def __deepcopy__(self, memo: dict) -> Lexicon:
        # Immutable once built (the automata and screen are pure caches): datatrove deep-copies
        # the whole pipeline for every local task, so share the lexicon instead of copying it.
        return self

    def __len__(self) -> int:
        return len(self.terms)

    def fingerprint(self) -> str:
        """Short hash of the terms and weights (part of a build's configuration identity)."""
        h = hashlib.sha1()
        for t in self.terms:
            h.update(f"{t.section}\t{t.weight}\t{'|'.join(t.variants)}\n".encode())
        return h.hexdigest()[:12]

    # -- matching -----------------------------------------------------------------------
    @staticmethod
    def _valid(low: str, n: int, end: int, needs_boundary: bool, length: int) -> bool:
        if not needs_boundary:
            return True
        start = end - length + 1
        if start > 0 and _is_word_char(low[start - 1]):
            return False
        nxt = end + 1
        if nxt < n and _is_word_char(low[nxt]):
            # accept a plural: "epidurals", "anesthetics", "bougies"
            if low[nxt] == "s":
                nxt += 1
            elif low[nxt] == "e" and nxt + 1 < n and low[nxt + 1] == "s":
                nxt += 2
            else:
                return False
            if nxt < n and _is_word_char(low[nxt]):
                return False
        return True

    def find(self, text: str) -> list[tuple[int, int]]:
        """All valid occurrences as ``(start, term_index)`` pairs (lower-cased text offsets)."""
        low = text.lower()
        n = len(low)
        valid = self._valid
        # padded[i + 1] == low[i]: the characters around a match, without bounds checks; when
        # both are common separators the match is valid without calling _valid (most are)
        padded = " " + low + " "
        sep = _SEPARATORS
        return [
            (end - length + 1, idx)
            for end, (idx, needs_boundary, length) in self.automaton.iter_long(low)
            if not needs_boundary
            or (padded[end - length + 1] in sep and padded[end + 2] in sep)
            or valid(low, n, end, needs_boundary, length)
        ]

    def has_strong(self, text: str) -> bool:
        """True if ``text`` contains a ``[strong]`` term (fast path: most web pages have none).

        Runs an automaton of the strong spellings only, so pages full of ambiguous words
        ("pain", "block", "surgery") cost no Python work per match. It can disagree with
        ``match`` only where a strong spelling is part of a longer weak one (麻醉药品), and
        then only by saying True; ``match`` has the final word.
        """
        low = text.lower()
        n = len(low)
        valid = self._valid
        return any(valid(low, n, end, nb, length) for end, (_, nb, length) in self.strong_automaton.iter(low))

    def match(self, text: str) -> RelevanceMatch:
        """Score ``text``; cheap when nothing matches (the common case on web data)."""
        found = self.find(text)
        m = RelevanceMatch()
        if not found:
            return m
        seen: dict[int, None] = {}
        weighted_hits = 0.0
        for _, idx in found:
            seen.setdefault(idx, None)
            weighted_hits += self.terms[idx].weight
        distinct = [self.terms[i] for i in seen]
        m.terms = [t.name for t in distinct]
        m.strong_terms = sum(1 for t in distinct if t.strong)
        m.weighted_terms = sum(t.weight for t in distinct)
        m.hits = len(found)
        m.weighted_hits = weighted_hits
        n_cjk = len(_CJK_RE.findall(text)) if not text.isascii() else 0
        m.words = max(1.0, len(text.split()) + n_cjk / CJK_CHARS_PER_WORD)
        m.density = 1000.0 * weighted_hits / m.words
        m.score = round(m.weighted_terms * min(1.0, m.density / DENSITY_FULL), 4)
        return m

    def qualifies(
        self, text: str, min_terms: int = DEFAULT_MIN_TERMS, min_score: float = DEFAULT_MIN_SCORE
    ) -> bool:
        """Shortcut for ``match(text).qualifies(...)``."""
        return self.match(text).qualifies(min_terms, min_score)

    def strong_pattern(self) -> str:
        """One regular expression (RE2/Python syntax) matching any ``[strong]`` spelling.

        A document that qualifies contains at least one strong term, so this pattern, run
        case-insensitively, is a safe vectorised pre-screen (it may pass more, never fewer).
        Latin spellings that start with an ASCII word character carry a leading ``\\b`` (RE2's
        ASCII word boundary is looser than ours there, so still a superset), which keeps short
        spellings from matching inside longer words; other spellings have none, since ``\\b``
        before "α" or "(" would demand a word character in front. ``LOWER_TO_ASCII`` characters
        pass case-sensitively: RE2 does not fold "İ" to "i", and "\\bketamine" misses
        "<space>Ketamine" with a KELVIN SIGN (a non-word character for ``\\b``).
        See ``strong_screen()`` for the faster screen built on hyperscan.
        """
        variants = sorted({v for t in self.terms if t.strong for v in t.variants}, key=lambda s: (-len(s), s))
        bounded = [re.escape(v) for v in variants if not _has_cjk(v) and re.match(r"[0-9a-z_]", v)]
        free = [re.escape(v) for v in variants if _has_cjk(v) or not re.match(r"[0-9a-z_]", v)]
        parts = ["(?-i:" + "|".join(LOWER_TO_ASCII) + ")"]
        if bounded:
            parts.append(r"\b(?:" + "|".join(bounded) + ")")
        if free:
            parts.append("(?:" + "|".join(free) + ")")
        return "|".join(parts)

    def strong_screen(self) -> StrongScreen:
        """The vectorised pre-screen of the ``[strong]`` spellings (built once per process).

        Lazy and dropped on pickling, like the automata: datatrove pickles pipeline steps (and
        the lexicon in them) to worker processes, and a hyperscan database cannot travel.
        """
        if self._strong_screen is None:
            variants = tuple(sorted({v for t in self.terms if t.strong for v in t.variants}))
            # one compiled screen per process and spelling set: datatrove deep-copies the
            # pipeline (and this lexicon) for every task, which would otherwise recompile it
            screen = _SCREENS.get(variants)
            if screen is None:
                screen = _SCREENS[variants] = StrongScreen(variants, self.strong_pattern())
            self._strong_screen = screen
        return self._strong_screen

    def all_pattern(self) -> str:
        """One alternation regex with word boundaries over every spelling (what a user writes first)."""
        variants = sorted({v for t in self.terms for v in t.variants}, key=lambda s: (-len(s), s))
        latin = [re.escape(v) for v in variants if not _has_cjk(v)]
        cjk = [re.escape(v) for v in variants if _has_cjk(v)]
        parts = []
        if latin:
            parts.append(r"\b(?:" + "|".join(latin) + r")\b")
        if cjk:
            parts.append("(?:" + "|".join(cjk) + ")")
        return "|".join(parts)


def load_lexicon(paths: Sequence[str | Path] | None = None) -> Lexicon:
    """Load lexicon files (default: the shipped English and Chinese files) into a ``Lexicon``.

    User files replace the shipped ones (copy and edit them to extend). Errors name the file
    and line: missing or unreadable file, unknown section, bad weight, a file without terms.
    """
    files = [Path(p) for p in paths] if paths else shipped_lexicon_files()
    terms: list[Term] = []
    for f in files:
        if not f.is_file():
            raise InputError(f"{f}: lexicon file not found")
        terms.extend(_parse_file(f, str(f)))
    return Lexicon(terms, [str(f) for f in files])


__all__ = [
    "DEFAULT_MIN_SCORE",
    "DEFAULT_MIN_TERMS",
    "DENSITY_FULL",
    "Lexicon",
    "LOWER_TO_ASCII",
    "RelevanceMatch",
    "StrongScreen",
    "Term",
    "load_lexicon",
    "shipped_lexicon_files",
]
