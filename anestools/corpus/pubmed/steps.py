"""datatrove pipeline steps for PubMed/MEDLINE and PMC JATS.

``PubmedReader`` turns input files into cleaned ``Document``s (one reader for both formats, the
format being detected per file) and records every unreadable file instead of aborting the task,
so one truncated download does not throw away the other files of a shard. ``PubmedFilter``
applies the drop rules (retractions, errata, comments, no abstract, language, length) and the
MeSH/journal/lexicon selection, counting each reason in datatrove's per-step stats.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.filters.base_filter import BaseFilter

from anestools.common.atomic import atomic_open
from anestools.corpus.pubmed.clean import clean_paragraphs, normalize_paragraph, word_count
from anestools.corpus.pubmed.dedup import ORDER, record_order
from anestools.corpus.pubmed.jats import DROP_ARTICLE_TYPES, JatsRecord, iter_jats
from anestools.corpus.pubmed.medline import MedlineRecord, iter_medline
from anestools.corpus.pubmed.select import Selector
from anestools.corpus.pubmed.sources import (
    MAX_MEMBER_BYTES,
    detect_format,
    iter_tar_members,
    open_binary,
    read_capped,
)
from anestools.corpus.pubmed.xmlio import describe_error

#: MEDLINE publication types that are notices about other articles, not research text.
RETRACTION_TYPES = frozenset({"Retracted Publication", "Retraction of Publication", "Retraction Notice"})
ERRATUM_TYPES = frozenset({"Published Erratum", "Erratum", "Correction"})
COMMENT_TYPES = frozenset({"Comment"})

ERRORS_DIR = "pubmed_errors"


def medline_id(rec: MedlineRecord) -> str:
    return f"pubmed-{rec.pmid}"


def jats_id(rec: JatsRecord, path: str) -> str:
    return "pmc-" + (rec.pmcid or (f"pmid{rec.pmid}" if rec.pmid else Path(path).name))


def id_document(rec: MedlineRecord | JatsRecord, path: str) -> Document:
    """The identity of a record without its text (the dedup pass: no cleaning)."""
    ident = medline_id(rec) if isinstance(rec, MedlineRecord) else jats_id(rec, path)
    return Document(text="", id=ident, metadata={"pmid": rec.pmid, "pmcid": getattr(rec, "pmcid", "")})


def medline_document(rec: MedlineRecord, path: str) -> Document:
    """Cleaned title + abstract with MEDLINE provenance in the metadata."""
    title = normalize_paragraph(rec.title)
    abstract = clean_paragraphs(rec.abstract)
    text = "\n\n".join(p for p in (title, abstract) if p)
    return Document(
        text=text,
        id=medline_id(rec),
        metadata={
            "source": "pubmed",
            "pmid": rec.pmid,
            "pmcid": "",
            "doi": rec.doi,
            "journal": rec.journal,
            "journal_abbrev": rec.journal_abbrev,
            "year": rec.year,
            "language": rec.language,
            "mesh_terms": rec.mesh_names,
            "mesh_uis": rec.mesh_uis,
            "publication_types": rec.publication_types,
            "retracted": rec.retracted,
            "has_abstract": bool(abstract),
            "file_path": path,
        },
    )


def jats_document(rec: JatsRecord, path: str) -> Document:
    """Cleaned title, abstract and body (headings kept as their own paragraphs)."""
    title = normalize_paragraph(rec.title)
    abstract = clean_paragraphs(rec.abstract)
    body = clean_paragraphs(rec.body)
    text = "\n\n".join(p for p in (title, abstract, body) if p)
    pub_types = [rec.article_type] if rec.article_type else []
    return Document(
        text=text,
        id=jats_id(rec, path),
        metadata={
            "source": "pmc",
            "pmid": rec.pmid,
            "pmcid": rec.pmcid,
            "doi": rec.doi,
            "journal": rec.journal,
            "journal_abbrev": rec.journal_abbrev,
            "year": rec.year,
            "language": rec.language,
            "mesh_terms": [],
            "mesh_uis": [],
            "publication_types": pub_types,
            "retracted": rec.retracted,
            "has_abstract": bool(abstract),
            "has_body": bool(body),
            "file_path": path,
        },
    )


class PubmedReader(PipelineStep):
    """Read MEDLINE (``.xml[.gz]``) and JATS (``.nxml``, ``.xml``, ``.tar.gz``) files.

    Files are split across tasks round-robin (``files[rank::world_size]``); each record gets its
    ``record_order`` (file index, position in the file: :mod:`anestools.corpus.pubmed.dedup`). A file that fails
    (truncated gzip, malformed XML, another schema) is logged to
    ``<errors_dir>/<rank>.jsonl`` with its error and the number of records read before the
    fault; the task goes on with its other files.
    """

    name = "PubMed/PMC XML"
    type = "📖 - READER"

    def __init__(
        self,
        files: Sequence[str | Path],
        sections: str = "full",
        keep_captions: bool = False,
        errors_dir: str | Path | None = None,
        max_member_bytes: int = MAX_MEMBER_BYTES,
        huge_tree: bool = False,
        ids_only: bool = False,
    ):
        super().__init__()
        self.ids_only = ids_only  # documents carry only their identity (the dedup pass)
        self.max_member_bytes = max_member_bytes
        self.huge_tree = huge_tree
        self.files = [str(f) for f in files]
        self.sections = sections
        self.keep_captions = keep_captions
        self.errors_dir = str(errors_dir) if errors_dir else None

    def _read_file(self, path: str, counter: list[int]):
        p = Path(path)
        fmt = detect_format(p)
        if fmt == "medline":
            with open_binary(p) as fh:
                for rec in iter_medline(fh, huge_tree=self.huge_tree):
                    counter[0] += 1
                    yield id_document(rec, path) if self.ids_only else medline_document(rec, path)
        elif fmt == "jats":
            with open_binary(p) as fh:
                data = read_capped(fh, path, self.max_member_bytes)
            for rec in iter_jats(data, self.keep_captions, self.sections, huge_tree=self.huge_tree):
                counter[0] += 1
                yield id_document(rec, path) if self.ids_only else jats_document(rec, path)
        else:
            for member, data in iter_tar_members(p, self.max_member_bytes):
                where = f"{path}:{member}"
                try:
                    recs = list(iter_jats(data, self.keep_captions, self.sections, huge_tree=self.huge_tree))
                except Exception as exc:  # one bad member does not spoil the bundle
                    self._errors.append({"file": where, "error": str(describe_error(where, exc)), "records": 0})
                    self.stat_update("bad_files")
                    continue
                for rec in recs:
                    counter[0] += 1
                    yield id_document(rec, where) if self.ids_only else jats_document(rec, where)

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data:
            yield from data
        self._errors: list[dict] = []
        for index in range(rank, len(self.files), world_size):
            path = self.files[index]
            self.stat_update("input_files")
            counter = [0]
            try:
                for doc in self._read_file(path, counter):
                    doc.metadata[ORDER] = record_order(index, counter[0])  # its version (dedup.py)
                    self.stat_update("records")
                    self.update_doc_stats(doc)
                    yield doc
            except Exception as exc:
                err = describe_error(path, exc)
                self.stat_update("bad_files")
                self._errors.append({"file": path, "error": str(err), "records": counter[0]})
        self._write_errors(rank)

    def _write_errors(self, rank: int) -> None:
        if not self.errors_dir:
            return
        os.makedirs(self.errors_dir, exist_ok=True)
        final = os.path.join(self.errors_dir, f"{rank:05d}.jsonl")
        # atomic_open's temp name: a stale one is removed by the next run (under its lock)
        with atomic_open(final, "w", overwrite=True, encoding="utf-8") as fh:
            for e in self._errors:
                fh.write(json.dumps(e, ensure_ascii=False) + "\n")


def read_errors(errors_dir: str | Path) -> list[dict]:
    """All per-file errors recorded by the reader tasks of a run (resumed tasks included)."""
    out: list[dict] = []
    d = Path(errors_dir)
    if not d.is_dir():
        return out
    for f in sorted(d.glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append(json.loads(line))
    return out


class PubmedFilter(BaseFilter):
    """Drop notices, abstract-less records, other languages and short texts; then select.

    Every kept document gets ``selected_by`` (the criteria that held), ``matched_terms`` and
    ``anes_score`` (from the shared lexicon) in its metadata.
    """

    name = "PubMed selection"

    def __init__(
        self,
        selector: Selector,
        languages: Sequence[str] | None = ("en",),
        min_words: int = 50,
        require_abstract: bool = True,
        exclusion_writer=None,
    ):
        super().__init__(exclusion_writer)
        self.selector = selector
        self.languages = set(languages) if languages else None
        self.min_words = min_words
        self.require_abstract = require_abstract

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        m = doc.metadata
        types = set(m.get("publication_types") or [])
        if m.get("retracted") or types & RETRACTION_TYPES or "retraction" in types:
            return False, "retracted"
        if types & ERRATUM_TYPES or types & {"correction", "expression-of-concern", "addendum", "removal"}:
            return False, "erratum"
        if types & COMMENT_TYPES or types & (DROP_ARTICLE_TYPES - {"retraction", "correction"}):
            return False, "comment"
        if self.require_abstract and not m.get("has_abstract") and not m.get("has_body"):
            # MEDLINE: title-only records; PMC: full text without abstract is still kept.
            return False, "no_abstract"
        if self.languages is not None and m.get("language") not in self.languages:
            return False, "language"
        if word_count(doc.text) < self.min_words:
            return False, "too_short"
        match = self.selector.lexicon_match(doc.text)
        reasons = self.selector.reasons(m, match)
        m["matched_terms"] = list(match.terms)
        m["anes_score"] = float(match.score)
        m["selected_by"] = reasons
        if not self.selector.selected(reasons):
            return False, "not_selected"
        for r in reasons:
            self.stat_update(f"selected_by_{r}")
        return True
