"""#19 items 1, 2, 3, 9, 10 and the eval option checks (real CLI against a loopback endpoint)."""

from __future__ import annotations

import asyncio
import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from aiohttp import web
from reliability_helpers import GOOD, chat_server, json_answer

from anestools.common.lock import output_lock
from anestools.runtime.client import ChatClient, RequestFailed, RetryPolicy

FAST = RetryPolicy(retries=1, backoff=0.01, max_backoff=0.02)


def _one_line(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and "Traceback" not in stderr, stderr
    return lines[0]


def _records(path: Path) -> list[dict]:
    return [json.loads(ln) for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]


def _eval(cli, url: str, out: Path, *extra: str):
    return cli("-q", "eval", "--model", "m", "--engine", "openai", "--base-url", url, "--limit", "2",
               "--lang", "en", "--retries", "0", "-o", str(out), *extra)


MALFORMED = {
    "content is a list": {**GOOD, "choices": [{"message": {"content": ["A"]}}]},
    "content is an int": {**GOOD, "choices": [{"message": {"content": 7}}]},
    "content is an object": {**GOOD, "choices": [{"message": {"content": {"a": 1}}}]},
    "message is a string": {**GOOD, "choices": [{"message": "Answer: A"}]},
    "choice is a string": {**GOOD, "choices": ["Answer: A"]},
    "usage is a list": {**GOOD, "usage": [1, 2]},
    "usage is 10**30": {**GOOD, "usage": {"completion_tokens": 10**30}},
    "tokens as a string": {**GOOD, "usage": {"completion_tokens": "12"}},
    "body is a list": [GOOD],
    "no choices": {"usage": {}},
}


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_200_is_a_request_failure_never_a_value(body):
    async def ask(url):
        async with ChatClient(url, "m", policy=FAST) as c:
            return await c.complete([{"role": "user", "content": "q"}], temperature=0, max_tokens=4)

    with chat_server(json_answer(body)) as url, pytest.raises(RequestFailed, match="malformed response"):
        asyncio.run(ask(url))


def test_lone_surrogate_is_malformed():
    raw = '{"choices": [{"message": {"content": "Answer: \\ud800"}}]}'

    async def ask(url):
        async with ChatClient(url, "m", policy=FAST) as c:
            return await c.complete([{"role": "user", "content": "q"}], temperature=0, max_tokens=4)

    with chat_server(json_answer(raw)) as url, pytest.raises(RequestFailed, match="lone surrogate"):
        asyncio.run(ask(url))


def test_malformed_answers_are_errors_then_retried_on_resume(cli, tmp_path):
    out = tmp_path / "run"
    with chat_server(json_answer(MALFORMED["tokens as a string"])) as url:
        code, _, stderr = _eval(cli, url, out)
    assert code == 6 and "re-run the same command to resume" in _one_line(stderr)  # incomplete run (#14)
    recs = _records(out / "predictions.jsonl")
    assert len(recs) == 2 and all("malformed response" in r["error"] for r in recs)
    with chat_server(json_answer(GOOD)) as url:
        code, _, stderr = _eval(cli, url, out)
    assert code == 0, stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["complete"] and summary["scores"]["overall"]["accuracy"]["n"] == 2


def test_a_poisoned_predictions_file_from_an_old_run_is_redone_not_a_crash(cli, tmp_path):
    out = tmp_path / "run"
    with chat_server(json_answer(GOOD)) as url:
        assert _eval(cli, url, out)[0] == 0
        pred = out / "predictions.jsonl"
        recs = _records(pred)
        recs[0]["completion_tokens"] = "12"  # what an older version wrote from a bad server
        pred.write_text("".join(json.dumps(r) + "\n" for r in recs))
        code, _, stderr = _eval(cli, url, out)
    assert code == 0, stderr
    assert json.loads((out / "summary.json").read_text())["complete"]
    assert [r["completion_tokens"] for r in _records(pred)][-1] == 3  # asked again, typed answer


@pytest.mark.parametrize("content", [b"[1, 2, 3]\n", None], ids=["list line", "directory"])
def test_a_predictions_file_that_is_not_one_is_one_line(cli, tmp_path, content):
    out = tmp_path / "run"
    out.mkdir()
    if content is None:
        (out / "predictions.jsonl").mkdir()
    else:
        (out / "predictions.jsonl").write_bytes(content)
    code, _, stderr = _eval(cli, "http://127.0.0.1:9/v1", out)
    assert code == 2 and "predictions.jsonl" in _one_line(stderr)


def test_output_pointing_at_a_file_is_one_line(cli, tmp_path):
    f = tmp_path / "file.txt"
    f.write_text("mine")
    code, _, stderr = _eval(cli, "http://127.0.0.1:9/v1", f)
    assert code == 2 and "must be a directory" in _one_line(stderr) and f.read_text() == "mine"


def test_a_corrupt_parquet_benchmark_is_one_line(cli, tmp_path):
    bench = tmp_path / "bench_en.parquet"
    bench.write_bytes(b"PAR1 this is not parquet PAR1")
    code, _, stderr = _eval(cli, "http://127.0.0.1:9/v1", tmp_path / "run", "--benchmark", str(bench))
    assert code == 2 and "bench_en.parquet" in _one_line(stderr)


def test_full_disk_is_one_line_and_leaves_no_torn_record(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "predictions.jsonl").write_bytes(b"")

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (700, 700))  # like `ulimit -f`: room for one record

    with chat_server(json_answer(GOOD)) as url:
        proc = subprocess.run([sys.executable, "-m", "anestools", "-q", "eval", "--model", "m", "--engine", "openai",
                               "--base-url", url, "--limit", "3", "--lang", "en", "--concurrency", "1",
                               "-o", str(out)], capture_output=True, text=True, timeout=120, preexec_fn=limit)
    line = _one_line(proc.stderr)
    assert proc.returncode == 1 and "predictions.jsonl: cannot write (File too large)" in line
    assert (out / "predictions.jsonl").read_bytes().endswith(b"\n")  # whole lines only


