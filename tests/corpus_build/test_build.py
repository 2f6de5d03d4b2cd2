"""End-to-end ``corpus build``: real datatrove executors on the embedded sample and real web files."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from anestools.corpus.build import BuildConfig, run_build, sample_path
from anestools.corpus.executors import ExecutorOptions
from anestools.corpus.lexicon import load_lexicon
from anestools.corpus.stats import corpus_stats
from anestools.errors import EngineError, OutputExistsError


def run_cli_subprocess(*args: str, cwd=None, timeout: float = 600):
    """The installed ``anestools`` console script as a real subprocess."""
    import subprocess
    import sys
    from pathlib import Path

    exe = Path(sys.executable).with_name("anestools")
    return subprocess.run([str(exe), *args], cwd=cwd, capture_output=True, text=True, timeout=timeout)


def sample_rows() -> list[dict]:
    return pq.read_table(sample_path()).to_pylist()


def expected_ids(languages=("en", "zh")) -> set[str]:
    """Ground truth by construction: the sample's on-topic pages (category column)."""
    return {r["id"] for r in sample_rows() if r["category"] == "anesthesia" and r["language"] in languages}


def read_rows(out: Path) -> list[dict]:
    rows: list[dict] = []
    for f in sorted(out.glob("*/*.parquet")):
        rows.extend(pq.read_table(f).to_pylist())
    for f in sorted(out.glob("*/*.jsonl.gz")):
        with gzip.open(f, "rt", encoding="utf-8") as fh:
            rows.extend(json.loads(line) for line in fh)
    return rows


def step(result_steps, name_part):
    return next(s for s in result_steps if name_part in s.step)


