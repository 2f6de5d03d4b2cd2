"""Quality heuristics per language: datatrove's C4/Gopher filters (en), character rules (zh).

Usage::

    from anestools.corpus.steps.quality import QualityFilter
    pipeline = [..., LanguageRouter(), QualityFilter(), ...]   # needs metadata["language"]

English documents go through datatrove's ``C4QualityFilter`` (FineWeb settings: no terminal-
punctuation line removal), ``GopherRepetitionFilter`` and ``GopherQualityFilter``. Their word and
sentence splitting is pluggable: ``tokenizer="fast"`` (default) is ``FastEnglishTokenizer``, a
regex tokenizer that makes the three filters about 5x faster than with spaCy and took the same
decision on 124/124 sample survivors, 251/251 benchmark survivors, 225/226 English sample pages
and 18/20 real Common Crawl pages (the 2 differ on Gopher's alphabetic-word ratio); ``tokenizer="spacy"`` is datatrove's own choice, spaCy's blank English pipeline (no
download either). Neither needs nltk data or fastText models. Why it matters: these three
filters cost about 13 ms per page with spaCy on the survivors (1% of the input), as much as
screening the other 99%.
With the regex tokenizer they still cost 0.57 ms per benchmark survivor (~1 KB pages), the
second most expensive step per survivor, so each runs as a ``Fast*`` subclass that takes the
very same decisions, drop reasons and C4 output text (tested against datatrove's filters with
the same tokenizer) at about 0.15 ms in all:
``FastGopherRepetitionFilter`` (0.35 ms before) counts word tuples instead of joined strings,
bounds the top 3- and 4-gram by the word pairs, and rules out repeated 5..10-grams at once when
no 5-gram is a prefix of another (``WordNGrams``); ``FastGopherQualityFilter`` (0.16 ms) looks
each word's class up in a memo instead of scanning its characters; ``FastC4QualityFilter``
(0.06 ms) counts sentences only up to its minimum, with a regex the engine can skip through.
The words are tokenized once per page (both Gopher filters ask ``split_into_words`` for the
same text, which datatrove caches), by splitting on whitespace first.
Chinese documents go through ``ChineseQualityFilter``: minimum length, share of CJK characters,
function-character presence (the Chinese analogue of Gopher's stop words), symbol and
duplicate-line ratios, and C4's javascript/lorem-ipsum/curly-bracket checks. The drop reason is
prefixed with the language (``dropped_en_dup_line_frac``, ``dropped_zh_too_short``...).
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import accumulate, compress
from operator import sub

from datatrove.data import Document
from datatrove.pipeline.filters import C4QualityFilter, GopherQualityFilter, GopherRepetitionFilter
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.filters.c4_filters import CITATION_REGEX, ELLIPSIS, END_PUNCTUATION, POLICY_SUBSTRINGS
from datatrove.pipeline.filters.gopher_repetition_filter import (
    find_all_duplicate,
    find_duplicates,
    find_top_duplicate,
    get_n_grams,
)
from datatrove.utils.text import PUNCTUATION_SET, split_into_sentences, split_into_words
from datatrove.utils.word_tokenizers import WordTokenizer

from anestools.corpus.steps.batch_stats import BatchStatsFilter

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SYMBOLS = re.compile(r"[#…]|\.\.\.")
_FUNCTION_CHARS = set("的了是在和有也就都而及与或这那")


class ChineseQualityFilter(BaseFilter):
    """Character-based rules for Chinese web text (no word segmenter needed)."""

    name = "🀄 Chinese quality"

    def __init__(
        self,
        min_cjk_chars: int = 80,
        min_cjk_ratio: float = 0.3,
        min_function_chars: int = 3,
        max_symbol_ratio: float = 0.05,
        max_dup_line_char_frac: float = 0.3,
    ):
        super().__init__()
        self.min_cjk_chars = min_cjk_chars
        self.min_cjk_ratio = min_cjk_ratio
        self.min_function_chars = min_function_chars
        self.max_symbol_ratio = max_symbol_ratio
        self.max_dup_line_char_frac = max_dup_line_char_frac

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        text = doc.text
        compact = "".join(text.split())
        if not compact:
            return False, "empty"
        n_cjk = len(_CJK.findall(compact))
        if n_cjk < self.min_cjk_chars:
            return False, "too_short"
        if n_cjk / len(compact) < self.min_cjk_ratio:
            return False, "low_cjk_ratio"
        if sum(1 for c in compact if c in _FUNCTION_CHARS) < self.min_function_chars:
            return False, "few_function_chars"
        if len(_SYMBOLS.findall(text)) / max(1, n_cjk) > self.max_symbol_ratio:
            return False, "symbol_ratio"
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        counts = Counter(lines)
        dup_chars = sum(len(ln) * (c - 1) for ln, c in counts.items() if c > 1)
        if dup_chars / max(1, sum(len(ln) for ln in lines)) > self.max_dup_line_char_frac:
            return False, "dup_line_frac"
        low = text.lower()
        if "lorem ipsum" in low:
            return False, "lorem_ipsum"
        if "javascript" in low and ("启用" in text or "enable" in low):
            return False, "javascript"
        if "{" in text:
            return False, "curly_bracket"
        return True


_WORD = re.compile(r"\w+(?:['’\-.]\w+)*|[^\w\s]")
_SENT_END = re.compile(r"(?<=[.!?])[\"'’”)\]]*\s+|\n+")
_QUOTES = "\"'’”)]"
_SENT_END_FROM_PUNCT = re.compile(r"[.!?][\"'’”)\]]*\s+")  # _SENT_END without "\n": one char earlier


class FastEnglishTokenizer(WordTokenizer):
    """Regex word/sentence splitting for datatrove's English quality filters (no spaCy)."""

    def __init__(self):
        super().__init__("en")

    def word_tokenize(self, text: str) -> list[str]:
        """``_WORD.findall(text)``, a third faster: no token spans whitespace (``str.split`` and
        ``\\s`` agree on it, as ``str.isalnum`` and ``\\w`` minus ``_`` do), so an all-alphanumeric
        chunk is one token and only the other chunks need the regex."""
        words: list[str] = []
        for chunk in text.split():
            if chunk.isalnum():
                words.append(chunk)
            else:
                words += _WORD.findall(chunk)
        return words

    def sent_tokenize(self, text: str) -> list[str]:
        return [text[a:b] for a, b in self.span_tokenize(text)]

    def span_tokenize(self, text: str) -> list[tuple[int, int]]:
        spans, start = [], 0
        for m in _SENT_END.finditer(text):
            if m.start() > start:
                spans.append((start, m.start()))
            start = m.end()
        if start < len(text):
            spans.append((start, len(text)))
        return spans or [(0, len(text))]

    def count_sentences(self, text: str) -> int:
        """``len(self.span_tokenize(text))``, about 7x faster on a line (no newline).

        Spans are the non-empty pieces between sentence ends, at least one. Without "\\n" a sentence
        end ends in whitespace and the next needs ``[.!?]`` before it, so only the last piece can be
        empty (the first cannot: the look-behind needs a character). Each end is matched one
        character earlier by ``_SENT_END_FROM_PUNCT``, which starts with a character class that the
        regex engine can skip to, unlike a look-behind; the scan finds the same ends (the character
        before a resumed scan is whitespace, not ``[.!?]``).
        """
        if "\n" in text:
            pieces = _SENT_END.split(text)
            return max(1, len(pieces) - pieces.count(""))
        n_ends = len(_SENT_END_FROM_PUNCT.findall(text))
        ends_with_end = text[-1:].isspace() and text.rstrip().rstrip(_QUOTES)[-1:] in (".", "!", "?")
        return max(1, n_ends + 1 - ends_with_end)