def test_the_api_key_echoed_in_an_error_body_is_never_recorded(cli, tmp_path, monkeypatch):
    secret = "sk-live-0123456789abcdef"
    monkeypatch.setenv("ANES_KEY", secret)

    def echo(request: web.Request, n: int) -> web.Response:
        return web.Response(status=401, text=f"bad credentials: {request.headers['Authorization']} / {secret}")

    out = tmp_path / "run"
    with chat_server(echo) as url:
        code, stdout, stderr = _eval(cli, url, out, "--api-key-env", "ANES_KEY")
    assert code == 6 and "re-run the same command" in _one_line(stderr)  # every question failed: incomplete
    recs = _records(out / "predictions.jsonl")
    assert all(r["error"].startswith("HTTP 401") and "Bearer ***" in r["error"] for r in recs)
    for f in out.iterdir():
        assert secret.encode() not in f.read_bytes(), f
    assert secret not in stdout + stderr


def test_a_second_eval_into_the_same_output_is_refused(cli, tmp_path):
    out = tmp_path / "run"
    with output_lock(out, "anestools eval (first run)"):
        code, _, stderr = _eval(cli, "http://127.0.0.1:9/v1", out)
    assert code == 7 and "first run" in _one_line(stderr)
    assert not out.exists()


def test_stale_temp_files_in_the_run_dir_are_removed(cli, tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    stale = out / ".summary.json.ab12cd34.tmp"
    stale.write_text("{")
    with chat_server(json_answer(GOOD)) as url:
        assert _eval(cli, url, out)[0] == 0
    assert not stale.exists()


@pytest.mark.parametrize(("flag", "value", "needle"), [
    ("--temperature", "nan", "--temperature"),
    ("--request-timeout", "0", "--request-timeout"),
])
def test_invalid_numbers_are_refused(cli, tmp_path, flag, value, needle):
    code, _, stderr = _eval(cli, "http://127.0.0.1:9/v1", tmp_path / "run", flag, value)
    assert code == 2 and needle in _one_line(stderr)


@pytest.mark.parametrize(("field", "value", "needle"), [
    ("language", "fr", "field 'language' = 'fr'"),
    ("choice_num", 4.5, "'choice_num' = 4.5 is not an integer"),
])
def test_benchmark_records_that_contradict_themselves_are_invalid(cli, tmp_path, field, value, needle):
    rec = {"id": "q1", "question": "Q?", "A": "a", "B": "b", "C": "c", "D": "d", "choice_num": 4, "target": "B",
           "category": 1, field: value}
    bench = tmp_path / "bench_en.json"
    bench.write_text(json.dumps([rec]))
    code, _, stderr = _eval(cli, "http://127.0.0.1:9/v1", tmp_path / "run", "--benchmark", str(bench))
    assert code == 2 and needle in _one_line(stderr)


def test_kill_9_of_eval_takes_its_inference_server_down(tmp_path):
    """The engine server is started like SGLang / transformers serve (run_server); its parent is killed."""
    import os
    import signal
    import socket
    import time

    from reliability_helpers import alive

    from anestools.runtime.engines import free_port

    port = free_port()
    code = ("import sys, time\nfrom pathlib import Path\nfrom anestools.runtime.engines import run_server\n"
            f"argv = [sys.executable, '-m', 'anestools.testing.fake_server', '--port', '{port}']\n"
            f"with run_server(argv, health_url='http://127.0.0.1:{port}/health', log_path=Path(sys.argv[1]),\n"
            "                timeout=60) as server:\n"
            "    print(server.pid, flush=True); time.sleep(120)\n")
    parent = subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "engine.log")], stdout=subprocess.PIPE,
                              text=True)
    server = int(parent.stdout.readline())
    assert alive(server)
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 20
    while alive(server):
        assert time.monotonic() < deadline, "the server outlived eval"
        time.sleep(0.1)
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0  # nothing holds the port (or GPU memory) any more


@pytest.mark.slow
def test_engine_auto_starts_its_server_as_a_guarded_group(cli, tiny_model, tmp_path, monkeypatch):
    """`--engine auto` (#15) resolves to an engine, then starts it like any other: through
    ``guarded_group`` (dies with us, even on kill -9), and the run dir stays locked meanwhile."""
    from anestools.common.lock import LOCK_NAME
    from anestools.runtime import engines

    started: list[tuple[list[str], bool]] = []
    real = engines.guarded_group
    out = tmp_path / "run"

    def spy(argv, *args, **kwargs):
        started.append((list(argv), (out / LOCK_NAME).exists()))
        return real(argv, *args, **kwargs)

    monkeypatch.setattr(engines, "guarded_group", spy)
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    code, _, stderr = cli("eval", "--model", str(tiny_model), "--engine", "auto", "--limit", "1", "--lang", "en",
                          "--max-new-tokens", "8", "--startup-timeout", "300", "-o", str(out))
    assert code == 0, stderr
    assert len(started) == 1 and str(tiny_model) in started[0][0] and started[0][1]
    assert json.loads((out / "summary.json").read_text())["config"]["engine"] == "transformers"
