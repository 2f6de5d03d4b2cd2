"""Units of the runtime layer: options declared once, the bounded pool, the run directory."""

from __future__ import annotations

import asyncio
import dataclasses
import inspect

import pytest

from anestools.errors import ConfigError, OutputExistsError, OutputLockedError
from anestools.runtime.journal import JournalWriter, latest, read_journal
from anestools.runtime.options import AtLeast, cli_options, opt
from anestools.runtime.pool import Later, run_pool
from anestools.runtime.rundir import RunDir
from anestools.runtime.settings import ENGINE_FIELDS, EngineSettings


def test_every_engine_field_is_an_option_with_one_declaration():
    options = [f.name for f in dataclasses.fields(EngineSettings) if "option" in f.metadata]
    assert options == list(ENGINE_FIELDS)

    @cli_options("engine", EngineSettings, retries=9)
    def command(*, engine: dict, other: int = 1) -> dict:
        return {"engine": engine, "other": other}

    params = inspect.signature(command).parameters
    assert list(params) == [*ENGINE_FIELDS, "other"] and params["retries"].default == 9
    got = command(**{name: p.default for name, p in params.items()})
    assert got["engine"]["engine_args"] == [] and got["engine"]["retries"] == 9
    assert EngineSettings(**got["engine"]).engine_fields()["retries"] == 9


@pytest.mark.parametrize("field, value, message", [
    ("retries", -1, "--retries must be >= 0, got -1"),
    ("request_timeout", float("nan"), "--request-timeout must be a number of seconds > 0, got nan"),
    ("tp", 0, "--tp must be >= 1, got 0"),
    ("engine", "vllm", "unknown engine 'vllm'"),
])
def test_settings_are_validated_when_made(field, value, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        EngineSettings(**{field: value})


def test_a_check_declared_on_a_subclass_field_runs_too():
    @dataclasses.dataclass
    class Sampling(EngineSettings):
        temperature: float = opt(0.0, "t", check=AtLeast(0))

    with pytest.raises(ConfigError, match="--temperature must be a finite number >= 0, got inf"):
        Sampling(temperature=float("inf"))


def test_pool_keeps_at_most_n_in_flight_and_pulls_items_lazily():
    in_flight = peak = pulled = 0

    def items():
        nonlocal pulled
        for i in range(40):
            pulled += 1
            yield i

    async def work(i: int):
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.001)
        in_flight -= 1
        if i % 2:
            return Later(asyncio.sleep(0.001, result=i))
        return i

    done: list[int] = []
    count = asyncio.run(run_pool(items(), work, 4, done.append))
    assert count == 40 and sorted(done) == list(range(40)) and peak == 4 and pulled == 40


def test_rundir_refuses_resumes_or_clears_only_its_own_files(tmp_path):
    rd = RunDir(tmp_path / "run", "test", owned=("summary.json",), journal="j.jsonl", final="data.parquet")
    with rd.locked():
        with rd.writer() as j:
            j.append({"key": "a", "fingerprint": "f1", "error": "HTTP 500"})
            j.append({"key": "a", "fingerprint": "f1", "error": None})
        (rd.path / "summary.json").write_text("{}")
        (rd.path / "mine.txt").write_text("user file")
        rd.start(resume=True, overwrite=False)
        assert rd.latest(lambda r, w: r, lambda r: r["key"], "f1", "other")["a"]["error"] is None
        with pytest.raises(ConfigError, match="other settings"):
            rd.latest(lambda r, w: r, lambda r: r["key"], "f2", "other settings")
        with pytest.raises(OutputExistsError, match="already exists"):
            rd.start(resume=False, overwrite=False)
        rd.start(resume=False, overwrite=True)
        assert not (rd.path / "j.jsonl").exists() and not (rd.path / "summary.json").exists()
        assert (rd.path / "mine.txt").read_text() == "user file"
        with pytest.raises(OutputLockedError), RunDir(rd.path, "second").locked():
            pass


def test_journal_trims_a_torn_tail_and_latest_prefers_the_last_success(tmp_path):
    path = tmp_path / "j.jsonl"
    path.write_bytes(b'{"key": "a", "error": null}\n{"key": "b", "err')
    assert [r["key"] for r in read_journal(path)] == ["a"]
    with JournalWriter(path) as j:
        j.append({"key": "b", "error": "x"})
        j.append({"key": "a", "error": "later failure"})
    recs = latest(read_journal(path), lambda r: r["key"])
    assert path.read_bytes().count(b"\n") == 3
    assert recs["a"]["error"] is None and recs["b"]["error"] == "x"
