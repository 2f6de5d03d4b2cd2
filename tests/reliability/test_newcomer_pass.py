"""#27 item 16: the smaller things a newcomer hits, each pinned (quiet summaries, the length chart,
real values in drop reasons, the split choices, --shots per language, corpus stats totals, the
Ctrl-C line, the dry-run GPU warning, typed --set values, the text column type, disk full = 1,
the help rendering)."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from reliability_helpers import GOOD, chat_server, json_answer

ROOT = Path(__file__).resolve().parents[2]


def _errors(stderr: str) -> list[str]:
    assert "Traceback" not in stderr, stderr
    return [ln for ln in stderr.splitlines() if ln.startswith("error:")]


@pytest.fixture()
def corpus(tmp_path) -> Path:
    src = tmp_path / "corpus.parquet"
    pq.write_table(pa.table({"text": ["Propofol induction and airway management.", "Sugammadex reverses rocuronium."],
                             "language": ["en", "en"]}), src)
    return src


def test_quiet_silences_the_convert_summary_table(cli, corpus, tmp_path):
    code, stdout, _ = cli("-q", "convert", str(corpus), "-o", str(tmp_path / "data"))
    assert code == 0 and "anestools convert" not in stdout and "written" not in stdout
    assert "-> " in stdout  # the paths of what was written are results, not a summary: still printed
    code, stdout, _ = cli("convert", str(corpus), "-o", str(tmp_path / "data2"))
    assert code == 0 and "anestools convert" in stdout


def test_no_length_chart_when_every_response_has_the_same_length(tmp_path):
    from anestools.cli import main
    from anestools.eval.report_parts import extra_markdown, length_chart_bins

    out = tmp_path / "run"
    with chat_server(json_answer(GOOD)) as url:  # every response: 3 completion tokens
        assert main(["-q", "eval", "--model", "m", "--engine", "openai", "--base-url", url, "--limit", "12",
                     "--lang", "en", "-o", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["length_vs_accuracy"] and not length_chart_bins(summary)
    assert not (out / "length_accuracy.png").exists() and "length_accuracy.png" not in (out / "report.md").read_text()
    two = {"length_vs_accuracy": [{"language": "en", "tokens_median": 10, "n": 5, "accuracy": 0.5},
                                  {"language": "en", "tokens_median": 90, "n": 5, "accuracy": 0.7}]}
    assert length_chart_bins(two) and any("length_accuracy.png" in ln for ln in extra_markdown(two))


def test_drop_reasons_show_real_values_not_placeholders(tmp_path):
    from anestools.qa.store import Rebuild, reasons_line

    with Rebuild(tmp_path, lambda key, rec, sink: None) as rb:
        rb.drop("too_short", "question 12 < 500", {"key": "a"})
        rb.drop("too_short", "question 40 < 500", {"key": "b"})
        rb.drop("duplicate_near", "Jaccard 0.91 with 0123456789abcdef", {"key": "c"})
        drops = rb.drop_summary()
    assert drops["too_short"] == {"count": 2, "top_details": {"question 12 < 500": 2}}
    line = reasons_line(drops)
    assert "question 12 < 500" in line and "Jaccard 0.91 with 0123456789abcdef" in line
    assert " N " not in line and "<pair>" not in line


def test_unknown_convert_lang_lists_every_choice(cli, corpus, tmp_path):
    code, _, stderr = cli("convert", "--lang", "fr", str(corpus), "-o", str(tmp_path / "d"))
    (line,) = _errors(stderr)
    assert code == 2 and "expected one of en, cn, zh, all" in line


def _bank(tmp_path) -> Path:
    from anestools.common.anesbench import load_benchmark

    bank = tmp_path / "bank_en.jsonl"
    items = [it for it in load_benchmark(None).items if it.language == "en"][:3]
    bank.write_text("".join(json.dumps({"id": it.id, "question": it.question, **it.options, "target": it.answer,
                                        "category": it.level}) + "\n" for it in items))
    return bank


def test_shots_on_an_english_only_bank_only_needs_english_examples(cli, tmp_path):
    bank = _bank(tmp_path)
    args = ("eval", "--benchmark", str(bank), "--model", "m", "--engine", "openai",
            "--base-url", "http://127.0.0.1:9/v1", "-o", str(tmp_path / "run"))
    code, _, stderr = cli(*args, "--shots", "100")
    (line,) = _errors(stderr)
    assert code == 2 and "101 en dev examples" in line and "zh" not in line
    code, _, stderr = cli(*args, "--shots", "2")  # enough English examples: on to the (absent) server
    assert code == 4 and "unreachable" in stderr and "zh dev" not in stderr


def test_corpus_stats_keeps_the_totals_apart_from_the_sources(cli, tmp_path):
    root = tmp_path / "corpus"
    (root / "en").mkdir(parents=True)
    (root / "zh").mkdir()
    pq.write_table(pa.table({"text": ["a b", "c d e", "f"], "language": ["en"] * 3,
                             "source": ["pubmed", "fineweb", "pubmed"]}), root / "en" / "0.parquet")
    pq.write_table(pa.table({"text": ["麻醉"], "language": ["zh"], "source": ["fineweb"]}), root / "zh" / "0.parquet")
    code, stdout, stderr = cli("corpus", "stats", str(root))
    assert code == 0, stderr
    rows = [ln for ln in stdout.splitlines() if ln.startswith("│")]
    kinds = ["all" if "│ all " in ln else "source" for ln in rows]
    assert kinds == ["source"] * 3 + ["all"] * 2, stdout
    body = stdout.splitlines()
    rule = [i for i, ln in enumerate(body) if ln.startswith("├")]
    assert rule and body.index(rows[2]) < rule[-1] < body.index(rows[3])  # a rule between the two groups


def test_ctrl_c_says_how_to_resume_in_one_line(tmp_path):
    import asyncio

    from aiohttp import web

    async def hang(request, n):
        await asyncio.sleep(60)
        return web.json_response(GOOD)

    with chat_server(hang) as url:
        proc = subprocess.Popen([sys.executable, "-m", "anestools", "eval", "--model", "m", "--engine", "openai",
                                 "--base-url", url, "--limit", "2", "--lang", "en", "-o", str(tmp_path / "run")],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                                env={**os.environ, "PYTHONPATH": str(ROOT)})
        deadline = time.monotonic() + 60
        while not (tmp_path / "run" / "predictions.jsonl").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert [ln for ln in stderr.splitlines() if "interrupted" in ln] == [
        "interrupted: rerun the same command to resume"], stderr


@pytest.fixture(scope="module")
def train_data(tmp_path_factory) -> Path:
    from anestools.convert.core import convert

    src = tmp_path_factory.mktemp("src") / "qa.parquet"
    pq.write_table(pa.table({"question": ["Which drug reverses rocuronium?"], "answer": ["Sugammadex."],
                             "language": ["en"]}), src)
    data = tmp_path_factory.mktemp("data")
    convert([str(src)], data, split="all")
    return data


@pytest.mark.parametrize(("setting", "needle"), [
    ("learning_rate=-1", "'learning_rate' (from --set): -1 is not a number > 0"),
    ("num_train_epochs=0", "'num_train_epochs' (from --set): 0 is not a number > 0"),
    ("cutoff_len=-5", "'cutoff_len' (from --set): -5 is not an integer >= 1"),
    ("bf16=maybe", "'bf16' (from --set): 'maybe' is not true or false"),
    ("warmup_ratio=1.5", "'warmup_ratio' (from --set): 1.5 is not a number in [0, 1]"),
    ("per_device_train_batch_size=2.5", "is not an integer >= 1"),
])
def test_train_set_values_are_typed_and_ranged(cli, train_data, tmp_path, setting, needle):
    code, _, stderr = cli("train", "sft", "--recipe", "qwen2.5-7b-sft-lora", "--data-dir", str(train_data),
                          "--output", str(tmp_path / "o"), "--set", setting, "--dry-run")
    (line,) = _errors(stderr)
    assert code == 2 and needle in line, line


def test_train_dry_run_warns_when_the_gpus_asked_are_not_here(cli, train_data, tmp_path, monkeypatch):
    from anestools.train.core import visible_gpus

    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")  # this machine, as seen by the launch: no GPU
    assert visible_gpus() == 0
    code, _, stderr = cli("train", "sft", "--recipe", "qwen2.5-7b-sft-lora", "--data-dir", str(train_data),
                          "--output", str(tmp_path / "o"), "--gpus", "8", "--dry-run")
    warned = [ln for ln in stderr.splitlines() if ln.startswith("warning: --gpus 8")]
    assert code == 0 and len(warned) == 1 and "no GPU(s) visible" in warned[0], stderr


def test_corpus_build_on_an_integer_text_column_is_a_type_error(cli, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    pq.write_table(pa.table({"text": [1, 2, 3], "body": ["a", "b", "c"]}), src / "web.parquet")
    code, _, stderr = cli("-q", "corpus", "build", str(src), "-o", str(tmp_path / "out"))
    (line,) = _errors(stderr)
    assert code == 2 and "column 'text' is int64, expected text" in line and "--text-key body" in line
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.parquet"))


def test_disk_full_in_a_corpus_task_is_a_write_failure_exit_1(tmp_path):
    from anestools.corpus.run import worker_error

    full = OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "out" / "en" / "0.parquet"))
    wrapped = RuntimeError("task failed")
    wrapped.__cause__ = full
    err = worker_error(wrapped, tmp_path / "out")
    assert err.exit_code == 1 and "no space left to write the corpus" in str(err)


COMMANDS = [("corpus", "build"), ("corpus", "pubmed"), ("corpus", "stats"), ("convert",), ("qa", "generate"),
            ("qa", "translate"), ("train", "cpt"), ("train", "sft"), ("train", "tokenize"), ("eval",),
            ("eval", "report"), ("demo",), ()]


def test_help_shows_no_bool_metavar_and_whole_option_names_off_a_terminal(cli, monkeypatch):
    import click

    from anestools.cli import build_command

    monkeypatch.delenv("COLUMNS", raising=False)  # as in a pipe or a CI log: not a terminal, no COLUMNS
    root = build_command()
    for words in COMMANDS:
        code, stdout, stderr = cli(*words, "--help")
        assert code == 0, stderr
        assert "<bool>" not in stdout, (words, stdout)
        cmd = root
        for w in words:
            cmd = cmd.commands[w]
        for param in cmd.params:
            if not getattr(param, "hidden", False) and (isinstance(param, click.Option) or hasattr(param, "opts")):
                for opt in [*param.opts, *getattr(param, "secondary_opts", [])]:
                    if opt.startswith("--"):
                        assert opt in stdout, (words, opt)  # never cut to "--pairs-per-pas…"
    assert "COLUMNS" not in os.environ  # the wider help width does not leak out of the command
