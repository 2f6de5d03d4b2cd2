"""The publish stage: staged shards -> final shards, duplicates removed, idempotent on rerun."""

from __future__ import annotations

import gzip
import json
import shutil

import numpy as np
import pyarrow.parquet as pq
import pytest
from datatrove.data import Document

from anestools.corpus.steps.publish import PublishShards, publish_tasks
from anestools.corpus.steps.writer import AnesCorpusWriter
from anestools.errors import InputError

LANGS = ["en", "zh", "en", "en", "zh", "zh", "en", "zh", "en"]  # write order of task 0


def _stage(out, fmt="parquet", rank=0, langs=LANGS):
    docs = [Document(f"text {i} {lang}", f"r{rank}-d{i}", metadata={"language": lang, "source": "web"})
            for i, lang in enumerate(langs)]
    writer = AnesCorpusWriter(str(out / "_work" / "staged"), fmt=fmt, record_order=True)
    assert [d.id for d in writer.run(iter(docs), rank=rank)] == [d.id for d in docs]
    return docs


def _dups(out, rank, numbers, finder="00000"):
    folder = out / "_work" / "exact" / "dups" / finder
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{rank:05d}.c4_dup").write_bytes(np.array(numbers, dtype="<u4").tobytes())


def _ids(out, fmt="parquet"):
    found = {}
    for lang in ("en", "zh"):
        for f in sorted((out / lang).glob("*")) if (out / lang).is_dir() else []:
            if fmt == "parquet":
                found[f"{lang}/{f.name}"] = pq.read_table(f).column("id").to_pylist()
            else:
                with gzip.open(f, "rt", encoding="utf-8") as fh:
                    found[f"{lang}/{f.name}"] = [json.loads(line)["id"] for line in fh]
    return found


def _publish(out, n_ranks=1, fmt="parquet", removals="exact"):
    step = PublishShards(str(out), n_ranks=n_ranks, fmt=fmt, removals=removals,
                         removals_folder=str(out / "_work" / "exact" / "dups") if removals == "exact" else None)
    list(step.run(None, rank=0, world_size=1))
    return {k: v.total for k, v in step.stats.stats.items()}


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_duplicates_are_removed_from_the_right_language_and_row(tmp_path, fmt):
    ext = "parquet" if fmt == "parquet" else "jsonl.gz"
    _stage(tmp_path, fmt)
    assert (tmp_path / "_work" / "staged" / "00000.order").read_bytes() == b"ezeezzeze"
    _dups(tmp_path, 0, [1, 3])  # the first zh document and the third en one
    _dups(tmp_path, 0, [8], finder="00001")  # another finder's results are merged in
    stats = _publish(tmp_path, fmt=fmt)
    assert _ids(tmp_path, fmt) == {f"en/00000.{ext}": ["r0-d0", "r0-d2", "r0-d6"],
                                   f"zh/00000.{ext}": ["r0-d4", "r0-d5", "r0-d7"]}
    assert stats["total"] == 9 and stats["dropped"] == 3 and stats["forwarded"] == 6
    assert stats["dropped_duplicate"] == 3
    assert stats["published_en"] == 3 and stats["published_zh"] == 3
    assert not list((tmp_path / "_work" / "staged").glob("*/*"))  # nothing left staged
    assert not list(tmp_path.glob("*/.*"))  # no hidden temporary file left behind


def test_a_shard_without_duplicates_is_moved_not_rewritten(tmp_path):
    _stage(tmp_path)
    staged = tmp_path / "_work" / "staged" / "en" / "00000.parquet"
    inode = staged.stat().st_ino
    _dups(tmp_path, 0, [1])  # only a Chinese document goes
    _publish(tmp_path)
    assert (tmp_path / "en" / "00000.parquet").stat().st_ino == inode
    assert _ids(tmp_path)["zh/00000.parquet"] == ["r0-d4", "r0-d5", "r0-d7"]


def test_a_language_whose_rows_are_all_duplicates_gets_no_shard(tmp_path):
    _stage(tmp_path)
    _dups(tmp_path, 0, [1, 4, 5, 7])
    _publish(tmp_path)
    assert list(_ids(tmp_path)) == ["en/00000.parquet"]


def test_rerun_after_an_interrupted_publish_gives_the_same_output_and_counts(tmp_path):
    clean, broken = tmp_path / "clean", tmp_path / "broken"
    for out in (clean, broken):
        for rank in (0, 1):
            _stage(out, rank=rank)
        _dups(out, 1, [0, 2])
    clean_stats = _publish(clean, n_ranks=2)
    # the interrupted task had moved rank 0's English shard before it died
    (broken / "en").mkdir()
    shutil.move(broken / "_work" / "staged" / "en" / "00000.parquet", broken / "en" / "00000.parquet")
    assert _publish(broken, n_ranks=2) == clean_stats
    assert _ids(broken) == _ids(clean)
    assert _publish(broken, n_ranks=2) == clean_stats  # and once more: nothing changes
    assert _ids(broken) == _ids(clean)


def test_none_mode_only_renames_and_ranks_without_survivors_are_fine(tmp_path):
    _stage(tmp_path, rank=0)
    _stage(tmp_path, rank=2, langs=[])  # a filter task that kept nothing
    stats = _publish(tmp_path, n_ranks=3, removals="none")
    assert stats["total"] == 9 and stats["dropped"] == 0 and "dropped_duplicate" not in stats
    assert sorted(_ids(tmp_path)) == ["en/00000.parquet", "zh/00000.parquet"]


def test_inconsistent_staging_is_a_clear_error(tmp_path):
    _stage(tmp_path)
    (tmp_path / "_work" / "staged" / "00000.order").write_bytes(b"ezeezzezee")  # one en row too many
    _dups(tmp_path, 0, [9])
    with pytest.raises(InputError, match=r"en/00000.parquet: staged shard has 5 rows but its task's order file lists 6"):
        _publish(tmp_path)
    (tmp_path / "_work" / "staged" / "en" / "00000.parquet").unlink()
    with pytest.raises(InputError, match="staged shard missing"):
        _publish(tmp_path)
    (tmp_path / "_work" / "staged" / "00000.order").unlink()  # shards without their order file
    with pytest.raises(InputError, match="00000.order: missing"):
        _publish(tmp_path)


def test_publish_tasks_depend_on_the_filter_tasks_only():
    assert [publish_tasks(n) for n in (1, 8, 64, 65, 10_000)] == [1, 1, 1, 2, 157]
