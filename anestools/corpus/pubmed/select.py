"""Which PubMed/PMC documents belong to the anesthesia corpus, and why.

A document qualifies if any enabled criterion holds (``--select mesh,journal,lexicon``):

- ``mesh``: one of its MeSH descriptors is in the shipped anesthesia list (by UI or by name);
- ``journal``: it appeared in an anesthesia journal (by NLM abbreviation or full title);
- ``lexicon``: the shared anesthesia lexicon (``anestools.corpus.lexicon``) qualifies its text.

``all`` keeps everything. The reasons that held are stored in the document metadata, so the
corpus can later be audited or re-filtered by how each document got in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from anestools.errors import ConfigError, InputError

CRITERIA = ("mesh", "journal", "lexicon")
_NORM = re.compile(r"[^0-9a-z]+")


def parse_select(spec: str) -> tuple[str, ...]:
    """``"mesh,journal"`` -> ``("mesh", "journal")``; ``"all"`` -> ``()`` (keep everything)."""
    items = [s.strip().lower() for s in spec.split(",") if s.strip()]
    if items == ["all"]:
        return ()
    bad = [s for s in items if s not in CRITERIA]
    if bad or not items:
        raise ConfigError(
            f"--select {spec!r}: expected a comma-separated subset of {', '.join(CRITERIA)}, or 'all'"
        )
    return tuple(dict.fromkeys(items))


def norm_journal(name: str) -> str:
    """Case- and punctuation-insensitive key: "Br J Anaesth." == "br j anaesth"."""
    return _NORM.sub(" ", name.lower()).strip()


def _resource(name: str) -> Path:
    return Path(str(resources.files("anestools") / "resources" / "pubmed" / name))


def _rows(path: Path) -> Iterable[tuple[int, list[str]]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from exc
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\n")
        if line.strip() and not line.lstrip().startswith("#"):
            yield lineno, [c.strip() for c in line.split("\t")]


@dataclass
class MeshList:
    """Anesthesia MeSH descriptors: UIs and lower-cased names."""

    uis: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, path: str | Path | None = None) -> MeshList:
        p = Path(path) if path else _resource("anesthesia_mesh.tsv")
        out = cls()
        for lineno, cols in _rows(p):
            if len(cols) < 2 or not cols[1]:
                raise InputError(f"{p}:{lineno}: expected '<MeSH UI>\\t<descriptor name>'")
            if cols[0] not in ("", "-"):
                if not re.fullmatch(r"D\d{6,9}", cols[0]):
                    raise InputError(f"{p}:{lineno}: {cols[0]!r} is not a MeSH descriptor UI (D000758 or '-')")
                out.uis.add(cols[0])
            out.names.add(cols[1].lower())
        return out

    def matches(self, uis: Sequence[str], names: Sequence[str]) -> list[str]:
        """Descriptor names of the record that are in the list."""
        hit = []
        for ui, name in zip(uis, names, strict=False):
            if ui in self.uis or name.lower() in self.names:
                hit.append(name)
        return hit


@dataclass
class JournalList:
    """Anesthesia journals as normalized abbreviations and titles."""

    keys: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, path: str | Path | None = None) -> JournalList:
        p = Path(path) if path else _resource("anesthesia_journals.tsv")
        out = cls()
        for lineno, cols in _rows(p):
            names = [c for c in cols[:2] if c]
            if not names:
                raise InputError(f"{p}:{lineno}: expected '<abbreviation>\\t<full title>'")
            out.keys.update(norm_journal(n) for n in names)
        return out

    def matches(self, *names: str) -> bool:
        return any(n and norm_journal(n) in self.keys for n in names)


@dataclass
class Selector:
    """Decides selection for one document; picklable so it ships inside datatrove steps."""

    criteria: tuple[str, ...]
    mesh: MeshList
    journals: JournalList
    lexicon: object | None  # anestools.corpus.lexicon.Lexicon (imported lazily)
    min_terms: int | None = None
    min_score: float | None = None

    @classmethod
    def build(
        cls,
        criteria: tuple[str, ...],
        mesh_file: str | Path | None = None,
        journal_file: str | Path | None = None,
        lexicon_files: Sequence[str | Path] | None = None,
        min_terms: int | None = None,
        min_score: float | None = None,
    ) -> Selector:
        from anestools.corpus.lexicon import load_lexicon

        return cls(
            criteria=criteria,
            mesh=MeshList.load(mesh_file),
            journals=JournalList.load(journal_file),
            lexicon=load_lexicon(lexicon_files or None),
            min_terms=min_terms,
            min_score=min_score,
        )

    def lexicon_match(self, text: str):
        """The shared lexicon's ``RelevanceMatch`` (also fills matched_terms/anes_score)."""
        return self.lexicon.match(text)

    def lexicon_qualifies(self, match) -> bool:
        kw = {}
        if self.min_terms is not None:
            kw["min_terms"] = self.min_terms
        if self.min_score is not None:
            kw["min_score"] = self.min_score
        return match.qualifies(**kw)

    def reasons(self, meta: dict, match) -> list[str]:
        """Criteria that hold for a document (all of them are checked, for the metadata)."""
        out = []
        if self.mesh.matches(meta.get("mesh_uis", []), meta.get("mesh_terms", [])):
            out.append("mesh")
        if self.journals.matches(meta.get("journal_abbrev", ""), meta.get("journal", "")):
            out.append("journal")
        if match is not None and self.lexicon_qualifies(match):
            out.append("lexicon")
        return out

    def selected(self, reasons: Sequence[str]) -> bool:
        return not self.criteria or any(r in self.criteria for r in reasons)
