"""End to end with real servers: transformers serve on a tiny model, and a loopback fake endpoint
for kill/resume and 500s (the fake stands in for SGLang's HTTP behaviour, not for a model)."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from anestools.common.anesbench import load_benchmark

SAMPLE_N = len(load_benchmark(None).items)


def server_stats(base_url: str) -> dict:
    """Counters of the loopback fake server (``/stats``); local so no ``conftest`` import is needed."""
    import json
    import urllib.request

    with urllib.request.urlopen(base_url.removesuffix("/v1") + "/stats", timeout=5) as resp:
        return json.loads(resp.read())


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def ok_keys(records: list[dict]) -> list[tuple[str, int]]:
    return [(r["key"], r["sample"]) for r in records if r["error"] is None]


def port_closed(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


@pytest.mark.slow
def test_transformers_engine_both_languages(cli, tiny_model, tmp_path):
    out = tmp_path / "run"
    code, stdout, stderr = cli("eval", "--model", str(tiny_model), "--engine", "transformers", "--limit", "2",
                               "--samples", "2", "--temperature", "0.8", "--max-new-tokens", "8",
                               "--concurrency", "4", "--startup-timeout", "120", "-o", str(out))
    assert code == 0, stderr
    recs = lines(out / "predictions.jsonl")
    assert len(recs) == 8 and len(set(ok_keys(recs))) == 8  # 2 questions x 2 languages x 2 samples
    assert {r["language"] for r in recs} == {"en", "zh"}
    assert all(r["response"] is not None and r["completion_tokens"] and r["latency"] > 0 for r in recs)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["complete"] and summary["questions"] == 4 and summary["responses"] == 8
    for group in ("overall", "language=en", "language=zh", "level=1", "language=zh,level=1"):
        s = summary["scores"][group]
        assert 0 <= s["accuracy"]["ci_low"] <= s["accuracy"]["ci_high"] <= 1 and "majority" in s
    assert summary["config"]["engine_command"][3:5] == ["serve", "--host"]
    assert summary["config"]["prompt"]["user"]["zh"]
    import transformers

    engine = summary["provenance"]["engine"]
    assert (engine["name"], engine["version"], engine["version_source"]) == (
        "transformers", transformers.__version__, "package")  # transformers serve does not report one
    assert len(summary["provenance"]["model"]["config_sha256"]) == 64  # a local model directory
    report = (out / "report.md").read_text()
    assert "| overall | 4 |" in report and "majority vote" in report
    assert (out / "accuracy.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "eval" in stdout or "overall" in stdout
    port = int(summary["config"]["engine_command"][summary["config"]["engine_command"].index("--port") + 1])
    assert port_closed(port)  # the server was torn down


@pytest.mark.slow
def test_transformers_server_that_fails_to_start_shows_log_tail(cli, tmp_path):
    code, _, stderr = cli("eval", "--model", str(tmp_path / "no-such-model"), "--engine", "transformers",
                          "--limit", "1", "--startup-timeout", "120", "-o", str(tmp_path / "run"))
    assert code == 4
    assert "exited with code" in stderr and "engine.log" in stderr
    assert "no-such-model" in stderr  # the server's own complaint, from the log tail


@pytest.mark.slow
def test_kill_mid_run_then_resume_loses_and_duplicates_nothing(fake_server, tmp_path):
    url = fake_server(delay=0.25)
    out = tmp_path / "run"
    pred = out / "predictions.jsonl"
    argv = [str(Path(sys.executable).with_name("anestools")), "-q", "eval", "--model", "fake-model",
            "--engine", "openai", "--base-url", url, "--concurrency", "4", "-o", str(out)]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (pred.exists() and len(pred.read_bytes().splitlines()) >= 12):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)  # the hardest kill: no cleanup at all
    proc.wait(timeout=30)
    first = pred.read_bytes()
    n_first = len(first.splitlines())
    assert 12 <= n_first < SAMPLE_N
    assert not (out / "summary.json").exists()

    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    final = pred.read_bytes()
    assert final.startswith(first)  # append-only: nothing rewritten
    recs = lines(pred)
    keys = ok_keys(recs)
    assert len(keys) == len(set(keys)) == SAMPLE_N == len(recs)  # no loss, no duplicates
    summary = json.loads((out / "summary.json").read_text())
    assert summary["complete"] and summary["answered_questions"] == SAMPLE_N
    # Only the requests in flight at the kill were asked twice.
    assert SAMPLE_N <= server_stats(url)["answered"] <= SAMPLE_N + 4
    # A third run has nothing left to do and changes nothing.
    again = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and pred.read_bytes() == final


@pytest.mark.slow
def test_500s_are_retried_then_recorded_as_errors_and_retried_on_resume(cli, fake_server, tmp_path):
    bad = fake_server(fail_status=500)
    out = tmp_path / "run"
    args = ["eval", "--model", "m", "--engine", "openai", "--limit", "2", "--retries", "2", "-o", str(out)]
    code, stdout, stderr = cli(*args, "--base-url", bad)
    assert code == 6, stderr  # incomplete: outputs written, resumable, but not a success
    assert "re-run the same command to resume" in stderr
    recs = lines(out / "predictions.jsonl")
    assert len(recs) == 4 and all(r["error"].startswith("HTTP 500") and r["correct"] is None for r in recs)
    assert all(r["attempts"] == 3 for r in recs)
    assert server_stats(bad)["failed"] == 12  # 4 questions x 3 attempts
    summary = json.loads((out / "summary.json").read_text())
    assert summary["errors"] == 4 and not summary["complete"]
    assert summary["scores"] == {}  # errors are not wrong answers: nothing to score
    assert "incomplete" in stdout

    good = fake_server()
    code, stdout, stderr = cli(*args, "--base-url", good)
    assert code == 0, stderr
    recs = lines(out / "predictions.jsonl")
    assert len(recs) == 8 and len(set(ok_keys(recs))) == 4
    summary = json.loads((out / "summary.json").read_text())
    assert summary["complete"] and summary["errors"] == 0 and summary["scores"]["overall"]["accuracy"]["n"] == 4


def test_resume_trims_a_torn_line_and_refuses_other_settings(cli, fake_server, tmp_path):
    url = fake_server()
    out = tmp_path / "run"
    args = ["eval", "--model", "m", "--engine", "openai", "--base-url", url, "--limit", "3", "-o", str(out)]
    assert cli(*args)[0] == 0
    pred = out / "predictions.jsonl"
    with open(pred, "ab") as fh:
        fh.write(b'{"key": "en:sample-en-00')  # a write cut short by a hard kill
    code, _, stderr = cli(*args, "--limit", "4")
    assert code == 0, stderr
    recs = lines(pred)
    assert len(recs) == 8 and len(set(ok_keys(recs))) == 8

    code, _, stderr = cli(*args, "--temperature", "0.5")
    assert code == 2 and "other settings" in stderr
    code, _, stderr = cli(*args, "--no-resume")
    assert code == 3 and "--overwrite" in stderr
    code, _, stderr = cli(*args, "--no-resume", "--overwrite", "--prompt", "direct")
    assert code == 0 and len(lines(pred)) == 6


def test_report_compares_a_checkpoint_sweep(cli, fake_server, tmp_path):
    url = fake_server()
    models = ["outputs/run/checkpoint-200", "outputs/run/checkpoint-100"]
    code, _, stderr = cli("eval", *[a for m in models for a in ("--model", m)], "--engine", "openai",
                          "--base-url", url, "--limit", "4", "--lang", "en,cn", "-o", str(tmp_path / "sweep"))
    assert code == 0, stderr
    dirs = sorted((tmp_path / "sweep").iterdir())
    assert [d.name for d in dirs] == ["run-checkpoint-100", "run-checkpoint-200"]
    code, stdout, _ = cli("eval", "report", *map(str, reversed(dirs)))
    assert code == 0 and stdout.index("checkpoint-100") < stdout.index("checkpoint-200")
    report = tmp_path / "cmp.md"
    code, stdout, _ = cli("eval", "report", *map(str, dirs), "--output", str(report))
    assert code == 0 and report.exists() and (tmp_path / "cmp.png").read_bytes()[:4] == b"\x89PNG"
    assert "| run-checkpoint-100 | outputs/run/checkpoint-100 | 100 | 8 |" in report.read_text()
    assert cli("eval", "report", *map(str, dirs), "--output", str(report))[0] == 3  # never clobber
    assert cli("eval", "report", str(tmp_path))[0] == 2  # not a run dir


def test_cli_errors_are_one_line(cli, tmp_path):
    code, _, stderr = cli("eval", "--model", "m", "--engine", "openai", "-o", str(tmp_path / "r"))
    assert code == 2 and "--base-url" in stderr and stderr.count("\n") == 1
    code, _, stderr = cli("eval", "--model", "m", "--engine", "openai", "--base-url", "http://127.0.0.1:9/v1",
                          "--lang", "fr")
    assert code == 2 and "unknown language 'fr'" in stderr
    code, _, stderr = cli("eval", "--engine", "openai")
    assert code == 2 and "--model is required" in stderr


def test_help_documents_both_forms(cli):
    code, stdout, _ = cli("eval", "--help")
    assert code == 0 and "--model" in stdout and "report" in stdout and "Examples" in stdout
    code, stdout, _ = cli("eval", "report", "--help")
    assert code == 0 and "RUN_DIR" in stdout and "Examples" in stdout


def test_yaml_preset_sets_defaults_and_the_command_line_wins(cli, fake_server, tmp_path):
    url = fake_server()
    preset = tmp_path / "preset.yaml"
    preset.write_text(f"engine: openai\nbase-url: {url}\nlimit: 2\nlang: [zh]\nprompt: direct\nmax-new-tokens: 32\n")
    out = tmp_path / "run"
    code, _, stderr = cli("eval", "-c", str(preset), "--model", "m", "--limit", "3", "-o", str(out))
    assert code == 0, stderr
    cfg = json.loads((out / "summary.json").read_text())["config"]
    assert (cfg["limit"], cfg["languages"], cfg["prompt"]["style"], cfg["max_new_tokens"]) == (3, ["zh"], "direct", 32)
    (tmp_path / "bad.yaml").write_text("bogus: 1\n")
    code, _, stderr = cli("eval", "-c", str(tmp_path / "bad.yaml"), "--model", "m")
    assert code == 2 and "unknown option 'bogus'" in stderr


@pytest.mark.slow
def test_sigterm_stops_the_run_and_kills_the_engine_group(tiny_model, tmp_path):
    import psutil

    out = tmp_path / "run"
    argv = [str(Path(sys.executable).with_name("anestools")), "-q", "eval", "--model", str(tiny_model),
            "--engine", "transformers", "--max-new-tokens", "48", "--concurrency", "1", "-o", str(out)]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    pred = out / "predictions.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (pred.exists() and pred.stat().st_size):
        time.sleep(0.1)
    assert pred.exists(), proc.stderr.read() if proc.poll() is not None else "no prediction in 120 s"
    command = (out / "engine.log").read_text().splitlines()[0]
    port = command.split("--port ")[1].split()[0]
    servers = [p for p in psutil.process_iter(["cmdline"]) if "--port" in (p.info["cmdline"] or [])
               and port in (p.info["cmdline"] or [])]
    assert servers
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 130
    gone, alive = psutil.wait_procs(servers, timeout=20)
    assert not alive and port_closed(int(port))
    summary = json.loads((out / "summary.json").read_text())  # partial report written on the way out
    assert not summary["complete"] and summary["responses"] == len(lines(pred)) >= 1


def test_api_key_is_sent_but_never_written(cli, fake_server, tmp_path, monkeypatch):
    url = fake_server()
    secret = "sk-test-9f8e7d6c5b4a"
    monkeypatch.setenv("ANES_EVAL_KEY", secret)
    out = tmp_path / "run"
    code, stdout, stderr = cli("eval", "--model", "m", "--engine", "openai", "--base-url", url,
                               "--api-key-env", "ANES_EVAL_KEY", "--limit", "2", "-o", str(out))
    assert code == 0, stderr
    assert server_stats(url)["with_api_key"] == 4
    for f in out.iterdir():
        assert secret.encode() not in f.read_bytes(), f
    assert secret not in stdout + stderr
    assert json.loads((out / "summary.json").read_text())["config"]["api_key_env"] == "ANES_EVAL_KEY"