class FastC4QualityFilter(C4QualityFilter):
    """datatrove's ``C4QualityFilter``: same decisions, reasons and kept text, less work per line.

    Sentences are counted only until ``min_num_sentences`` is reached (the decision needs no more),
    with ``FastEnglishTokenizer.count_sentences`` when that is the tokenizer; the word-length and
    citation checks run only on lines that could fail them; no per-line ``stat_update`` (inside
    ``QualityFilter`` this filter's stats are never saved anyway).
    """

    def _sentences(self, line: str) -> int:
        if isinstance(self.language, FastEnglishTokenizer):
            return self.language.count_sentences(line)
        return len(split_into_sentences(line, self.language))

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        text = doc.text
        lines = text.splitlines() if self.split_paragraph else split_into_sentences(text, self.language)
        num_sentences, kept_lines = 0, []
        for line in lines:
            line = line.strip()
            words = line.split()
            max_len = self.max_word_length
            if max_len != -1 and len(line) > max_len and any(len(word) > max_len for word in words):
                continue
            if self.remove_citations and "[" in line:  # every citation pattern starts with "["
                line = CITATION_REGEX.sub("", line)
            if self.filter_no_terminal_punct and (not line.endswith(END_PUNCTUATION) or line.endswith(ELLIPSIS)):
                continue
            if len(words) < self.min_words_per_line:
                continue
            line_l = line.lower()
            if self.filter_lorem_ipsum and "lorem ipsum" in line_l:
                return False, "lorem_ipsum"
            if self.filter_javascript and "javascript" in line_l:
                continue
            if self.filter_curly_bracket and "{" in line:
                return False, "curly_bracket"
            if self.filter_policy and any(p in line_l for p in POLICY_SUBSTRINGS):
                continue
            if self.min_num_sentences != -1 and num_sentences < self.min_num_sentences:
                num_sentences += self._sentences(line) if self.split_paragraph else 1
            kept_lines.append(line)
        if num_sentences < self.min_num_sentences:
            return False, "too_few_sentences"
        doc.text = ("\n" if self.split_paragraph else " ").join(kept_lines).strip()
        return True


