"""The runtime layer's contracts, per command (issue 27 items 10, 12, 13, 14; issue 23).

- one exit-code table (``anestools.errors.ExitCode``), the same as docs/reliability.md's, and the
  same codes from every command that talks to a model server: 4 unreachable or model not
  served, 6 requests still failing, 2 a refused option;
- option checks declared once: every command that has an option refuses the same bad value
  with the same one line, before anything is written;
- a server that answers every request with no content: one warning naming the likely causes,
  empty counted apart from unparsable.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from anestools.errors import AnestoolsError, ExitCode
from anestools.runtime.engines import free_port, kill_group
from anestools.runtime.replies import empty_content, empty_warning

ROOT = Path(__file__).resolve().parents[2]
PASSAGE = ("Sugammadex encapsulates rocuronium and reverses deep neuromuscular blockade within minutes. "
           "Neostigmine cannot reverse a deep block because it only increases acetylcholine. "
           "Residual blockade must be excluded with quantitative train-of-four monitoring.")


@pytest.fixture()
def server():
    """``start(*flags)`` -> base URL of ``anestools.testing.fake_server`` (serves ``fake-model``)."""
    procs: list[subprocess.Popen] = []

    def start(*flags: str) -> str:
        port = free_port()
        proc = subprocess.Popen([sys.executable, "-m", "anestools.testing.fake_server", "--port", str(port),
                                 "--delay", "0", *flags], start_new_session=True, stdout=subprocess.DEVNULL)
        procs.append(proc)
        for _ in range(200):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                    return f"http://127.0.0.1:{port}/v1"
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("fake server did not start")

    yield start
    for p in procs:
        kill_group(p, grace=5)


@pytest.fixture()
def inputs(tmp_path):
    """An AnesCorpus shard (for qa generate) and an AnesQA parquet (for qa translate)."""
    corpus = tmp_path / "corpus" / "en.parquet"
    corpus.parent.mkdir()
    pq.write_table(pa.table({"text": [PASSAGE], "id": ["en-1"], "language": ["en"], "source": ["pubmed"]}), corpus)
    qa = tmp_path / "qa" / "anesqa.parquet"
    qa.parent.mkdir()
    pq.write_table(pa.table({"question": ["What reverses a deep rocuronium block?"],
                             "answer": ["Sugammadex reverses it within minutes."], "language": ["en"]}), qa)
    return {"corpus": corpus.parent, "qa": qa}


def _command(name: str, inputs: dict, out: Path, url: str, model: str = "fake-model") -> list[str]:
    """The smallest run of each command that talks to a model server."""
    engine = ["--model", model, "--engine", "openai", "--base-url", url]
    if name == "eval":
        return ["eval", *engine, "--limit", "1", "--lang", "en", "-o", str(out)]
    if name == "qa generate":
        return ["qa", "generate", str(inputs["corpus"]), "-o", str(out), *engine, "--min-tokens", "5",
                "--no-grounding", "--no-language-check"]
    return ["qa", "translate", str(inputs["qa"]), "--to", "zh", "-o", str(out), *engine, "--no-language-check"]


COMMANDS = ("eval", "qa generate", "qa translate")


def _one_line(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


def test_the_exit_code_table_is_the_documented_one():
    text = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")
    section = text.split("## Exit codes", 1)[1].split("##", 1)[0]
    documented = {int(n) for n in re.findall(r"(?:^|·)\s*(\d+) ", section.replace("\n", " "))}
    assert documented == {int(c) for c in ExitCode}
    classes = [c for c in vars(sys.modules["anestools.errors"]).values()
               if isinstance(c, type) and issubclass(c, AnestoolsError)]
    assert all(c.exit_code in set(ExitCode) for c in classes)


@pytest.mark.parametrize("command", COMMANDS)
def test_unreachable_endpoint_exits_4(cli, inputs, tmp_path, command):
    dead = f"http://127.0.0.1:{free_port()}/v1"
    code, _, stderr = cli(*_command(command, inputs, tmp_path / "out", dead))
    assert code == ExitCode.ENGINE_FAILED and "is unreachable" in _one_line(stderr)


@pytest.mark.parametrize("command", COMMANDS)
def test_a_model_the_server_does_not_serve_stops_at_once_with_4_naming_the_served_ones(cli, server, inputs,
                                                                                      tmp_path, command):
    url = server("--strict-model")
    code, _, stderr = cli(*_command(command, inputs, tmp_path / "out", url, model="tiny"))
    line = _one_line(stderr)
    assert code == ExitCode.ENGINE_FAILED, stderr
    assert "'tiny'" in line and "it serves: fake-model" in line
    stats = json.loads(urllib.request.urlopen(url.removesuffix("/v1") + "/stats").read())
    asked = stats.get("requests", 0) + stats.get("pass_requests", 0)  # eval's answer-pass probe comes first
    assert 1 <= asked <= 8 and not stats.get("answered")  # stopped at once, no retries per question


@pytest.mark.parametrize("command", COMMANDS)
def test_requests_still_failing_after_retries_exit_6_not_1(cli, server, inputs, tmp_path, command):
    url = server("--fail-status", "500")
    code, _, stderr = cli(*_command(command, inputs, tmp_path / "out", url), "--retries", "0")
    assert code == ExitCode.INCOMPLETE, stderr
    assert "rerun" in _one_line(stderr).replace("re-run", "rerun")


# (command, extra arguments making it runnable up to the check)
OPTION_COMMANDS = {
    "eval": lambda i, out: ["eval", "--model", "m", "--engine", "openai", "--base-url", "http://127.0.0.1:9/v1",
                            "-o", str(out)],
    "qa generate": lambda i, out: ["qa", "generate", str(i["corpus"]), "-o", str(out), "--model", "m",
                                   "--base-url", "http://127.0.0.1:9/v1"],
    "qa translate": lambda i, out: ["qa", "translate", str(i["qa"]), "--to", "zh", "-o", str(out), "--model", "m",
                                    "--base-url", "http://127.0.0.1:9/v1"],
}
# one bad value per option type: a float that must be finite, a count, a duration, a size
BAD_VALUES = [
    ("--temperature", "nan", "must be a finite number >= 0"),
    ("--temperature", "-1", "must be a finite number >= 0"),
    ("--retries", "-1", "must be >= 0"),
    ("--concurrency", "0", "must be >= 1"),
    ("--max-new-tokens", "0", "must be >= 1"),
    ("--tp", "0", "must be >= 1"),
    ("--request-timeout", "0", "must be a number of seconds > 0"),
    ("--startup-timeout", "nan", "must be a number of seconds > 0"),
    ("--progress-interval", "inf", "must be a number of seconds > 0"),
]


@pytest.mark.parametrize("flag, value, message", BAD_VALUES)
@pytest.mark.parametrize("command", list(OPTION_COMMANDS))
def test_each_option_is_refused_the_same_way_by_every_command(cli, inputs, tmp_path, command, flag, value, message):
    out = tmp_path / "out"
    code, _, stderr = cli(*OPTION_COMMANDS[command](inputs, out), flag, value)
    line = _one_line(stderr)
    assert code == ExitCode.BAD_INPUT and f"{flag} {message}, got " in line, line
    assert not out.exists()


@pytest.mark.parametrize("command", ["build", "pubmed"])
def test_corpus_min_score_nan_is_refused(cli, tmp_path, command):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"text": PASSAGE, "id": "a"}) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    code, _, stderr = cli("corpus", command, str(src), "-o", str(out), "--min-score", "nan")
    assert code == ExitCode.BAD_INPUT and "--min-score must be a finite number >= 0, got nan" in _one_line(stderr)
    assert not out.exists()


def test_qa_length_bounds_that_drop_everything_are_refused_with_the_numbers(cli, inputs, tmp_path):
    out = tmp_path / "out"
    code, _, stderr = cli(*OPTION_COMMANDS["qa generate"](inputs, out), "--min-question", "500",
                          "--max-question", "10")
    assert code == ExitCode.BAD_INPUT
    assert "--min-question 500 is above --max-question 10" in _one_line(stderr) and not out.exists()


def test_empty_content_is_recognised():
    assert empty_content("") and empty_content("  \n") and empty_content("<think>Answer: A</think>")
    assert empty_content("<think>a</think>\n ")
    assert not empty_content("Answer: A") and not empty_content("<think>a</think>B") and not empty_content("<think>cut")
    assert empty_warning(5, 10) is None and "likely causes" in empty_warning(6, 10)


def test_eval_warns_when_most_responses_are_empty_and_counts_them_apart(cli, server, tmp_path):
    url = server("--reasoning-only")
    out = tmp_path / "run"
    code, _, stderr = cli("eval", "--model", "fake-model", "--engine", "openai", "--base-url", url, "--limit", "2",
                          "-o", str(out))
    assert code == 0, stderr
    warning = [ln for ln in stderr.splitlines() if "were empty" in ln]
    assert len(warning) == 1 and "reasoning_content" in warning[0] and "chat template" in warning[0]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["empty_responses"] == summary["responses"] == 4 and summary["unparsable_responses"] == 0


def test_eval_counts_unparsable_responses_apart_from_empty_ones(cli, server, tmp_path):
    url = server("--vague", "1")  # every answer has content no rule can read
    out = tmp_path / "run"
    code, _, stderr = cli("eval", "--model", "fake-model", "--engine", "openai", "--base-url", url, "--limit", "2",
                          "-o", str(out))
    assert code == 0, stderr
    assert "were empty" not in stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["empty_responses"] == 0 and summary["unparsable_responses"] == 4


def test_qa_generate_warns_when_the_teacher_replies_are_empty(cli, server, inputs, tmp_path):
    url = server("--reasoning-only")
    out = tmp_path / "out"
    code, _, stderr = cli(*_command("qa generate", inputs, out, url), "--parse-retries", "0")
    assert code == ExitCode.FAILED  # nothing kept (every reply dropped as malformed), as before
    assert len([ln for ln in stderr.splitlines() if "were empty" in ln]) == 1
    summary = json.loads((out / "summary.json").read_text())
    assert summary["empty_replies"] == 1 and summary["passages"]["malformed_replies"] == 0
