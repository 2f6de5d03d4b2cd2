"""Engines: SGLang argv by construction (no GPU here), server start failures, group teardown."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import psutil
import pytest

from anestools.errors import ConfigError, EngineError
from anestools.runtime.engines import (
    free_port,
    open_endpoint,
    resolve_dp,
    run_server,
    sglang_command,
    transformers_command,
)

PY = "/opt/sglang/bin/python"


def test_sglang_router_for_data_parallel():
    assert sglang_command("/m/qwen", python=PY, port=30001, dp=8, tp=1, router=True) == [
        PY, "-m", "sglang_router.launch_server", "--model-path", "/m/qwen", "--host", "127.0.0.1",
        "--port", "30001", "--tp-size", "1", "--dp-size", "8"]


def test_sglang_without_router_uses_plain_server_with_dp():
    assert sglang_command("/m/qwen", python=PY, port=30001, dp=4, tp=2, router=False) == [
        PY, "-m", "sglang.launch_server", "--model-path", "/m/qwen", "--host", "127.0.0.1",
        "--port", "30001", "--tp-size", "2", "--dp-size", "4"]


def test_sglang_single_replica_tensor_parallel_and_passthrough():
    argv = sglang_command("Qwen/Qwen2.5-72B", python=PY, port=1234, dp=1, tp=8, router=True,
                          extra=["--mem-fraction-static", "0.9", "--context-length=32768"])
    assert argv == [PY, "-m", "sglang.launch_server", "--model-path", "Qwen/Qwen2.5-72B", "--host", "127.0.0.1",
                    "--port", "1234", "--tp-size", "8", "--mem-fraction-static", "0.9", "--context-length=32768"]


def test_dp_auto_divides_visible_gpus_by_tp(monkeypatch):
    assert resolve_dp("auto", 2, gpus=8) == 4
    assert resolve_dp("auto", 1, gpus=0) == 1
    assert resolve_dp("3", 2) == 3
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0,1,2,3")
    assert resolve_dp("auto", 1) == 4
    with pytest.raises(ConfigError, match="--dp must be"):
        resolve_dp("many", 1)
    with pytest.raises(ConfigError, match="--tp must be"):
        resolve_dp("auto", 0)


def test_transformers_serve_argv_pins_the_model():
    argv = transformers_command("/ckpt", python=sys.executable, port=9, extra=["--device", "cpu"])
    assert argv[0] == sys.executable and argv[3:] == ["serve", "--host", "127.0.0.1", "--port", "9", "--device",
                                                      "cpu", "/ckpt"]


def test_sglang_missing_in_engine_python_is_a_clear_error(tmp_path):
    with pytest.raises(EngineError, match="sglang is not importable by .*--engine-python"), \
            open_endpoint("sglang", "/m", log_path=tmp_path / "log", engine_python=sys.executable):
        pass


def test_openai_engine_needs_base_url_and_set_key(tmp_path, monkeypatch):
    with pytest.raises(ConfigError, match="--base-url"), open_endpoint("openai", "m", log_path=tmp_path / "l"):
        pass
    monkeypatch.delenv("ANES_TEST_KEY", raising=False)
    with pytest.raises(ConfigError, match="ANES_TEST_KEY"), open_endpoint(
            "openai", "m", log_path=tmp_path / "l", base_url="http://127.0.0.1:1/v1", api_key_env="ANES_TEST_KEY"):
        pass
    monkeypatch.setenv("ANES_TEST_KEY", "sk-secret")
    with open_endpoint("openai", "m", log_path=tmp_path / "l", base_url="http://127.0.0.1:1/v1",
                       api_key_env="ANES_TEST_KEY") as ep:
        assert ep.api_key == "sk-secret" and "sk-secret" not in repr(ep)


def _children_gone(pids, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE for p in pids):
            return True
        time.sleep(0.1)
    return False


def test_server_that_exits_gives_the_log_tail(tmp_path):
    argv = [sys.executable, "-c", "import sys; print('loading weights'); print('CUDA out of memory', "
            "file=sys.stderr); sys.exit(3)"]
    with pytest.raises(EngineError) as exc, run_server(argv, health_url=f"http://127.0.0.1:{free_port()}/health",
                                                       log_path=tmp_path / "engine.log", timeout=30):
        pass
    msg = str(exc.value)
    assert "exited with code 3" in msg and "CUDA out of memory" in msg and "loading weights" in msg


def test_server_that_never_gets_healthy_times_out_and_its_group_is_killed(tmp_path):
    pid_file = tmp_path / "pids"
    # The server forks a child (like SGLang's workers); both must die with the group.
    code = ("import os, subprocess, sys, time; c = subprocess.Popen([sys.executable, '-c', 'import time; "
            "time.sleep(120)']); open(sys.argv[1], 'w').write(f'{os.getpid()} {c.pid}'); print('still loading', "
            "flush=True); time.sleep(120)")
    with pytest.raises(EngineError, match=r"(?s)not healthy after 3s.*still loading"), run_server(
            [sys.executable, "-c", code, str(pid_file)], health_url=f"http://127.0.0.1:{free_port()}/health",
            log_path=tmp_path / "engine.log", timeout=3):
        pass
    pids = [int(p) for p in pid_file.read_text().split()]
    assert _children_gone(pids)


def test_group_killed_when_the_caller_is_interrupted(tmp_path):
    port = free_port()
    argv = [sys.executable, "-m", "anestools.testing.fake_server", "--port", str(port)]
    with pytest.raises(KeyboardInterrupt), run_server(argv, health_url=f"http://127.0.0.1:{port}/health",
                                                      log_path=tmp_path / "engine.log", timeout=60) as proc:
        pid = proc.pid
        assert psutil.pid_exists(pid)
        raise KeyboardInterrupt
    assert _children_gone([pid])
    assert Path(tmp_path / "engine.log").read_text().startswith("$ ")