def find_duplicates_fast(parts: list[str]) -> tuple[int, int]:
    """datatrove's ``find_duplicates`` (duplicate count and characters), skipping the scan when the
    parts are all distinct (the usual case)."""
    return (0, 0) if len(set(parts)) == len(parts) else find_duplicates(parts)


class WordNGrams:
    """Word n-gram statistics of one document for Gopher's repetition checks, exact but lazy.

    ``top_chars(n)`` is datatrove's ``find_top_duplicate(get_n_grams(words, n))`` (n-grams joined
    with spaces, most frequent one, first seen on ties); ``duplicated_chars(n)`` is its
    ``find_all_duplicate(words, n)`` (n-grams joined *without* separator, left-to-right scan that
    jumps over a repeat).
    """

    def __init__(self, words: list[str]):
        self.words = words
        self.joined = "".join(words)
        self.offsets = list(accumulate(map(len, words), initial=0))  # word i is joined[o[i]:o[i+1]]
        self._distinct_from = len(words) + 1  # from this n on, all word n-grams are distinct
        self._pair_stats: tuple[int, int] | None = None  # top_chars(2), M(2)
        self._dup_n0 = 0  # smallest n served by self._dup_candidates (0: not computed)
        self._dup_candidates: list[int] = []

    def top_chars(self, n: int) -> int:
        """Characters of the most frequent space-joined n-gram times its count (``len(words) >= n``).

        No word holds a space (checked), so two n-grams join equal iff they are the same words:
        count word tuples instead of building strings; the first-seen tie rule is unchanged
        (``Counter`` keeps first-insertion order). Once all n-grams are distinct, so are all longer
        ones, whose top is then simply the first n-gram.
        """
        words = self.words
        if n < 1 or " " in self.joined:
            return find_top_duplicate(get_n_grams(words, n))
        if n >= self._distinct_from:
            return len(" ".join(words[:n]))
        if n == 2:
            return self._pairs()[0]
        gram, count = Counter(zip(*(words[k:] for k in range(n)))).most_common(1)[0]
        if count == 1:
            self._distinct_from = n
        return len(" ".join(gram)) * count

    def top_chars_bound(self, n: int) -> float:
        """An upper bound of ``top_chars(n)`` for n >= 2 (``len(words) >= 2``): (n - 1) * M(2).

        With M(n) the largest count * length of any n-gram, the top n-gram g (count c) splits into
        its first n - 1 words, seen at least c times (c * length <= M(n-1)), and a space plus its
        last word, shorter than its last two words, seen at least c times (<= M(2)); so
        ``top_chars(n) <= M(n) <= (n - 1) * M(2)``. It rules out n = 3 and 4 for almost every
        page with the ``Counter`` of word pairs that n = 2 needs anyway. Word tuples stand for the
        joined strings, so this holds only when no word holds a space (else: infinity).
        """
        return (n - 1) * self._pairs()[1] if " " not in self.joined else float("inf")

    def _pairs(self) -> tuple[int, int]:
        """(``top_chars(2)``, M(2)) from one ``Counter`` of word pairs and one pass over it."""
        if self._pair_stats is None:
            top_gram, top_count = ("", ""), 0
            m2 = max(map(sub, self.offsets[2:], self.offsets), default=0) + 1  # a pair seen once: its length
            for gram, count in Counter(zip(self.words, self.words[1:])).items():
                if count > top_count:  # strictly: the first seen wins ties, as in most_common
                    top_gram, top_count = gram, count
                if count > 1:
                    m2 = max(m2, count * (len(gram[0]) + len(gram[1]) + 1))
            if top_count == 1:
                self._distinct_from = 2
            self._pair_stats = (len(top_gram[0]) + len(top_gram[1]) + 1) * top_count, m2
        return self._pair_stats

    def duplicated_chars(self, n: int) -> int:
        """Characters of the repeated n-grams (joined without separator) met by datatrove's scan.

        Two equal n-grams at positions i != j (n >= n0) start with their n0-grams, and both of those
        are prefixes of the same string, so one is a prefix of the other. Only positions whose
        n0-gram is prefix-related to another's ("candidates", usually none) can take part in a
        repeat; the scan visits only them: the other positions' n-grams are never seen twice, so
        datatrove's scan merely steps over them.
        """
        if n < 1 or (self._dup_n0 and n < self._dup_n0):
            return find_all_duplicate(self.words, n)
        if not self._dup_n0:
            self._dup_n0, self._dup_candidates = n, self._prefix_related(n)
        joined, offsets, last = self.joined, self.offsets, len(self.words) - n
        seen: set[str] = set()
        repeated = next_idx = 0
        for i in self._dup_candidates:
            if i > last:
                break
            if i < next_idx:
                continue  # jumped over by the previous repeat
            gram = joined[offsets[i]:offsets[i + n]]
            if gram in seen:
                repeated += len(gram)
                next_idx = i + n
            else:
                seen.add(gram)
        return repeated

    def _prefix_related(self, n: int) -> list[int]:
        """Sorted positions whose joined n-gram is a prefix of another position's or has one.

        In sorted order, all strings between ``a`` and a string it prefixes also start with ``a``:
        no adjacent pair prefix-related means no pair at all (the usual case); otherwise a stack of
        nested prefixes finds every related position.
        """
        joined, offsets = self.joined, self.offsets
        grams = [joined[a:b] for a, b in zip(offsets, offsets[n:])]
        ordered = sorted(grams)
        if not any(map(str.startswith, ordered[1:], ordered)):
            return []
        related: set[int] = set()
        stack: list[int] = []
        for i in sorted(range(len(grams)), key=grams.__getitem__):
            while stack and not grams[i].startswith(grams[stack[-1]]):
                stack.pop()
            if stack:
                related.update((i, stack[-1]))
            stack.append(i)
        return sorted(related)


