"""``anestools corpus pubmed``: PubMed/MEDLINE and PMC JATS -> AnesCorpus shards (issue 4)."""

from __future__ import annotations

from anestools.errors import ConfigError


def pubmed_command() -> None:
    """Clean PubMed/MEDLINE XML and PMC JATS full text into AnesCorpus shards (not implemented yet)."""
    raise ConfigError("corpus pubmed is not implemented yet")
