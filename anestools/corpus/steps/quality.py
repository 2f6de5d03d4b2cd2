"""Quality heuristics per language: datatrove's stock filters (en), character rules (zh).

Usage::

    from anestools.corpus.steps.quality import quality_steps

    pipeline = [JsonlReader("relevant/en"), *quality_steps("en"), ...]   # one language per stage

English: datatrove's ``C4QualityFilter`` (FineWeb settings: no terminal-punctuation line
removal), ``GopherRepetitionFilter`` and ``GopherQualityFilter``, as shipped, each its own step
with its own statistics (word splitting is datatrove's choice for English: spaCy's blank
pipeline, nothing to download). They only ever see English pages: ``corpus build`` runs the
quality stage once per language, on that language's relevant pages.

Chinese: ``ChineseQualityFilter``, ours: minimum length, share of CJK characters,
function-character presence (the Chinese analogue of Gopher's stop words), symbol and
duplicate-line ratios, and C4's javascript/lorem-ipsum/curly-bracket checks.

``exclusions(name)`` gives a step's exclusion writer (``--keep-excluded DIR``) or ``None``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from datatrove.data import Document
from datatrove.pipeline.filters import C4QualityFilter, GopherQualityFilter, GopherRepetitionFilter
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.writers.disk_base import DiskWriter

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SYMBOLS = re.compile(r"[#…]|\.\.\.")
_FUNCTION_CHARS = set("的了是在和有也就都而及与或这那")


class ChineseQualityFilter(BaseFilter):
    """Character-based rules for Chinese web text (no word segmenter needed)."""

    name = "Chinese quality"

    def __init__(
        self,
        exclusion_writer: DiskWriter | None = None,
        min_cjk_chars: int = 80,
        min_cjk_ratio: float = 0.3,
        min_function_chars: int = 3,
        max_symbol_ratio: float = 0.05,
        max_dup_line_char_frac: float = 0.3,
    ):
        super().__init__(exclusion_writer)
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


def quality_steps(language: str, exclusions: Callable[[str], DiskWriter | None] = lambda name: None) -> list[BaseFilter]:
    """The quality filters of ``language`` (``en`` or ``zh``), one datatrove step each."""
    if language == "zh":
        return [ChineseQualityFilter(exclusion_writer=exclusions("zh-quality"))]
    return [
        C4QualityFilter(filter_no_terminal_punct=False, exclusion_writer=exclusions("c4-quality")),
        GopherRepetitionFilter(exclusion_writer=exclusions("gopher-repetition")),
        GopherQualityFilter(exclusion_writer=exclusions("gopher-quality")),
    ]
