"""``qa generate`` against the deterministic teacher server: parsing, every filter, mcq, convert, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from anestools.common.anesbench import AnesBenchIndex
from anestools.convert.core import convert

from .conftest import EN_DOCS, ZH_DOCS, write_corpus

BENCH_Q = ("Which intravenous anaesthetic given as a prolonged high dose infusion to critically ill children "
           "causes metabolic acidosis and rhabdomyolysis")
FILLER = "Anesthesia care requires careful monitoring of every patient. Doses are titrated to effect."
MARKED = {
    "garbage": f"MARK-GARBAGE. {FILLER}",
    "flaky": "MARK-FLAKY. Ketamine preserves airway reflexes and spontaneous breathing. It is useful in asthma.",
    "badpair": "MARK-BADPAIR. Etomidate causes adrenal suppression after a single dose. It keeps blood pressure stable.",
    "short": f"MARK-SHORT. {FILLER}",
    "wronglang": "MARK-WRONGLANG. Remifentanil is metabolised by plasma esterases. Its context-sensitive half-time is short.",
    "unsupported": "MARK-UNSUPPORTED. Dexmedetomidine is an alpha-2 agonist sedative. It causes bradycardia.",
    "dup": EN_DOCS["en-1"],
    "planted": f"{BENCH_Q}? Propofol infusion syndrome is the answer to that question.",
}


def read(path: Path) -> list[dict]:
    return pq.read_table(path).to_pylist()


def dropped(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "_dropped.jsonl").read_text().splitlines()]


@pytest.fixture()
def marked_corpus(tmp_path) -> tuple[Path, Path]:
    folder = tmp_path / "corpus"
    write_corpus(folder / "en", EN_DOCS, "en")
    write_corpus(folder / "en", MARKED, "en", name="marked_en.parquet")
    write_corpus(folder / "zh", ZH_DOCS, "zh")
    bench = tmp_path / "anesbench_en.json"
    bench.write_text(json.dumps([{"id": "b1", "question": BENCH_Q, "A": "Propofol", "B": "Ketamine", "C": "Etomidate",
                                  "D": "Midazolam", "choice_num": 4, "target": "A", "category": 1}]))
    return folder, bench


def test_generate_open_every_filter_counted_with_reasons(cli, teacher_url, marked_corpus, tmp_path):
    corpus, bench = marked_corpus
    out = tmp_path / "out"
    code, stdout, stderr = cli("qa", "generate", str(corpus), "-o", str(out), "--model", "teacher", "--base-url",
                               teacher_url, "--min-tokens", "5", "--decontaminate", str(bench), "--concurrency", "4")
    assert code == 0, stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["complete"] and summary["passages"]["done"] == 3 + 8 + 2
    drops = summary["dropped"]
    assert drops["malformed"]["count"] == 2  # the garbage reply (after re-asks) + one pair without answer
    assert "no JSON object in the response" in drops["malformed"]["top_details"]
    assert drops["too_short"]["count"] == 3
    assert drops["wrong_language"]["count"] == 3
    assert drops["ungrounded"]["count"] == 3
    assert drops["duplicate_exact"]["count"] == 3  # "dup" repeats en-1
    assert drops["benchmark_overlap"]["count"] >= 2  # the planted benchmark question
    assert summary["pairs"]["generated"] == summary["kept"] + summary["pairs"]["dropped"]
    assert "dropped:" in stdout and "malformed 2" in stdout and "benchmark_overlap" in stdout

    rows = read(out / "anesqa.parquet")
    assert len(rows) == summary["kept"] > 0
    index = AnesBenchIndex.from_texts([BENCH_Q])
    assert not any(index.overlaps(r["question"]) or index.overlaps(r["answer"]) for r in rows)
    assert {r["language"] for r in rows} == {"en", "zh"}
    assert len({r["pair_id"] for r in rows}) == len(rows)
    prompts = json.loads((out / "prompts.json").read_text())
    for r in rows:
        assert r["teacher"] == "teacher" and r["passage_hash"] and r["source_id"] and r["style"] == "open"
        assert r["prompt_hash"] and r["options"] is None and r["source_pair_id"] is None
    assert "generate.open.zh.user" in prompts["templates"]
    # flaky: the first reply was not JSON, the re-ask succeeded
    assert any(r["source_id"] == "flaky" for r in rows)
    # drops are kept apart, each with its reason, and the raw reply of the unusable one
    d = dropped(out)
    assert {x["reason"] for x in d} >= {"malformed", "too_short", "wrong_language", "ungrounded", "duplicate_exact",
                                        "benchmark_overlap"}
    assert any(x["reason"] == "malformed" and x.get("raw", "").startswith("Sure!") for x in d)
    assert all(x["source_id"] != "planted" or x["reason"] == "benchmark_overlap" for x in d)

    # convert consumes the output folder unchanged (the journal and drops are skipped)
    data = tmp_path / "data"
    convert([str(out)], data, split="all")
    info = json.loads((data / "dataset_info.json").read_text())
    produced = data / info["anesqa_all"]["file_name"]
    lines = [json.loads(x) for x in produced.read_text().splitlines()]
    assert len(lines) == len(rows) and lines[0]["input"] == rows[0]["question"]

    # a rerun resumes: nothing is asked again, the outputs are identical
    before = (out / "anesqa.parquet").read_bytes()
    code, _, stderr = cli("qa", "generate", str(corpus), "-o", str(out), "--model", "teacher", "--base-url",
                          teacher_url, "--min-tokens", "5", "--decontaminate", str(bench))
    assert code == 0 and "resumed: 13 passages" in stderr
    assert read(out / "anesqa.parquet") == read(out / "anesqa.parquet") and len(before) > 0
    assert [r["pair_id"] for r in read(out / "anesqa.parquet")] == [r["pair_id"] for r in rows]


def test_generate_mcq_schema(cli, teacher_url, corpus, tmp_path):
    out = tmp_path / "mcq"
    code, _, stderr = cli("qa", "generate", str(corpus), "-o", str(out), "--model", "teacher", "--base-url",
                          teacher_url, "--min-tokens", "5", "--style", "mcq", "--limit", "4", "--seed", "3")
    assert code == 0, stderr
    rows = read(out / "anesqa.parquet")
    assert rows and all(r["style"] == "mcq" for r in rows)
    for r in rows:
        assert 4 <= len(r["options"]) <= 5 and r["target"] in "ABCDE" and r["level"] in (1, 2, 3)
        assert r["question"].startswith(r["stem"]) and "\nA. " in r["question"]
        assert r["answer"].endswith(("Answer: " + r["target"], "答案：" + r["target"]))
    assert json.loads((out / "summary.json").read_text())["passages"]["selected"] == 4


def test_dry_run_starts_nothing(cli, corpus, tmp_path):
    code, stdout, stderr = cli("qa", "generate", str(corpus), "-o", str(tmp_path / "o"), "--model", "m",
                               "--engine", "openai", "--base-url", "http://127.0.0.1:9/v1", "--dry-run",
                               "--min-tokens", "5", "--lang", "zh")
    assert code == 0, stderr
    assert "dry run: 2 passages {'zh': 2}" in stdout and "段落" in stdout
    assert not (tmp_path / "o").exists()


def test_errors_are_one_line(cli, corpus, tmp_path):
    from anestools.runtime.engines import free_port

    code, _, stderr = cli("qa", "generate", str(tmp_path / "nope"), "-o", str(tmp_path / "o"), "--model", "m",
                          "--base-url", "http://127.0.0.1:9/v1")
    assert code == 2 and "no such file or directory" in stderr and "Traceback" not in stderr
    code, _, stderr = cli("qa", "generate", str(corpus), "-o", str(tmp_path / "o"), "--model", "m",
                          "--base-url", f"http://127.0.0.1:{free_port()}/v1", "--min-tokens", "5")
    assert code == 4 and "is unreachable" in stderr and "Traceback" not in stderr
    assert len([line for line in stderr.splitlines() if line.startswith("error:")]) == 1
    code, _, stderr = cli("qa", "generate", str(corpus), "-o", str(tmp_path / "o"), "--model", "m",
                          "--style", "essay")
    assert code == 2 and "--style 'essay'" in stderr
    code, stdout, _ = cli("qa", "generate", "--help")
    assert code == 0 and "Examples" in stdout and "--decontaminate" in stdout


def test_changed_settings_refuse_to_mix(cli, teacher_url, corpus, tmp_path):
    out = tmp_path / "o"
    args = ("qa", "generate", str(corpus), "-o", str(out), "--model", "teacher", "--base-url", teacher_url,
            "--min-tokens", "5", "--limit", "2")
    assert cli(*args)[0] == 0
    code, _, stderr = cli(*args, "--style", "mcq")
    assert code == 2 and "other settings" in stderr
