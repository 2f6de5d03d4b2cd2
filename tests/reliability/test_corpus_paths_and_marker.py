"""Issue 19, items 7 and 8: an output inside its input folder; a corpus without its completion marker."""

from __future__ import annotations

import shutil

import pyarrow.parquet as pq

from anestools.corpus.build import sample_path


def _input_dir(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(sample_path(), data / "web.parquet")
    return data


def test_output_inside_the_input_folder_is_not_read_back(cli, tmp_path):
    data = _input_dir(tmp_path)
    out = data / "corpus"
    args = ("-q", "corpus", "build", str(data), "--output", str(out), "--dedup", "none")
    code, _, err = cli(*args)
    assert code == 0, err
    rows = sum(pq.read_metadata(f).num_rows for f in out.glob("*/*.parquet"))
    code, stdout, err = cli("corpus", "build", str(data), "--output", str(out), "--dedup", "none")
    assert code == 0, err  # the same command again: nothing to do (its own shards are no input)
    assert "nothing to do" in stdout
    code, _, err = cli(*args, "--overwrite")
    assert code == 0, err
    assert sum(pq.read_metadata(f).num_rows for f in out.glob("*/*.parquet")) == rows


def test_output_that_contains_the_input_is_refused(cli, tmp_path):
    data = _input_dir(tmp_path)
    code, _, err = cli("-q", "corpus", "build", str(data), "--output", str(tmp_path))
    assert code == 2 and "inside the output folder" in err
    assert (data / "web.parquet").is_file() and not (tmp_path / "_logs").exists()


def test_unfinished_corpus_is_refused_by_stats_and_convert(cli, tmp_path):
    out = tmp_path / "corpus"
    code, _, err = cli("-q", "corpus", "build", "--output", str(out), "--dedup", "none")
    assert code == 0, err
    (out / "_SUCCESS").unlink()  # as if the run was killed before its last stage
    code, _, err = cli("corpus", "stats", str(out))
    assert code == 2 and "unfinished corpus" in err and err.count("\n") <= 2
    code, stdout, err = cli("corpus", "stats", str(out), "--incomplete", "--json")
    assert code == 0 and '"complete": false' in stdout
    for target in (out, out / "en"):
        code, _, err = cli("convert", str(target), "--output", str(tmp_path / "data"))
        assert code == 2 and "unfinished corpus" in err
    code, _, err = cli("-q", "corpus", "build", "--output", str(out), "--dedup", "none")  # resume finishes it
    assert code == 0, err
    assert (out / "_SUCCESS").is_file()
    code, _, err = cli("convert", str(out), "--output", str(tmp_path / "data"))
    assert code == 0, err