class FastGopherRepetitionFilter(GopherRepetitionFilter):
    """datatrove's ``GopherRepetitionFilter`` (same parameters, checks, order and reasons), with
    the n-gram checks computed by ``WordNGrams``."""

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        text = doc.text
        if not text:
            return False, "empty"
        if "\n\n" in text:
            paragraphs, lines = self.paragraph_exp.split(text.strip()), self._line_splitter.split(text)
        else:  # the regexes would match single newlines only (C4's output has no blank lines)
            paragraphs, lines = [text.strip()], text.split("\n")
        checks = (
            (paragraphs, self.dup_para_frac, self.dup_para_char_frac, "para"),
            (lines, self.dup_line_frac, self.dup_line_char_frac, "line"),
        )
        for parts, frac, char_frac, what in checks:
            n_dup, dup_chars = find_duplicates_fast(parts)
            if frac and n_dup / len(parts) > frac:
                return False, f"dup_{what}_frac"
            if char_frac and dup_chars / len(text) > char_frac:
                return False, f"dup_{what}_char_frac"
        words = split_into_words(text, self.language)
        grams = WordNGrams(words)
        for n, n_frac in self.top_n_grams:
            if len(words) < n or (n > 2 and grams.top_chars_bound(n) / len(text) <= n_frac):
                continue  # even the bound does not exceed the fraction
            if grams.top_chars(n) / len(text) > n_frac:
                return False, f"top_{n}_gram"
        for n, n_frac in self.dup_n_grams:
            if grams.duplicated_chars(n) / len(text) > n_frac:
                return False, f"duplicated_{n}_n_grams"
        return True


_NON_SYMBOL, _HAS_ALPHA = 1, 2  # bits of a word's code in FastGopherQualityFilter
_MEMO_MAX = 200_000  # distinct words remembered by one FastGopherQualityFilter (~20 MB at most)


def _word_code(word: str) -> int:
    """``_NON_SYMBOL`` if a character is not punctuation, ``_HAS_ALPHA`` if one is alphabetic."""
    non_symbol = not PUNCTUATION_SET.issuperset(word)
    has_alpha = word.isalpha() or any(c.isalpha() for c in word)
    return non_symbol * _NON_SYMBOL | has_alpha * _HAS_ALPHA


