"""Language labelling with ``langdetect`` (its public, seeded API), on relevant pages only.

Usage::

    from anestools.corpus.steps.language import LanguageRouter
    pipeline = [reader, prescreen, relevance, LanguageRouter(languages=("en", "zh")), ...]

Sets ``doc.metadata["language"]`` to ``en`` or ``zh`` (``zh-cn``/``zh-tw`` both map to ``zh``)
and drops everything else, counted as ``dropped_other_language`` plus ``lang_<code>`` per
detected language, or ``dropped_not_selected`` for en/zh outside ``languages``.

Why langdetect and not datatrove's ``LanguageFilter``: the latter needs a fastText model
downloaded at run time. Why seeded: langdetect is randomised; ``DetectorFactory.seed = 0`` (the
switch langdetect documents for this) makes every run, resume and worker label a page alike.
Only the first ``max_chars`` (1,000) characters are used: enough for a stable answer.

Script guard: langdetect's Korean and Japanese profiles also contain Han characters, and it
labels Chinese medical prose full of rare characters (丙泊酚, 硬膜外) as ``ko``. A text labelled
``ko`` without any Hangul, or ``ja`` without any kana, is Chinese: we relabel it ``zh-cn``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from datatrove.data import Document
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.writers.disk_base import DiskWriter
from langdetect import DetectorFactory, LangDetectException, detect

from anestools.common.langs import normalize_language

DetectorFactory.seed = 0  # langdetect's documented way to make detection deterministic

SUPPORTED = ("en", "zh")
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _guard(code: str | None, sample: str) -> str | None:
    """Relabel as Chinese a ``ko`` text without Hangul or a ``ja`` text without kana."""
    if (code == "ko" and not _HANGUL.search(sample) and _HAN.search(sample)) or (
        code == "ja" and not _KANA.search(sample) and _HAN.search(sample)
    ):
        return "zh-cn"
    return code


def detect_language(text: str, max_chars: int = 1000) -> str | None:
    """langdetect's code for ``text`` (seeded, deterministic), ``None`` where it cannot tell."""
    sample = text[:max_chars]
    try:
        code = detect(sample)
    except LangDetectException:  # no usable features (digits, symbols only)
        return None
    return _guard(code, sample)


class LanguageRouter(BaseFilter):
    """Label en/zh documents and drop the rest."""

    name = "language (langdetect)"

    def __init__(self, languages: Sequence[str] = SUPPORTED, max_chars: int = 1000,
                 exclusion_writer: DiskWriter | None = None):
        super().__init__(exclusion_writer)
        self.languages = tuple(languages)
        self.max_chars = max_chars

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        code = detect_language(doc.text, self.max_chars)
        if code is None:
            return False, "undetected"
        self.stat_update(f"lang_{code}")
        lang = normalize_language(code)
        if lang not in SUPPORTED:
            return False, "other_language"
        if lang not in self.languages:
            return False, "not_selected"
        doc.metadata["language"] = lang
        return True
