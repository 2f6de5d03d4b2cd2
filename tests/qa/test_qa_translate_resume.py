"""``qa translate`` checks, and kill -9 / rerun of ``qa generate`` in a real subprocess."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from anestools.qa.store import SCHEMA
from anestools.runtime.engines import kill_group

from .conftest import start_teacher, write_corpus

ROOT = Path(__file__).resolve().parents[2]


def _pairs_file(path: Path) -> Path:
    rows = [
        {"question": "Which drug reverses deep rocuronium blockade quickly?", "answer": "Sugammadex, by encapsulation.",
         "language": "en", "pair_id": "p-open", "source_id": "doc1", "passage_hash": "h1", "style": "open"},
        {"question": "What treats malignant hyperthermia MARK-KEEPLATIN?", "answer": "Dantrolene given early.",
         "language": "en", "pair_id": "p-latin", "style": "open"},
        {"question": "Which vasopressor is first line after spinal MARK-LONG?", "answer": "Phenylephrine infusion.",
         "language": "en", "pair_id": "p-long", "style": "open"},
        {"question": "Which agent reverses rocuronium?\nA. Neostigmine\nB. Sugammadex\nC. Atropine\nD. Naloxone",
         "answer": "It encapsulates rocuronium.\nAnswer: B", "language": "en", "pair_id": "p-mcq", "style": "mcq",
         "stem": "Which agent reverses rocuronium?", "options": ["Neostigmine", "Sugammadex", "Atropine", "Naloxone"],
         "target": "B", "level": 1},
        {"question": "Which agent treats malignant hyperthermia MARK-LETTER?\nA. Dantrolene\nB. Propofol\nC. Ketamine\n"
                     "D. Midazolam", "answer": "Answer: A", "language": "en", "pair_id": "p-letter", "style": "mcq",
         "stem": "Which agent treats malignant hyperthermia MARK-LETTER?",
         "options": ["Dantrolene", "Propofol", "Ketamine", "Midazolam"], "target": "A", "level": 2},
        {"question": "哪种药物拮抗罗库溴铵？", "answer": "舒更葡糖钠。", "language": "zh", "pair_id": "p-zh", "style": "open"},
    ]
    pq.write_table(pa.Table.from_pylist([{k: r.get(k) for k in SCHEMA.names} for r in rows], schema=SCHEMA), path)
    return path


def test_translate_to_zh_checks_and_links(cli, teacher_url, tmp_path):
    src = _pairs_file(tmp_path / "anesqa.parquet")
    out = tmp_path / "zh"
    code, stdout, stderr = cli("qa", "translate", str(src), "--to", "cn", "-o", str(out), "--model", "teacher",
                               "--base-url", teacher_url)
    assert code == 0, stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["skipped_rows"] == {"already_in_target_language": 1}
    assert {k: v["count"] for k, v in summary["dropped"].items()} == {
        "untranslated_text": 1, "length_ratio": 1, "answer_letter_changed": 1}
    rows = {r["source_pair_id"]: r for r in pq.read_table(out / "anesqa.parquet").to_pylist()}
    assert set(rows) == {"p-open", "p-mcq"}
    assert all(r["language"] == "zh" and r["teacher"] == "teacher" and r["prompt_hash"] for r in rows.values())
    assert rows["p-open"]["source_id"] == "doc1" and rows["p-open"]["passage_hash"] == "h1"
    mcq = rows["p-mcq"]
    assert mcq["target"] == "B" and len(mcq["options"]) == 4 and mcq["answer"].endswith("答案：B")
    assert mcq["question"].startswith(mcq["stem"]) and "\nB. " in mcq["question"] and mcq["level"] == 1
    drops = [json.loads(x) for x in (out / "_dropped.jsonl").read_text().splitlines()]
    assert {d["source_pair_id"]: d["reason"] for d in drops} == {
        "p-latin": "untranslated_text", "p-long": "length_ratio", "p-letter": "answer_letter_changed"}
    assert "untranslated_text 1" in stdout


def test_translate_to_en(cli, teacher_url, tmp_path):
    src = _pairs_file(tmp_path / "anesqa.parquet")
    out = tmp_path / "en"
    code, _, stderr = cli("qa", "translate", str(src), "--to", "en", "-o", str(out), "--model", "teacher",
                          "--base-url", teacher_url)
    assert code == 0, stderr
    rows = pq.read_table(out / "anesqa.parquet").to_pylist()
    assert [r["source_pair_id"] for r in rows] == ["p-zh"] and rows[0]["language"] == "en"


def _journal_ok_keys(out: Path) -> list[str]:
    keys = []
    for line in (out / "_journal.jsonl").read_text().splitlines():
        rec = json.loads(line)
        if rec["error"] is None:
            keys.append(rec["key"])
    return keys


def test_kill_9_then_rerun_loses_and_duplicates_nothing(teacher_url, tmp_path):
    docs = {f"d{i:02d}": f"Drug number {i} is used in anesthesia for induction. Its dose is {i} mg per kilogram. "
                         f"Monitoring after drug {i} includes blood pressure." for i in range(24)}
    corpus = tmp_path / "corpus"
    write_corpus(corpus, docs, "en")
    args = [sys.executable, "-m", "anestools", "qa", "generate", str(corpus), "--model", "teacher",
            "--min-tokens", "5", "--progress-interval", "0.2"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    ref = tmp_path / "ref"
    subprocess.run([*args, "-o", str(ref), "--base-url", teacher_url], env=env, check=True, capture_output=True)

    slow, slow_url = start_teacher(delay=0.3)
    out = tmp_path / "out"
    log = tmp_path / "slurm.log"
    try:
        with open(log, "wb") as fh:
            proc = subprocess.Popen([*args, "-o", str(out), "--base-url", slow_url, "--concurrency", "2"], env=env,
                                    stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                j = out / "_journal.jsonl"
                if j.exists() and j.read_bytes().count(b"\n") >= 4:
                    break
                time.sleep(0.05)
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        assert proc.returncode == -signal.SIGKILL
        partial = len(_journal_ok_keys(out))
        assert 4 <= partial < 24
        text = log.read_text()
        assert "qa generate: passages: " in text and "passages/s | 0 errors" in text  # eval's progress lines in a log

        rerun = subprocess.run([*args, "-o", str(out), "--base-url", slow_url, "--concurrency", "8"], env=env,
                               capture_output=True, text=True, timeout=120)
        assert rerun.returncode == 0, rerun.stderr
        assert f"resumed: {partial} passages" in rerun.stderr
    finally:
        kill_group(slow, grace=5)

    keys = _journal_ok_keys(out)
    assert len(keys) == len(set(keys)) == 24  # each passage journaled once
    got = pq.read_table(out / "anesqa.parquet").to_pylist()
    want = pq.read_table(ref / "anesqa.parquet").to_pylist()
    assert [r["pair_id"] for r in got] == [r["pair_id"] for r in want] and len(got) == 72
    assert json.loads((out / "summary.json").read_text())["complete"]


def test_translate_dry_run_and_bad_options(cli, tmp_path):
    src = _pairs_file(tmp_path / "anesqa.parquet")
    code, stdout, stderr = cli("qa", "translate", str(src), "--to", "zh", "-o", str(tmp_path / "o"), "--model", "m",
                               "--base-url", "http://127.0.0.1:9/v1", "--dry-run", "--limit", "2")
    assert code == 0, stderr
    assert "dry run: 2 pairs to translate" in stdout and "Simplified Chinese" in stdout
    assert not (tmp_path / "o").exists()
    code, _, stderr = cli("qa", "translate", str(src), "--to", "fr", "-o", str(tmp_path / "o"), "--model", "m")
    assert code == 2 and "--to 'fr'" in stderr
    bad = tmp_path / "bad.parquet"
    pq.write_table(pa.table({"text": ["not a QA file"]}), bad)
    code, _, stderr = cli("qa", "translate", str(bad), "--to", "zh", "-o", str(tmp_path / "o"), "--model", "m",
                          "--base-url", "http://127.0.0.1:9/v1")
    assert code == 2 and "no 'question' + 'answer' columns" in stderr


def test_sigterm_stops_cleanly_with_outputs_rebuilt_from_the_journal(teacher_url, tmp_path):
    """scancel sends SIGTERM: the run stops like Ctrl-C (exit 130), the outputs published are
    exactly the journaled passages' pairs (the half-built in-run outputs are discarded), no
    temporary file is left, and the rerun finishes the same dataset as an uninterrupted run."""
    docs = {f"d{i:02d}": f"Drug number {i} is used in anesthesia for induction. Its dose is {i} mg per kilogram. "
                         f"Monitoring after drug {i} includes blood pressure." for i in range(24)}
    corpus = tmp_path / "corpus"
    write_corpus(corpus, docs, "en")
    args = [sys.executable, "-m", "anestools", "qa", "generate", str(corpus), "--model", "teacher", "--min-tokens", "5"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    ref = tmp_path / "ref"
    subprocess.run([*args, "-o", str(ref), "--base-url", teacher_url], env=env, check=True, capture_output=True)

    slow, slow_url = start_teacher(delay=0.3)
    out = tmp_path / "out"
    try:
        proc = subprocess.Popen([*args, "-o", str(out), "--base-url", slow_url, "--concurrency", "2"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (
                (out / "_journal.jsonl").exists() and (out / "_journal.jsonl").read_bytes().count(b"\n") >= 4):
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=60)
        assert proc.returncode == 130, stderr
        assert "Traceback" not in stderr
        journaled = _journal_ok_keys(out)
        assert 4 <= len(journaled) < 24
        # the partial set is published under its partial name only (issue 27 item 4)
        assert not (out / "anesqa.parquet").exists()
        rows = pq.read_table(out / "_anesqa.partial.parquet").to_pylist()
        assert sorted({r["source_id"] for r in rows}) == sorted({k.split("#")[0] for k in journaled})
        summary = json.loads((out / "summary.json").read_text())
        assert not summary["complete"] and summary["passages"]["done"] == len(journaled)
        assert summary["outputs"]["dataset"] == str(out / "_anesqa.partial.parquet")
        assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]

        rerun = subprocess.run([*args, "-o", str(out), "--base-url", slow_url, "--concurrency", "8"], env=env,
                               capture_output=True, text=True, timeout=120)
        assert rerun.returncode == 0, rerun.stderr
    finally:
        kill_group(slow, grace=5)
    got = pq.read_table(out / "anesqa.parquet").to_pylist()
    want = pq.read_table(ref / "anesqa.parquet").to_pylist()
    assert [r["pair_id"] for r in got] == [r["pair_id"] for r in want] and len(got) == 72
