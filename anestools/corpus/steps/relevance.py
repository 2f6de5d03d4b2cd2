"""Anesthesia relevance filter: lexicon score, with the reasons in the metadata.

Usage::

    from anestools.corpus.lexicon import load_lexicon
    from anestools.corpus.steps.relevance import AnesRelevanceFilter

    step = AnesRelevanceFilter(load_lexicon(), min_terms=3, min_score=2.0)
    pipeline = [reader, AnesPrescreen(lexicon), step, ...]   # any datatrove pipeline

Kept documents get ``doc.metadata["matched_terms"]`` (distinct term names) and
``doc.metadata["anes_score"]`` (float). Dropped ones are counted in datatrove's stats as
``dropped_<reason>`` (``no_strong_term``, ``too_few_terms``, ``low_score``). Run after
``AnesPrescreen`` it only sees the pages that may hold a strong term (a small share of the web).
"""

from __future__ import annotations

from datatrove.data import Document
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.writers.disk_base import DiskWriter

from anestools.corpus.lexicon import DEFAULT_MIN_SCORE, DEFAULT_MIN_TERMS, Lexicon, load_lexicon


class AnesRelevanceFilter(BaseFilter):
    """Keep documents whose lexicon match qualifies (see ``anestools.corpus.lexicon``)."""

    name = "anesthesia relevance"

    def __init__(
        self,
        lexicon: Lexicon | None = None,
        min_terms: int = DEFAULT_MIN_TERMS,
        min_score: float = DEFAULT_MIN_SCORE,
        exclusion_writer: DiskWriter | None = None,
    ):
        super().__init__(exclusion_writer)
        self.lexicon = lexicon if lexicon is not None else load_lexicon()
        self.min_terms = min_terms
        self.min_score = min_score

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        if not self.lexicon.has_strong(doc.text):
            return False, "no_strong_term"
        match = self.lexicon.match(doc.text)
        reason = match.drop_reason(self.min_terms, self.min_score)
        if reason is not None:
            return False, reason
        doc.metadata["matched_terms"] = match.terms
        doc.metadata["anes_score"] = match.score
        return True
