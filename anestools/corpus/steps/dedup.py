"""Deduplication helpers for datatrove's exact and MinHash dedup stages.

Usage::

    from anestools.corpus.steps.dedup import exact_config, minhash_config, MixedScriptTokenizer

``exact``: datatrove's ``ExactDedupSignature`` -> ``ExactFindDedups`` -> ``ExactDedupFilter`` on a
hash of the normalised text (lower case, all whitespace removed), so copies that differ only in
spacing or case count as duplicates, across all tasks. ``minhash``: datatrove's four MinHash
stages with ``MixedScriptTokenizer``: whitespace words for Latin text and one token per CJK
character, since datatrove's Chinese tokenizer needs ``jieba`` and our corpus mixes both.
"""

from __future__ import annotations

import re

from datatrove.data import Document
from datatrove.pipeline.dedup.exact_dedup import ExactDedupConfig
from datatrove.pipeline.dedup.minhash import MinhashConfig
from datatrove.utils.hashing import HashConfig
from datatrove.utils.word_tokenizers import WordTokenizer

_TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\s\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_SENT = re.compile(r"(?<=[.!?。！？])\s*")


def normalized_text(doc: Document) -> bytes:
    """The exact-dedup key: lower-cased text without any whitespace (spacing-only copies match).

    Bytes, because datatrove's default (xxhash) signature hashes bytes.
    """
    return "".join(doc.text.lower().split()).encode("utf-8")


def exact_config() -> ExactDedupConfig:
    return ExactDedupConfig(content_getter=normalized_text)


def minhash_config() -> MinhashConfig:
    """datatrove's defaults (5-grams, 14 buckets x 8 hashes: about 75% similarity), sha1 shingles.

    sha1 because datatrove 0.10.1's default xxhash shingle hash is handed ``str`` n-grams and
    raises "Strings must be encoded before hashing"; the sha1 variant hashes strings.
    """
    return MinhashConfig(hash_config=HashConfig(precision=64, hash_fc="sha1"))


class MixedScriptTokenizer(WordTokenizer):
    """Words for Latin text, single characters for CJK (no segmenter, deterministic)."""

    def __init__(self):
        super().__init__("mixed")

    def word_tokenize(self, text: str) -> list[str]:
        return _TOKEN.findall(text)

    def sent_tokenize(self, text: str) -> list[str]:
        return [s for s in _SENT.split(text) if s]

    def span_tokenize(self, text: str) -> list[tuple[int, int]]:
        return [m.span() for m in _TOKEN.finditer(text)]
