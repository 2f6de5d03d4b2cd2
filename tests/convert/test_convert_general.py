"""``anestools convert --kind general``: any text corpus (parquet or JSONL) -> ``general_<split>``."""

from __future__ import annotations

import json

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from anestools.convert.core import convert
from anestools.errors import InputError


def _lines(path):
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def test_general_jsonl_with_language_column(tmp_path):
    src = tmp_path / "fineweb_sample.jsonl"
    rows = [{"text": "The river flows to the sea.", "language": "en", "url": "u1"},
            {"text": "Paris is the capital of France.", "language": "en", "url": "u2"},
            {"text": "   ", "language": "en"},
            {"text": "北京是中国的首都。", "language": "zh"}]
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    result = convert([str(src)], tmp_path / "data", split="en", kind="general")
    (out,) = result.outputs
    assert (out.kind, out.dataset, out.rows, out.path.name) == ("general", "general_en", 2, "General_en.jsonl")
    assert _lines(out.path) == [{"text": "The river flows to the sea."}, {"text": "Paris is the capital of France."}]
    info = json.loads((tmp_path / "data" / "dataset_info.json").read_text())
    assert info["general_en"] == {"file_name": "General_en.jsonl", "columns": {"prompt": "text"}}
    t = result.totals()
    assert (t.read, t.written, t.skipped_empty, t.other_language) == (4, 2, 1, 1)


def test_general_parquet_next_to_the_domain_corpus(tmp_path):
    """Both corpora in one data dir, each under its own name (what `train cpt --mix` needs)."""
    pq.write_table(pa.table({"text": ["Propofol induces anaesthesia."]}), tmp_path / "anes.parquet")
    pq.write_table(pa.table({"text": ["Bread is baked in an oven.", "Cats sleep a lot."]}), tmp_path / "web.parquet")
    data = tmp_path / "data"
    convert([str(tmp_path / "anes.parquet")], data)
    convert([str(tmp_path / "web.parquet")], data, kind="general")
    info = json.loads((data / "dataset_info.json").read_text())
    assert set(info) == {"anescorpus_all", "general_all"}
    assert len(_lines(data / "General_all.jsonl")) == 2


def test_general_needs_a_text_column_and_valid_json(tmp_path):
    qa = tmp_path / "qa.jsonl"
    qa.write_text('{"question": "q", "answer": "a"}\n', encoding="utf-8")
    with pytest.raises(InputError, match="missing column 'text' for --kind general"):
        convert([str(qa)], tmp_path / "data", kind="general")
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n", encoding="utf-8")
    with pytest.raises(InputError, match="bad.jsonl: not a readable JSON lines file"):
        convert([str(bad)], tmp_path / "data", kind="general")
    assert not (tmp_path / "data").exists()