class FastGopherQualityFilter(GopherQualityFilter):
    """datatrove's ``GopherQualityFilter`` (same parameters, checks, order and reasons), faster.

    The per-character generators over every word (punctuation-only? any letter?) become one
    lookup per word in a memo of word codes kept across documents (web pages share most of their
    vocabulary), counted with ``list.count``; the rest uses C-level ``str``/``set`` methods.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._codes: dict[str, int] = {}

    def _word_codes(self, words: list[str]) -> list[int]:
        codes = list(map(self._codes.get, words))
        if None in codes:
            if len(self._codes) > _MEMO_MAX:
                self._codes.clear()
            for word in set(words).difference(self._codes):
                self._codes[word] = _word_code(word)
            codes = list(map(self._codes.__getitem__, words))
        return codes

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        text = doc.text
        words = split_into_words(text, self.language)
        n_words = len(words)
        codes = self._word_codes(words)
        n_non_symbol = codes.count(_NON_SYMBOL) + codes.count(_NON_SYMBOL | _HAS_ALPHA)
        if self.min_doc_words and n_non_symbol < self.min_doc_words:
            return False, "gopher_short_doc"
        if self.max_doc_words and n_non_symbol > self.max_doc_words:
            return False, "gopher_long_doc"
        # np.mean of the lengths: an exact float64 sum of integers divided once, i.e. int / int
        non_symbol_chars = sum(compress(map(len, words), map(_NON_SYMBOL.__and__, codes)))
        avg_len = non_symbol_chars / n_non_symbol if n_non_symbol else float("nan")
        if self.min_avg_word_length and avg_len < self.min_avg_word_length:
            return False, "gopher_below_avg_threshold"
        if self.max_avg_word_length and avg_len > self.max_avg_word_length:
            return False, "gopher_above_avg_threshold"
        if self.max_symbol_word_ratio and text.count("#") / n_words > self.max_symbol_word_ratio:
            return False, "gopher_too_many_hashes"
        if self.max_symbol_word_ratio and (text.count("...") + text.count("…")) / n_words > self.max_symbol_word_ratio:
            return False, "gopher_too_many_ellipsis"
        lines = text.splitlines()
        if (
            self.max_bullet_lines_ratio
            and sum(s.lstrip().startswith(("•", "-")) for s in lines) / len(lines) > self.max_bullet_lines_ratio
        ):
            return False, "gopher_too_many_bullets"
        if (
            self.max_ellipsis_lines_ratio
            and sum(s.rstrip().endswith(("...", "…")) for s in lines) / len(lines) > self.max_ellipsis_lines_ratio
        ):
            return False, "gopher_too_many_end_ellipsis"
        n_alpha = codes.count(_HAS_ALPHA) + codes.count(_NON_SYMBOL | _HAS_ALPHA)
        if self.max_non_alpha_words_ratio and n_alpha / n_words < self.max_non_alpha_words_ratio:
            return False, "gopher_below_alpha_threshold"
        if self.min_stop_words and len(self.stop_words.intersection(words)) < self.min_stop_words:
            return False, "gopher_enough_stop_words"
        return True


class QualityFilter(BatchStatsFilter):
    """Dispatch each document to the quality filters of its language."""

    name = "✨ quality (C4/Gopher en, chars zh)"

    def __init__(self, tokenizer: str = "fast", batch_size: int = 256):
        super().__init__(batch_size=batch_size)
        if tokenizer not in ("fast", "spacy"):
            raise ValueError(f"unknown quality tokenizer {tokenizer!r}: expected fast or spacy")
        lang = FastEnglishTokenizer() if tokenizer == "fast" else "en"
        self.en_filters = [
            FastC4QualityFilter(filter_no_terminal_punct=False, language=lang),
            FastGopherRepetitionFilter(language=lang),
            FastGopherQualityFilter(language=lang),
        ]
        self.zh_filters = [ChineseQualityFilter()]

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        lang = doc.metadata.get("language")
        filters = self.zh_filters if lang == "zh" else self.en_filters
        for f in filters:
            result = f.filter(doc)
            ok, reason = (result, None) if not isinstance(result, tuple) else result
            if not ok:
                reason = (reason or type(f).__name__).replace(" ", "_").replace("<", "lt")
                return False, f"{lang}_{reason}"
        return True
