"""Issue 27 items 1, 2 and 7: an output never is, holds or overwrites an input; our own JSONL is an input.

Every command with inputs and an output goes through ``anestools.common.paths.check_io`` and the
shared expander (``anestools.common.inputs.resolve_inputs``); each is pinned here with the
scenario that found the defect or the closest one for that command.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from anestools.common.anesbench import sample_files
from anestools.corpus.build import sample_path
from anestools.runtime.engines import free_port, kill_group

ROOT = Path(__file__).resolve().parents[2]
TEACHER = ROOT / "tests" / "qa" / "teacher_server.py"
DOCS = {f"d{i}": f"Drug number {i} is used in anesthesia for induction. Its dose is {i} mg per kilogram. "
                 f"Monitoring after drug {i} includes blood pressure." for i in range(4)}
UNREACHABLE = ("--model", "m", "--engine", "openai", "--base-url", "http://127.0.0.1:9/v1")


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` and its sha256: a refused run must leave it byte-identical."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def one_line(stderr: str) -> str:
    """The one ``error:`` line (progress and engine lines may come before it), no traceback."""
    errors = [ln for ln in stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1 and stderr.rstrip().endswith(errors[0]) and "Traceback" not in stderr, stderr
    return errors[0]


def write_corpus(folder: Path, docs: dict[str, str] = DOCS, language: str = "en") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{language}.parquet"
    pq.write_table(pa.table({"text": list(docs.values()), "id": list(docs), "language": [language] * len(docs),
                             "source": ["test"] * len(docs)}), path)
    return path


def start_teacher(delay: float = 0.0) -> tuple[subprocess.Popen, str]:
    import time
    import urllib.request

    port = free_port()
    proc = subprocess.Popen([sys.executable, str(TEACHER), "--port", str(port), "--delay", str(delay)],
                            start_new_session=True, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                return proc, f"http://127.0.0.1:{port}/v1"
        except OSError:
            time.sleep(0.1)
    kill_group(proc, grace=1)
    raise RuntimeError("teacher server did not start")


@pytest.fixture(scope="module")
def teacher():
    proc, url = start_teacher()
    yield url
    kill_group(proc, grace=5)


def jsonl_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# --- qa translate / qa generate: the run directory is never an input ---------------------------

def test_qa_translate_into_its_own_input_folder_is_refused_and_deletes_nothing(cli, teacher, tmp_path):
    """The issue's scenario: ``qa translate … qa1 -o qa1 --no-resume --overwrite`` emptied qa1/."""
    write_corpus(tmp_path / "corpus")
    qa1 = tmp_path / "qa1"
    code, _, err = cli("-q", "qa", "generate", str(tmp_path / "corpus"), "-o", str(qa1), "--model", "teacher",
                       "--base-url", teacher, "--min-tokens", "5")
    assert code == 0, err
    before = snapshot(qa1)
    assert "anesqa.parquet" in before and "_journal.jsonl" in before
    args = ("qa", "translate", "--to", "zh", "--model", "teacher", "--base-url", teacher)
    for spec in (qa1, qa1 / "anesqa.parquet"):
        for extra in ((), ("--no-resume", "--overwrite")):
            code, _, err = cli(*args, str(spec), "-o", str(qa1), *extra)
            line = one_line(err)
            assert code == 2 and ("is the output folder" in line or "inside the output folder" in line), line
            assert str(spec) in line
            assert snapshot(qa1) == before  # every input file byte-identical, nothing added
    # an output folder inside the input folder: its own files are never read back
    zh = qa1 / "zh"
    code, _, err = cli("-q", *args, str(qa1), "-o", str(zh))
    assert code == 0, err
    first = json.loads((zh / "summary.json").read_text())["sources"]["selected"]
    code, _, err = cli("-q", *args, str(qa1), "-o", str(zh), "--no-resume", "--overwrite")
    assert code == 0, err
    assert json.loads((zh / "summary.json").read_text())["sources"]["selected"] == first
    assert {k: v for k, v in snapshot(qa1).items() if not k.startswith("zh/")} == before


