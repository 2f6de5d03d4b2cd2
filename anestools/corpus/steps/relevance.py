"""Anesthesia relevance filter: the first and cheapest step, run on every input document.

Usage::

    from anestools.corpus.lexicon import load_lexicon
    from anestools.corpus.steps.relevance import AnesRelevanceFilter

    step = AnesRelevanceFilter(load_lexicon(), min_terms=3, min_score=2.0)
    pipeline = [reader, step, ...]        # any datatrove pipeline

Documents are processed in batches of ``batch_size``: one vectorised pass over the batch
(``Lexicon.strong_screen()``: hyperscan over the Arrow text buffer, RE2 as the fallback) screens
out pages without any strong term before the per-page Aho-Corasick scoring. Kept documents get
``doc.metadata["matched_terms"]`` (list of distinct term names) and
``doc.metadata["anes_score"]`` (float). Dropped ones are counted in datatrove's stats as
``dropped_<reason>`` (``no_strong_term``, ``too_few_terms``, ``low_score``; pages without any
strong term are rejected by a strong-terms-only automaton before the full match).
"""

from __future__ import annotations

from datatrove.data import Document
from datatrove.pipeline.writers.disk_base import DiskWriter

from anestools.corpus.lexicon import DEFAULT_MIN_SCORE, DEFAULT_MIN_TERMS, Lexicon, load_lexicon
from anestools.corpus.steps.batch_stats import BatchStatsFilter


class AnesRelevanceFilter(BatchStatsFilter):
    """Keep documents whose lexicon match qualifies (see ``anestools.corpus.lexicon``)."""

    name = "🩺 anesthesia relevance"

    def __init__(
        self,
        lexicon: Lexicon | None = None,
        min_terms: int = DEFAULT_MIN_TERMS,
        min_score: float = DEFAULT_MIN_SCORE,
        exclusion_writer: DiskWriter | None = None,
        batch_size: int = 1000,
        prescreened: bool = False,
    ):
        super().__init__(exclusion_writer, batch_size=batch_size)
        self.lexicon = lexicon if lexicon is not None else load_lexicon()
        self.min_terms = min_terms
        self.min_score = min_score
        # True when the reader already ran this lexicon's strong screen (``AnesReader(prescreen=)``):
        # screening the survivors again would only repeat it (same results either way)
        self.prescreened = prescreened

    def filter_batch(self, batch: list[Document]) -> list[bool | tuple[bool, str]]:
        """Screen a batch with ``Lexicon.strong_screen()`` (strong spellings only), score the rest.

        The screen runs in C/C++ over the whole batch, so pages without any strong term (the
        vast majority of web text) never reach the per-page Python code. It may pass pages
        without one (``filter`` then drops them as ``no_strong_term``), never the reverse.
        """
        if self.prescreened:
            return [self._score(d) for d in batch]
        screened = self.lexicon.strong_screen().screen_texts([d.text for d in batch])
        return [self._score(d) if ok else (False, "no_strong_term") for d, ok in zip(batch, screened)]

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        if not self.lexicon.has_strong(doc.text):  # fast path for the vast majority of pages
            return False, "no_strong_term"
        return self._score(doc)

    def _score(self, doc: Document) -> bool | tuple[bool, str]:
        """``filter`` for a page that passed a screen: one automaton pass instead of two.

        Same result and reason as ``filter``: a page with a strong term in ``match`` also has
        one for ``has_strong``; one with only weak terms is ``no_strong_term`` either way; only
        a page with no valid term at all needs ``has_strong`` to tell its reason.
        """
        match = self.lexicon.match(doc.text)
        if not match.terms and not self.lexicon.has_strong(doc.text):
            return False, "no_strong_term"
        reason = match.drop_reason(self.min_terms, self.min_score)
        if reason is not None:
            return False, reason
        doc.metadata["matched_terms"] = match.terms
        doc.metadata["anes_score"] = match.score
        return True
