"""Fixtures for the corpus pubmed tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from pubmed_snippets import SAMPLES


@pytest.fixture()
def samples() -> Path:
    return SAMPLES