@pytest.fixture(scope="module")
def sample_build(tmp_path_factory):
    """``anestools corpus build`` with no options, from a fresh working directory."""
    cwd = tmp_path_factory.mktemp("cwd")
    proc = run_cli_subprocess("corpus", "build", cwd=cwd, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return cwd / "anescorpus", proc.stdout


def test_sample_build_keeps_exactly_the_anesthesia_pages(sample_build):
    out, stdout = sample_build
    rows = read_rows(out)
    assert sorted(r["id"] for r in rows) == sorted(expected_ids())
    assert sorted(p.relative_to(out).as_posix() for p in out.glob("*/*.parquet")) == ["en/00000.parquet", "zh/00000.parquet"]
    truth = {r["id"]: r for r in sample_rows()}
    for r in rows:
        assert r["language"] == truth[r["id"]]["language"]
        assert r["source"] == "sample" and r["url"] == truth[r["id"]]["url"]
        assert r["anes_score"] >= 2.0 and len(r["matched_terms"]) >= 3
    assert "kept documents: en: 70, zh: 35" in stdout
    assert "no_strong_term" in stdout and "other_language" in stdout


def test_sample_build_step_counts(sample_build):
    out, _ = sample_build
    st = corpus_stats(out)
    rows = sample_rows()
    screen = step(st.steps, "pre-screen")
    assert screen.total == len(rows)
    relevance = step(st.steps, "relevance")
    assert screen.forwarded == relevance.total
    language = step(st.steps, "language")
    assert language.reasons["other_language"] >= sum(r["category"] == "other_language" for r in rows)
    # datatrove's stock quality filters, each its own step with its own counts
    c4, rep, gq = step(st.steps, "C4 Quality"), step(st.steps, "Gopher Repetition"), step(st.steps, "Gopher Quality")
    assert c4.forwarded == rep.total and rep.forwarded == gq.total
    zh = step(st.steps, "Chinese quality")
    assert c4.total + zh.total == language.forwarded
    dedup = step(st.steps, "exact-deduplication stage 3")
    assert dedup.dropped == sum(r["category"] == "duplicate" for r in rows)
    assert dedup.total == gq.forwarded + zh.forwarded  # every survivor, once
    assert st.totals_by_language()["en"].rows == 70 and st.totals_by_language()["zh"].rows == 35
    assert (out / "_SUCCESS").is_file()


def test_convert_split_en_reads_the_output(sample_build, cli, tmp_path):
    out, _ = sample_build
    code, stdout, stderr = cli("convert", str(out), "--output", str(tmp_path / "data"), "--split", "en")
    assert code == 0, stderr
    files = list((tmp_path / "data").glob("*.jsonl"))
    assert len(files) == 1
    texts = [json.loads(line)["text"] for line in files[0].read_text(encoding="utf-8").splitlines()]
    en_texts = sorted(r["text"] for r in read_rows(out) if r["language"] == "en")
    assert sorted(texts) == en_texts
    info = json.loads((tmp_path / "data" / "dataset_info.json").read_text())
    assert "anescorpus_en" in info


def test_stats_command(sample_build, cli):
    out, _ = sample_build
    code, stdout, _ = cli("corpus", "stats", str(out), "--json")
    assert code == 0
    data = json.loads(stdout)
    assert data["by_language"]["en"]["rows"] == 70 and data["by_language"]["zh"]["rows"] == 35
    assert data["by_language_source"][0]["source"] == "sample"
    assert any("relevance" in s["step"] for s in data["steps"])
    code, stdout, _ = cli("corpus", "stats", str(out))
    assert code == 0 and "rows" in stdout and "drop reasons" in stdout


def test_rerun_resumes_and_refuses_other_settings(sample_build, tmp_path):
    out, _ = sample_build
    before = {p: p.stat().st_mtime_ns for p in out.glob("*/*.parquet")}
    result = run_build(BuildConfig(output=str(out)))  # same settings: the corpus is complete
    assert result.kept == {"en": 70, "zh": 35} and result.already_complete
    assert {p: p.stat().st_mtime_ns for p in out.glob("*/*.parquet")} == before
    with pytest.raises(OutputExistsError, match="differs: min_score"):
        run_build(BuildConfig(output=str(out), min_score=3.0))
    # an output of an older stage layout is not resumed
    old = tmp_path / "old-layout"
    shutil.copytree(out, old)
    record = json.loads((old / "_logs" / "run.json").read_text(encoding="utf-8"))
    del record["layout"]
    (old / "_logs" / "run.json").write_text(json.dumps(record), encoding="utf-8")
    with pytest.raises(OutputExistsError, match="differs: layout"):
        run_build(BuildConfig(output=str(old)))
    other = tmp_path / "not-a-corpus"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    run_build(BuildConfig(output=str(other)))  # other files are left alone
    assert (other / "notes.txt").read_text() == "mine"


def _split_sample(folder: Path) -> list[Path]:
    table = pq.read_table(sample_path())
    half = table.num_rows // 2
    folder.mkdir(parents=True, exist_ok=True)
    parts = [folder / "part-0.parquet", folder / "part-1.parquet"]
    pq.write_table(table.slice(0, half), parts[0])
    pq.write_table(table.slice(half), parts[1])
    return parts


def test_resume_after_interrupted_run_gives_identical_output(tmp_path):
    opts = ExecutorOptions(tasks=2, workers=1)
    clean_in = _split_sample(tmp_path / "clean_in")
    clean = run_build(BuildConfig(inputs=[str(tmp_path / "clean_in")], output=str(tmp_path / "clean"),
                                  executor=ExecutorOptions(tasks=2, workers=1)))

    parts = _split_sample(tmp_path / "in")
    good = parts[1].read_bytes()
    parts[1].write_bytes(good[: len(good) // 3])  # a truncated shard: task 1 crashes
    out = tmp_path / "out"
    with pytest.raises(EngineError, match="a datatrove task failed: ArrowInvalid"):
        run_build(BuildConfig(inputs=[str(tmp_path / "in")], output=str(out), executor=opts))
    completions = out / "_logs" / "1-filter" / "completions"
    assert sorted(p.name for p in completions.iterdir()) == ["00000"]
    assert not (out / "_SUCCESS").exists(), "an unfinished build has no completion marker"
    marker = (completions / "00000").stat().st_mtime_ns

    parts[1].write_bytes(good)  # the shard is repaired (or the node is back): rerun the same command
    resumed = run_build(BuildConfig(inputs=[str(tmp_path / "in")], output=str(out), executor=opts))
    assert resumed.resumed
    assert (completions / "00000").stat().st_mtime_ns == marker  # task 0 was skipped, not redone
    names = sorted(p.relative_to(out).as_posix() for p in out.glob("*/*.parquet"))
    assert names == sorted(p.relative_to(clean.output).as_posix() for p in clean.output.glob("*/*.parquet"))
    for name in names:
        assert pq.read_table(out / name).equals(pq.read_table(clean.output / name)), name
    assert {r["id"] for r in read_rows(out)} == expected_ids()
    assert clean_in  # both inputs hold the same rows


def test_exact_dedup_across_tasks_with_a_task_that_keeps_nothing(tmp_path):
    """datatrove's exact dedup over the survivors: a task without survivors must not shift the
    others' document numbers, and a copy in another task must still be removed."""
    rows = sample_rows()
    anes = [r for r in rows if r["category"] == "anesthesia" and r["language"] == "en"][:6]
    other = [r for r in rows if r["category"] != "anesthesia"][:10]
    dup = dict(anes[0], id="copy-of-" + anes[0]["id"], url="https://mirror.example.org/copy")
    shards = [anes[:3], other, anes[3:] + [dup]]
    (tmp_path / "in").mkdir()
    for i, part in enumerate(shards):
        pq.write_table(pa.Table.from_pylist(part), tmp_path / "in" / f"part-{i}.parquet")
    res = run_build(BuildConfig(inputs=[str(tmp_path / "in")], output=str(tmp_path / "out"),
                                executor=ExecutorOptions(tasks=3, workers=1)))
    relevant = tmp_path / "out" / "_work" / "relevant" / "en"
    assert sorted(p.name for p in relevant.iterdir()) == ["00000.jsonl.gz", "00002.jsonl.gz", "empty.jsonl.gz"]
    assert sorted(r["id"] for r in read_rows(tmp_path / "out")) == sorted(r["id"] for r in anes)
    assert step(res.steps, "exact-deduplication stage 3").dropped == 1


def test_planted_benchmark_overlap_is_removed(tmp_path):
    rows = sample_rows()
    mirrored = {r["url"].split("?")[0] for r in rows if r["category"] == "duplicate"}
    originals = sorted((r for r in rows if r["category"] == "anesthesia" and r["url"] not in mirrored),
                       key=lambda r: r["id"])
    en_doc = next(r for r in originals if r["language"] == "en")
    zh_doc = next(r for r in originals if r["language"] == "zh")
    words = en_doc["text"].split("\n\n")[1].split()
    hf = tmp_path / "anesbench_en.json"
    hf.write_text(json.dumps([{"id": 1, "question": "Read: " + " ".join(words[2:17]) + " What follows?",
                               "A": "a", "B": "b", "C": "c", "D": "d", "target": "A", "category": 1}]))
    zh_body = zh_doc["text"].split("\n\n")[1]
    seed = tmp_path / "bench_seed.json"
    seed.write_text(json.dumps([{"id": "q1", "en_question": "Unrelated?", "en_A": "x",
                                 "zh_question": zh_body[3:30] + "，以下哪项正确？", "zh_A": "甲", "answer": "A", "level": 1}],
                               ensure_ascii=False), encoding="utf-8")
    result = run_build(BuildConfig(output=str(tmp_path / "out"), decontaminate=[str(hf), str(seed)]))
    kept = {r["id"] for r in read_rows(result.output)}
    # sample pages reuse sentences, so the planted passages occur in a few pages: all must go
    en_span, zh_span = " ".join(words[2:17]), zh_body[3:30]
    contaminated = {r["id"] for r in rows if r["id"] in expected_ids()
                    and (en_span in " ".join(r["text"].split()) or zh_span in r["text"])}
    assert {en_doc["id"], zh_doc["id"]} <= contaminated
    assert kept == expected_ids() - contaminated
    dropped = sum(s.reasons.get("benchmark_overlap", 0) for s in result.steps if "decontamination" in s.step)
    assert dropped >= len(contaminated)  # (+ copies of them that dedup would have removed later)


def test_jsonl_minhash_tokens_english_only(tmp_path):
    from anestools.tiny import train_tokenizer

    texts = [r["text"] for r in sample_rows()[:60]]
    tok = train_tokenizer(texts, vocab_size=400)
    tok_path = tmp_path / "tokenizer.json"
    tok.save(str(tok_path))
    result = run_build(BuildConfig(output=str(tmp_path / "out"), fmt="jsonl", dedup="minhash", languages=("en",),
                                   tokenizer=str(tok_path)))
    rows = read_rows(result.output)
    assert [p.relative_to(result.output).as_posix() for p in result.output.glob("*/*.jsonl.gz")] == ["en/00000.jsonl.gz"]
    ids = {r["id"] for r in rows}
    assert ids <= expected_ids(("en",))
    assert not any(r["id"].startswith("en-dup") for r in rows)
    # sample pages of one topic share many sentences: MinHash also removes those near-duplicates
    assert 30 <= len(ids) < len(expected_ids(("en",)))
    minhash = step(result.steps, "MinHash stage 4")
    assert minhash.forwarded == len(ids) and minhash.dropped >= 4
    for r in rows:
        assert r["token_count"] == len(tok.encode(r["text"]).ids)
    assert result.tokens["en"] == sum(r["token_count"] for r in rows)


def test_real_web_files_keep_nothing(reference_data, tmp_path):
    web = reference_data / "web"
    lex = load_lexicon()
    n_docs = 0
    for f in sorted(web.glob("*.jsonl.gz")):
        with gzip.open(f, "rt", encoding="utf-8") as fh:
            for line in fh:
                n_docs += 1
                assert not lex.match(json.loads(line)["text"]).qualifies()
    result = run_build(BuildConfig(inputs=[str(web)], output=str(tmp_path / "out")))
    assert result.kept == {} and result.outputs == [] and (result.output / "_SUCCESS").is_file()
    assert step(result.steps, "pre-screen").total == n_docs > 0


def test_bad_inputs_on_the_command_line(cli, tmp_path):
    notext = tmp_path / "notext.parquet"
    pq.write_table(pa.Table.from_pylist([{"body": "anesthesia", "id": "1"}]), notext)
    code, _, stderr = cli("corpus", "build", "--input", str(notext), "--output", str(tmp_path / "o1"))
    assert code == 2 and "error:" in stderr and str(notext) in stderr and "no 'text' column/field" in stderr
    assert "--text-key body" in stderr and stderr.count("error:") == 1 and "Traceback" not in stderr
    assert not list((tmp_path / "o1").glob("*/*.parquet"))

    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n")
    code, _, stderr = cli("corpus", "build", "--lexicon", str(empty), "--output", str(tmp_path / "o2"))
    assert code == 2 and str(empty) in stderr and "no terms" in stderr

    code, _, stderr = cli("corpus", "build", "--languages", "en,fr", "--output", str(tmp_path / "o3"))
    assert code == 2 and "unknown language fr" in stderr
    code, _, stderr = cli("corpus", "build", "--input", str(tmp_path / "missing"), "--output", str(tmp_path / "o4"))
    assert code == 2 and "no such file or directory" in stderr
    code, _, stderr = cli("corpus", "build", "--executor", "slurm", "--output", str(tmp_path / "o5"))
    assert code == 2 and "--slurm-partition" in stderr
    import importlib.util

    if importlib.util.find_spec("ray") is None:
        code, _, stderr = cli("corpus", "build", "--executor", "ray", "--output", str(tmp_path / "o6"))
        assert code == 5 and "needs the 'ray' package" in stderr
    code, _, stderr = cli("corpus", "stats", str(tmp_path / "nowhere"))
    assert code == 2 and "no such directory" in stderr
    code, _, stderr = cli("corpus", "build", "--decontaminate", str(tmp_path / "bench.json"), "--output", str(tmp_path / "o7"))
    assert code == 2 and "bench.json: benchmark file not found" in stderr


def test_bad_shard_is_one_line_and_settings_change_needs_overwrite(cli, tmp_path):
    parts = _split_sample(tmp_path / "in")
    bad = tmp_path / "in" / "part-2.parquet"
    bad.write_bytes(b"PAR1 garbage")
    args = ("corpus", "build", str(tmp_path / "in"), "--output", str(tmp_path / "o"), "--dedup", "none")
    code, _, stderr = cli(*args, "--no-quality")
    assert code == 4 and "a datatrove task failed" in stderr and "Traceback" not in stderr
    bad.unlink()
    code, _, stderr = cli(*args, "--no-quality")  # tasks of the two good shards were done: resumed
    assert code == 3 and "differs: files" in stderr  # the input set changed: refused
    code, stdout, stderr = cli(*args, "--no-quality", "--overwrite")
    assert code == 0, stderr
    kept = {r["id"] for r in read_rows(tmp_path / "o")}
    assert expected_ids() <= kept  # without quality/dedup, low-quality pages and copies stay too
    code, _, stderr = cli(*args)
    assert code == 3 and "differs: quality" in stderr and "--overwrite" in stderr
    code, stdout, stderr = cli(*args, "--overwrite")
    assert code == 0, stderr
    assert {r["id"] for r in read_rows(tmp_path / "o")} < kept  # quality now drops the spam pages
    assert parts