def test_qa_generate_output_that_is_or_contains_its_input_is_refused(cli, tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus)
    bench = tmp_path / "bench_en.json"
    shutil.copy(sample_files()[0], bench)
    before = snapshot(tmp_path)
    for out, extra in ((corpus, ()), (tmp_path, ()), (corpus, ("--no-resume", "--overwrite"))):
        code, _, err = cli("qa", "generate", str(corpus), "-o", str(out), *UNREACHABLE, *extra)
        assert code == 2 and "output folder" in one_line(err)
        assert snapshot(tmp_path) == before
    # a --decontaminate file inside the output is an input too
    code, _, err = cli("qa", "generate", str(corpus), "-o", str(tmp_path), "--decontaminate", str(bench),
                       *UNREACHABLE)
    assert code == 2 and snapshot(tmp_path) == before


# --- convert: output files are never inputs ------------------------------------------------------

def test_convert_into_its_input_folder_reads_the_same_rows_every_time(cli, tmp_path):
    """The issue's scenario: ``convert --lang en in -o in`` grew 70 -> 140 -> 210 rows, exit 0."""
    data = tmp_path / "in"
    data.mkdir()
    shutil.copy(sample_path(), data / "web.parquet")
    code, _, err = cli("-q", "convert", "--lang", "en", str(data), "-o", str(tmp_path / "ref"))
    assert code == 0, err
    want = jsonl_rows(tmp_path / "ref" / "AnesCorpus_en.jsonl")
    for _ in range(3):
        code, _, err = cli("-q", "convert", "--lang", "en", str(data), "-o", str(data), "--overwrite")
        assert code == 0, err
        assert jsonl_rows(data / "AnesCorpus_en.jsonl") == want
    # a later split: the earlier run's file (registered in dataset_info.json) is no input either
    code, _, err = cli("-q", "convert", "--lang", "all", str(data), "-o", str(tmp_path / "ref"))
    assert code == 0, err
    code, _, err = cli("-q", "convert", "--lang", "all", str(data), "-o", str(data))
    assert code == 0, err
    assert jsonl_rows(data / "AnesCorpus_all.jsonl") == jsonl_rows(tmp_path / "ref" / "AnesCorpus_all.jsonl")
    # the output file named as an input: refused, byte-identical
    before = snapshot(data)
    code, _, err = cli("convert", "--lang", "en", str(data / "AnesCorpus_en.jsonl"), "-o", str(data), "--overwrite")
    assert code == 2 and "is also its output file" in one_line(err)
    assert snapshot(data) == before


# --- corpus build / corpus pubmed ----------------------------------------------------------------

