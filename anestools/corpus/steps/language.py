"""Language routing with ``langdetect``, run only on documents that passed the relevance filter.

Usage::

    from anestools.corpus.steps.language import LanguageRouter
    pipeline = [reader, relevance, LanguageRouter(languages=("en", "zh")), ...]

Sets ``doc.metadata["language"]`` to ``en`` or ``zh`` (``zh-cn``/``zh-tw`` both map to ``zh``)
and drops everything else, counted as ``dropped_other_language`` plus ``lang_<code>`` per
detected language, or ``dropped_not_selected`` for en/zh outside ``languages``.

Script guard: langdetect's Korean and Japanese profiles also contain Han characters, and it
labels Chinese medical prose full of rare characters (丙泊酚, 硬膜外) as ``ko``. A text labelled
``ko`` without any Hangul, or ``ja`` without any kana, is Chinese: we relabel it ``zh-cn``.

Why seeded: langdetect is randomised; seed 0 (langdetect's ``DetectorFactory.seed = 0``) for
every text makes a rerun (or a resumed task) label every document exactly as before, whatever
the batch it falls in. Only the first ``max_chars`` (1,000)
characters are used: enough for a stable answer, and bounded cost per document.

Why batched: langdetect is pure Python and was the most expensive step of the build (about
2 ms per surviving page). ``LanguageRouter`` hands its documents to
``anestools.corpus.steps.langdetect_batch.BatchDetector`` a batch at a time: the same profiles,
random sequence and floating-point operations as langdetect (bit-identical probabilities,
tested against ``detect_langs``), with per-word n-gram caching and numpy updates shared by the
whole batch: 0.17 ms per page against 1.1 ms for the earlier subclass and ~2.4 ms for langdetect
itself (same texts, same process).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from datatrove.data import Document

from anestools.common.langs import normalize_language
from anestools.corpus.steps.batch_stats import BatchStatsFilter

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


def detect_languages(texts: Sequence[str], max_chars: int = 1000) -> list[str | None]:
    """langdetect's code for each text (seeded, deterministic), ``None`` where it cannot tell."""
    from anestools.corpus.steps.langdetect_batch import shared_detector

    samples = [t[:max_chars] for t in texts]
    return [_guard(code, s) for code, s in zip(shared_detector().detect(samples), samples)]


def detect_language(text: str, max_chars: int = 1000) -> str | None:
    """``detect_languages`` for one text."""
    return detect_languages([text], max_chars)[0]


class LanguageRouter(BatchStatsFilter):
    """Label en/zh documents and drop the rest."""

    name = "🌐 language (langdetect)"

    def __init__(self, languages: Sequence[str] = SUPPORTED, max_chars: int = 1000, batch_size: int = 1024):
        super().__init__(batch_size=batch_size)
        self.languages = tuple(languages)
        self.max_chars = max_chars

    def filter_batch(self, batch: list[Document]) -> list[bool | tuple[bool, str]]:
        codes = detect_languages([d.text for d in batch], self.max_chars)
        return [self._route(d, code) for d, code in zip(batch, codes)]

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        return self._route(doc, detect_language(doc.text, self.max_chars))

    def _route(self, doc: Document, code: str | None) -> bool | tuple[bool, str]:
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
