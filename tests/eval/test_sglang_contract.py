"""The SGLang command lines we build, parsed by SGLang's and sglang-router's own parsers (no GPU).

The argv lists are the ones ``anestools eval --engine sglang`` really builds (the CLI runs up to
the point where the server would start, with the real ``--dp``/router detection against the
SGLang environment); ``scripts/sglang/check_argv.py`` parses them inside that environment.
Skipped, with the reason, when the environment is absent: ``make sglang-env`` creates it.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
from pathlib import Path

import pytest

from anestools.errors import EngineError
from anestools.runtime import engines

ROOT = Path(__file__).resolve().parents[2]
SGLANG_PY = Path(os.environ.get("ANESTOOLS_SGLANG_PYTHON", ROOT / ".sglang-env" / "bin" / "python"))
CHECKER = ROOT / "scripts" / "sglang" / "check_argv.py"

pytestmark = pytest.mark.skipif(
    not SGLANG_PY.exists(),
    reason=f"no SGLang environment at {SGLANG_PY}: run `make sglang-env` (or set ANESTOOLS_SGLANG_PYTHON)")


def _capture_argv(cli, monkeypatch, tmp_path, *options: str) -> list[str]:
    """Run ``anestools eval`` until the server would start; return the argv it would run."""
    seen: list[list[str]] = []

    @contextlib.contextmanager
    def fake_run_server(argv, **kwargs):
        seen.append(list(argv))
        raise EngineError("argv captured")
        yield  # pragma: no cover

    monkeypatch.setattr(engines, "run_server", fake_run_server)
    code, _, stderr = cli("eval", "--model", "/models/qwen2.5-7b-sft", "--engine-python", str(SGLANG_PY),
                          "--limit", "1", "-o", str(tmp_path / f"run{len(os.listdir(tmp_path))}"), *options)
    assert code == 4 and "argv captured" in stderr, stderr
    assert len(seen) == 1
    return seen[0]


def _parse_with_sglang(cases: dict[str, list[str]]) -> dict:
    payload = json.dumps([{"name": k, "argv": v} for k, v in cases.items()])
    proc = subprocess.run([str(SGLANG_PY), str(CHECKER)], input=payload, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


def test_every_sglang_argv_we_build_parses_with_sglangs_own_parsers(cli, monkeypatch, tmp_path):
    cases = {
        "auto picks sglang, single server": _capture_argv(cli, monkeypatch, tmp_path),
        "single server": _capture_argv(cli, monkeypatch, tmp_path, "--engine", "sglang", "--dp", "1"),
        "tensor parallel": _capture_argv(cli, monkeypatch, tmp_path, "--engine", "sglang", "--dp", "1", "--tp", "8"),
        "data parallel (router)": _capture_argv(cli, monkeypatch, tmp_path, "--engine", "sglang", "--dp", "8"),
        "dp x tp (router)": _capture_argv(cli, monkeypatch, tmp_path, "--engine", "sglang", "--dp", "2", "--tp", "4"),
        "pass-through": _capture_argv(
            cli, monkeypatch, tmp_path, "--engine", "sglang", "--dp", "1", "--tp", "4",
            "--engine-arg=--mem-fraction-static", "--engine-arg=0.88", "--engine-arg=--context-length=32768",
            "--engine-arg=--trust-remote-code"),
        "router pass-through": _capture_argv(
            cli, monkeypatch, tmp_path, "--engine", "sglang", "--dp", "2", "--engine-arg=--router-policy",
            "--engine-arg=round_robin", "--engine-arg=--mem-fraction-static=0.85"),
        # the plain server with --dp-size, as built where sglang_router is not installed
        "data parallel (no router)": engines.sglang_command("/models/qwen2.5-7b-sft", python=str(SGLANG_PY),
                                                            port=30000, dp=4, tp=2, router=False),
    }
    assert cases["data parallel (router)"][2] == "sglang_router.launch_server"  # router found in that env
    assert cases["single server"][2] == "sglang.launch_server"
    assert cases["auto picks sglang, single server"][2] == "sglang.launch_server"
    report = _parse_with_sglang(cases)
    rejected = {k: r["error"] for k, r in report["results"].items() if not r["ok"]}
    assert not rejected, f"SGLang {report['versions']} rejected: {rejected}"
    parsed = {k: r["parsed"] for k, r in report["results"].items()}
    for name, argv in cases.items():
        p = parsed[name]
        assert p["model_path"] == "/models/qwen2.5-7b-sft" and p["host"] == "127.0.0.1"
        assert p["port"] == int(argv[argv.index("--port") + 1])
    assert parsed["tensor parallel"]["tp_size"] == 8 and parsed["tensor parallel"]["dp_size"] == 1
    assert parsed["data parallel (router)"]["dp_size"] == 8
    assert parsed["dp x tp (router)"]["dp_size"] == 2 and parsed["dp x tp (router)"]["tp_size"] == 4
    assert parsed["data parallel (no router)"]["dp_size"] == 4
    assert parsed["pass-through"]["mem_fraction_static"] == 0.88
    assert parsed["pass-through"]["context_length"] == 32768 and parsed["pass-through"]["trust_remote_code"]
    assert parsed["router pass-through"]["router_policy"] == "round_robin"
    assert parsed["router pass-through"]["mem_fraction_static"] == 0.85


def test_a_flag_sglang_does_not_know_is_reported():
    bad = engines.sglang_command("/m", python=str(SGLANG_PY), port=1, extra=["--no-such-flag"])
    result = _parse_with_sglang({"bad": bad})["results"]["bad"]
    assert not result["ok"] and "unrecognized arguments: --no-such-flag" in " ".join(result["error"])


def test_the_answer_pass_request_validates_against_sglangs_chat_request():
    """The constrained answer pass's body, read by SGLang's own ChatCompletionRequest: ``regex`` and
    ``continue_final_message`` land in its fields (not dropped as unknown)."""
    from anestools.eval.answer_pass import PassSupport, _request_fields, pass_messages

    support = PassSupport(True, "continue_final_message", "regex")
    body = {"model": "m", "messages": pass_messages([{"role": "user", "content": "Q?"}], "Because X.", "en",
                                                    support.route or ""),
            "temperature": 0.0, "max_tokens": 2, **_request_fields(support, ["A", "B", "C"], None)}
    code = ("import json, sys\n"
            "from sglang.srt.entrypoints.openai.protocol import ChatCompletionRequest\n"
            "r = ChatCompletionRequest.model_validate(json.loads(sys.stdin.read()))\n"
            "print(json.dumps({'regex': r.regex, 'continue': r.continue_final_message, 'logprobs': r.logprobs,"
            " 'top': r.top_logprobs, 'last': r.messages[-1].role}))")
    proc = subprocess.run([str(SGLANG_PY), "-c", code], input=json.dumps(body), capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    got = json.loads(proc.stdout)
    assert got == {"regex": "(A|B|C)", "continue": True, "logprobs": True, "top": 3, "last": "assistant"}