def test_corpus_build_output_equal_to_its_input_is_refused(cli, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(sample_path(), data / "web.parquet")
    before = snapshot(data)
    for extra in ((), ("--overwrite",)):
        code, _, err = cli("corpus", "build", str(data), "--output", str(data), *extra)
        assert code == 2 and "is the output folder" in one_line(err)
        assert snapshot(data) == before
    # --keep-excluded is an output folder too: an input inside it is refused
    code, _, err = cli("corpus", "build", str(data), "--output", str(tmp_path / "out"), "--keep-excluded", str(tmp_path))
    assert code == 2 and "inside the output folder" in one_line(err)
    assert not (tmp_path / "out").exists() and snapshot(data) == before


def test_corpus_pubmed_output_that_is_or_contains_its_input_is_refused(cli, tmp_path):
    xml = tmp_path / "xml"
    xml.mkdir()
    shutil.copy(ROOT / "anestools" / "resources" / "samples" / "pubmed_sample.xml", xml / "pubmed.xml")
    before = snapshot(tmp_path)
    for out in (xml, tmp_path):
        code, _, err = cli("corpus", "pubmed", str(xml), "--output", str(out), "--overwrite")
        assert code == 2 and "output folder" in one_line(err)
        assert snapshot(tmp_path) == before


# --- train / train tokenize ----------------------------------------------------------------------

def _data_dir(tmp_path: Path) -> Path:
    from anestools.convert.core import convert

    data = tmp_path / "data"
    convert([str(sample_path())], data)
    return data


@pytest.mark.parametrize("inside", [False, True])
def test_train_output_that_is_or_contains_its_data_dir_is_refused(cli, tmp_path, inside):
    data = _data_dir(tmp_path)
    before = snapshot(data)
    out = tmp_path if inside else data
    code, _, err = cli("train", "cpt", "--recipe", "tiny-cpu", "--model", "org/some-model", "--data-dir", str(data),
                       "--dataset", "anescorpus_all", "--output", str(out), "--overwrite", "--dry-run")
    assert code == 2 and "output folder" in one_line(err)
    code, _, err = cli("train", "tokenize", "cpt", "--recipe", "tiny-cpu", "--model", "org/some-model",
                       "--data-dir", str(data), "--dataset", "anescorpus_all", "--tokenized-path", str(out),
                       "--overwrite")
    assert code == 2 and "output folder" in one_line(err)
    assert snapshot(data) == before


# --- eval / eval report --------------------------------------------------------------------------

def test_eval_run_dir_that_holds_the_benchmark_is_refused(cli, tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    bench = run / "bench_en.json"
    shutil.copy(sample_files()[0], bench)
    before = snapshot(run)
    for extra in ((), ("--overwrite",)):
        code, _, err = cli("eval", "--model", "m", "--engine", "openai", "--base-url", "http://127.0.0.1:9/v1",
                           "--benchmark", str(bench), "--lang", "en", "--output", str(run), *extra)
        assert code == 2 and "inside the output folder" in one_line(err)
        assert snapshot(run) == before


def test_eval_report_never_writes_over_a_run_file_it_reads(cli, tmp_path):
    from reliability_helpers import GOOD, chat_server, json_answer

    from anestools.cli import main

    runs = [tmp_path / "a", tmp_path / "b"]
    with chat_server(json_answer(GOOD)) as url:
        for run in runs:
            assert main(["-q", "eval", "--model", f"m-{run.name}", "--engine", "openai", "--base-url", url,
                         "--limit", "2", "--lang", "en", "-o", str(run)]) == 0
    before = snapshot(tmp_path)
    for flag, target in (("--output", runs[0] / "summary.json"), ("--diff", runs[1] / "predictions.jsonl"),
                         ("--html", runs[0] / "summary.json")):
        code, _, err = cli("eval", "report", *map(str, runs), flag, str(target), "--overwrite")
        assert code == 2 and "is also its output file" in one_line(err)
        assert snapshot(tmp_path) == before


# --- item 7: the tool's own JSONL output is readable downstream ----------------------------------

def test_corpus_build_jsonl_shards_feed_convert_and_qa_generate(cli, tmp_path):
    outs = {}
    for fmt in ("parquet", "jsonl"):
        out = tmp_path / f"corpus-{fmt}"
        code, _, err = cli("-q", "corpus", "build", "--output", str(out), "--dedup", "none", "--format", fmt)
        assert code == 0, err
        outs[fmt] = out
    assert list(outs["jsonl"].glob("*/*.jsonl.gz")) and not list(outs["jsonl"].glob("*/*.parquet"))
    rows = {}
    for fmt, out in outs.items():
        code, _, err = cli("-q", "convert", "--lang", "all", str(out), "-o", str(tmp_path / f"data-{fmt}"))
        assert code == 0, err
        rows[fmt] = sorted(r["text"] for r in jsonl_rows(tmp_path / f"data-{fmt}" / "AnesCorpus_all.jsonl"))
    assert rows["jsonl"] == rows["parquet"] and rows["jsonl"]
    # qa generate's passage reader: the same passages from either format
    from anestools.qa.passages import corpus_files, iter_chunks

    passages = {fmt: [(p.key, p.language, p.text) for p in iter_chunks(corpus_files([str(out)]),
                                                                     frozenset({"en", "zh"}), 512, 5)]
                for fmt, out in outs.items()}
    assert passages["jsonl"] == passages["parquet"] and passages["jsonl"]
    code, stdout, err = cli("qa", "generate", str(outs["jsonl"]), "-o", str(tmp_path / "qa"), *UNREACHABLE,
                            "--dry-run", "--min-tokens", "5")
    assert code == 0, err
    assert f"dry run: {len(passages['jsonl'])} passages" in stdout


@pytest.mark.parametrize("codec", ["gzip", "bz2", "zstd"])
def test_convert_streams_compressed_jsonl(cli, tmp_path, codec):
    ext = {"gzip": "gz", "bz2": "bz2", "zstd": "zst"}[codec]
    rows = [{"text": f"Propofol note {i}.", "language": "en", "metadata": {"n": i}} for i in range(5000)]
    rows.append({"text": "late field", "language": "en", "extra": 1})  # a field first seen after the first block
    src = tmp_path / "in" / f"corpus.jsonl.{ext}"
    src.parent.mkdir()
    with pa.CompressedOutputStream(str(src), codec) as f:
        f.write("".join(json.dumps(r) + "\n" for r in rows).encode())
    code, _, err = cli("-q", "convert", "--lang", "en", str(src.parent), "-o", str(tmp_path / "data"))
    assert code == 0, err
    assert [r["text"] for r in jsonl_rows(tmp_path / "data" / "AnesCorpus_en.jsonl")] == [r["text"] for r in rows]


# --- the shared check and expander themselves ----------------------------------------------------

def test_check_io_resolves_symlinks_and_globs(tmp_path):
    from anestools.common.paths import Output, check_io
    from anestools.errors import InputError

    data = tmp_path / "data"
    write_corpus(data)
    link = tmp_path / "link"
    link.symlink_to(data, target_is_directory=True)
    with pytest.raises(InputError, match="is the output folder"):
        check_io([str(data)], [Output.run_dir(link)], "x")  # the same folder under another name
    with pytest.raises(InputError, match="inside the output folder"):
        check_io([str(data / "*.parquet")], [Output.run_dir(data)], "x")
    with pytest.raises(InputError, match="is also its output file"):
        check_io([str(link / "en.parquet")], [Output.file(data / "en.parquet")], "x")
    check_io([str(data), "hf://datasets/x/y", "owner/name"], [Output.run_dir(data / "out"),
                                                               Output.files(data, ["other.jsonl"])], "x")


def test_expander_leaves_out_outputs_bookkeeping_and_llama_factory_files(tmp_path):
    from anestools.common.inputs import expand_local
    from anestools.common.paths import Output

    data = tmp_path / "in"
    keep = [write_corpus(data), write_corpus(data / "zh", language="zh")]
    for name in ("_dropped.jsonl", ".x.parquet.abcdefgh.tmp", "_anesqa.partial.parquet", "mine.jsonl"):
        (data / name).write_text("{}\n")
    (data / "run").mkdir()
    (data / "run" / "shard.parquet").write_text("")
    (data / "AnesCorpus_zh.jsonl").write_text('{"text": "x"}\n')
    (data / "dataset_info.json").write_text(json.dumps({"anescorpus_zh": {"file_name": "AnesCorpus_zh.jsonl"}}))
    outputs = [Output.run_dir(data / "run"), Output.files(data, ["mine.jsonl"])]
    found = expand_local([str(data)], (".parquet", ".jsonl", ".json"), outputs)
    assert sorted(found) == sorted(keep)
    assert sorted(expand_local([str(data / "*")], (".parquet",), outputs)) == [keep[0]]
    assert expand_local([str(data / "AnesCorpus_zh.jsonl")], (".jsonl",)) == [data / "AnesCorpus_zh.jsonl"]  # named
