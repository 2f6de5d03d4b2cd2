"""``qa reason`` against the deterministic reasoning teacher (``anestools.testing.fake_server
--reasoner``, own process): verification, pass rates, decontamination, AnesBench refusal, kill -9."""

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
import pytest

from anestools.qa.reason import SCHEMA, item_seeds, reason_messages, split_chain
from anestools.qa.reason_bank import BankItem
from anestools.qa.store import SCHEMA as MCQ_SCHEMA
from anestools.runtime.engines import kill_group
from anestools.testing.fake_server import reasoner_outcome

from .conftest import start_server

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_EN = ROOT / "anestools" / "resources" / "bench" / "sample_en.json"
OPTIONS = ["Neostigmine", "Sugammadex", "Atropine", "Naloxone"]


def start_reasoner(delay: float = 0.0) -> tuple[subprocess.Popen, str]:
    return start_server(["-m", "anestools.testing.fake_server", "--reasoner"], delay,
                        env={**os.environ, "PYTHONPATH": str(ROOT)})


@pytest.fixture(scope="module")
def reasoner():
    proc, url = start_reasoner()
    yield url
    kill_group(proc, grace=5)


def _stats(url: str) -> dict:
    import urllib.request

    with urllib.request.urlopen(url + "/stats", timeout=5) as r:
        return {"requests": 0, "with_seed": 0, **json.loads(r.read())}


def _mcq(pair_id: str, stem: str, options: list[str], target: str, language: str = "en", level: int | None = 1):
    return {"pair_id": pair_id, "stem": stem, "options": options, "target": target, "level": level,
            "language": language, "style": "mcq", "question": stem, "answer": f"Answer: {target}"}


def write_bank(path: Path, rows: list[dict]) -> Path:
    pq.write_table(pa.Table.from_pylist([{k: r.get(k) for k in MCQ_SCHEMA.names} for r in rows],
                                        schema=MCQ_SCHEMA), path)
    return path


def bank_rows(n: int = 8) -> list[dict]:
    rows = [_mcq(f"q{i}", f"Which agent number {i} is preferred in scenario {i} of the list [key B]?", OPTIONS, "B")
            for i in range(n)]
    rows += [_mcq("easy", "Which agent is always found by the teacher here [always] [key C]?", OPTIONS, "C", level=2),
             _mcq("never", "Which agent is never found by the teacher here [never] [key A]?", OPTIONS, "A", level=None),
             _mcq("nochain", "Which agent is found but without any chain [nochain] [key D]?", OPTIONS, "D"),
             _mcq("zh", "哪种药物可以快速拮抗罗库溴铵引起的深度神经肌肉阻滞 [key B]？", ["新斯的明", "舒更葡糖钠", "阿托品"], "B", "zh"),
             # planted: AnesBench's first sample question with its options (decontamination must drop it)
             _mcq("planted", "Which drug reverses neuromuscular blockade from rocuronium by encapsulating it?",
                  OPTIONS, "B")]
    return rows


def expected(rows: list[dict], tries: int, seed: int = 0) -> dict[str, list[tuple[str, int]]]:
    """Per item, each try's (teacher outcome, seed), computed from the teacher's own rule."""
    out = {}
    for r in rows:
        item = BankItem(r["pair_id"], r["stem"], tuple(r["options"]), r["target"], r["level"], r["language"], "x")
        user = reason_messages(item)[0]["content"]
        out[r["pair_id"]] = [(reasoner_outcome(user, s), s) for s in item_seeds(seed, item.id, tries)]
    return out


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "anestools", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_split_chain_forms():
    assert split_chain("<think> a b </think>\nAnswer: B") == ("a b", "Answer: B")
    assert split_chain("a b</think>Answer: B") == ("a b", "Answer: B")  # template opened <think> in the prompt
    assert split_chain("<think>cut off") == (None, "<think>cut off")
    assert split_chain("Answer: B") == (None, "Answer: B")
    from anestools.common.extract import extract

    # what a try reads its letter from: the text after the chain, never a letter inside it
    chain, response = split_chain("Maybe the answer is A. No: sugammadex encapsulates it.</think>Answer: B")
    assert extract(response, dict(zip("ABCD", OPTIONS))).letter == "B" and "A." in chain


def test_verification_keeps_exactly_the_right_chains(cli, reasoner, tmp_path):
    rows = bank_rows()
    bank = write_bank(tmp_path / "bank.parquet", rows)
    out = tmp_path / "out"
    before = _stats(reasoner)
    code, stdout, stderr = cli("qa", "reason", str(bank), "-o", str(out), "--model", "fake-model", "--base-url",
                               reasoner + "/v1", "--tries", "4", "--keep", "2", "--decontaminate", str(SAMPLE_EN))
    assert code == 0, stderr
    want = expected([r for r in rows if r["pair_id"] != "planted"], 4)
    after = _stats(reasoner)
    made = sum(len(v) for v in want.values())
    assert after["requests"] - before["requests"] == made  # the planted item was never asked
    assert after["with_seed"] - before["with_seed"] == made

    items = {r["id"]: r for r in pq.read_table(out / "anesr1_items.parquet").to_pylist()}
    assert set(items) == set(want)
    chains = pq.read_table(out / "anesr1.parquet")
    assert chains.schema.equals(SCHEMA)
    got = chains.to_pylist()
    want_chains = []
    for pid, outcomes in want.items():
        passes = sum(o in ("right", "nochain") for o, _ in outcomes)
        it = items[pid]
        assert (it["passes"], it["tries"]) == (passes, 4), pid
        assert it["pass_rate"] == pytest.approx(passes / 4)
        assert it["difficulty"] == ("unsolved" if passes == 0 else "easy" if passes == 4 else "mixed")
        assert it["seeds"] == [s for _, s in outcomes] and len(set(it["seeds"])) == 4
        assert it["reasoning"] is None and it["response"] is None and it["seed"] is None
        want_chains += [(pid, s) for o, s in outcomes if o == "right"][:2]
    assert [(r["id"], r["seed"]) for r in got] == want_chains
    assert items["easy"]["difficulty"] == "easy" and items["never"]["difficulty"] == "unsolved"
    assert items["nochain"]["difficulty"] == "easy" and "nochain" not in {r["id"] for r in got}
    # both chain sources: reasoning_content (odd seeds) and <think> in the content (even seeds)
    assert {r["seed"] % 2 for r in got} == {0, 1}
    for r in got:
        assert r["reasoning"] and "<think>" not in r["reasoning"] and "</think>" not in r["reasoning"]
        assert r["response"] in (f"Answer: {r['answer']}", f"答案：{r['answer']}")
        assert r["teacher"] == "fake-model" and r["prompt_hash"] and r["question"] == items[r["id"]]["question"]
    assert {r["language"] for r in got if r["id"] == "zh"} == {"zh"}

    summary = json.loads((out / "summary.json").read_text())
    assert summary["complete"] and summary["kept"] == len(want_chains)
    assert summary["items"]["dropped"] == 1 and summary["dropped"]["benchmark_overlap"]["count"] == 1
    assert [u["id"] for u in summary["unsolved"]] == ["never"]
    assert summary["dropped"]["no_reasoning"]["count"] == 4
    outcomes = [o for v in want.values() for o, _ in v]
    assert summary["dropped"]["wrong_answer"]["count"] == outcomes.count("wrong")
    assert summary["dropped"]["no_answer"]["count"] == outcomes.count("unparsable")
    assert sum(summary["pass_rate_histogram"].values()) == len(want)
    drops = [json.loads(x) for x in (out / "_dropped.jsonl").read_text().splitlines()]
    assert [d["id"] for d in drops if d["reason"] == "benchmark_overlap"] == ["planted"]
    assert "never solved (possibly a wrong key): never" in stderr

    # a rerun resumes: nothing asked again, same outputs
    code, _, stderr = cli("qa", "reason", str(bank), "-o", str(out), "--model", "fake-model", "--base-url",
                          reasoner + "/v1", "--tries", "4", "--keep", "2", "--decontaminate", str(SAMPLE_EN))
    assert code == 0, stderr
    assert _stats(reasoner)["requests"] == after["requests"]
    assert pq.read_table(out / "anesr1.parquet").to_pylist() == got


def test_early_stop_and_pass_rate_over_tries_made(cli, reasoner, tmp_path):
    rows = bank_rows(4)[:6]
    bank = write_bank(tmp_path / "bank.parquet", rows)
    out = tmp_path / "out"
    code, _, stderr = cli("qa", "reason", str(bank), "-o", str(out), "--model", "fake-model", "--base-url",
                          reasoner + "/v1", "--tries", "4", "--early-stop")
    assert code == 0, stderr
    items = {r["id"]: r for r in pq.read_table(out / "anesr1_items.parquet").to_pylist()}
    for pid, outcomes in expected(rows, 4).items():
        kinds = [o for o, _ in outcomes]
        n = kinds.index("right") + 1 if "right" in kinds else 4
        assert items[pid]["tries"] == n, pid
        assert items[pid]["passes"] == sum(o in ("right", "nochain") for o in kinds[:n])
    assert items["easy"]["tries"] == 1 and items["easy"]["difficulty"] == "easy"


def test_anesbench_is_refused_and_dry_run(cli, tmp_path):
    code, _, stderr = cli("qa", "reason", str(SAMPLE_EN), "-o", str(tmp_path / "o"), "--model", "m",
                          "--base-url", "http://127.0.0.1:9/v1")
    assert code == 2 and "AnesBench" in stderr and "Traceback" not in stderr
    copy = tmp_path / "mybank_en.jsonl"  # the same questions in another file: refused by its overlap
    copy.write_text("".join(json.dumps(r) + "\n" for r in json.loads(SAMPLE_EN.read_text())))
    code, _, stderr = cli("qa", "reason", str(copy), "-o", str(tmp_path / "o"), "--model", "m", "--base-url",
                          "http://127.0.0.1:9/v1", "--decontaminate", str(SAMPLE_EN))
    assert code == 2 and "looks like the benchmark itself" in stderr
    assert not (tmp_path / "o").exists()
    bank = write_bank(tmp_path / "bank.parquet", bank_rows(2))
    code, stdout, stderr = cli("qa", "reason", str(bank), "-o", str(tmp_path / "o"), "--model", "m", "--base-url",
                               "http://127.0.0.1:9/v1", "--dry-run", "--tries", "3")
    assert code == 0, stderr
    assert "dry run: 6 items" in stdout and "1 dropped" in stdout and "at most 18 tries" in stdout
    assert "Answer: X" in stdout and not (tmp_path / "o").exists()
    code, _, stderr = cli("qa", "reason", str(bank), "-o", str(tmp_path / "o"), "--model", "m", "--tries", "2",
                          "--keep", "3")
    assert code == 2 and "--keep 3" in stderr


def test_kill_9_then_rerun_loses_and_duplicates_nothing(reasoner, tmp_path):
    rows = [_mcq(f"k{i}", f"Which agent number {i} is preferred in scenario {i} of the kill list [key B]?", OPTIONS,
                 "B") for i in range(12)]
    bank = write_bank(tmp_path / "bank.parquet", rows)
    args = ["qa", "reason", str(bank), "--model", "fake-model", "--tries", "4", "--no-language-check"]
    ref = tmp_path / "ref"
    done = run_cli(*args, "-o", str(ref), "--base-url", reasoner + "/v1")
    assert done.returncode == 0, done.stderr
    slow, slow_url = start_reasoner(delay=0.15)
    out = tmp_path / "out"
    try:
        proc = subprocess.Popen([sys.executable, "-m", "anestools", *args, "-o", str(out), "--base-url",
                                 slow_url + "/v1", "--concurrency", "3"], env={**os.environ, "PYTHONPATH": str(ROOT)},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        journal = out / "_journal.jsonl"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (journal.exists() and journal.read_bytes().count(b"\n") >= 10):
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        partial = journal.read_bytes().count(b"\n")
        assert 10 <= partial < 48
        assert not (out / "anesr1.parquet").exists()
        rerun = run_cli(*args, "-o", str(out), "--base-url", slow_url + "/v1", "--concurrency", "8")
        assert rerun.returncode == 0, rerun.stderr
        assert "resumed: " in rerun.stderr
    finally:
        kill_group(slow, grace=5)
    keys = [json.loads(x)["key"] for x in journal.read_text().splitlines()]
    assert len(keys) == len(set(keys)) == 48  # every try journaled exactly once
    assert pq.read_table(out / "anesr1.parquet").to_pylist() == pq.read_table(ref / "anesr1.parquet").to_pylist()
    assert pq.read_table(out / "anesr1_items.parquet").to_pylist() == \
        pq.read_table(ref / "anesr1_items.parquet").to_pylist()


@pytest.mark.slow
def test_transformers_serve_garbage_says_why_nothing_was_kept(cli, tiny_model, tmp_path):
    bank = write_bank(tmp_path / "bank.parquet", bank_rows(2)[:2])
    out = tmp_path / "out"
    code, stdout, stderr = cli("qa", "reason", str(bank), "-o", str(out), "--model", str(tiny_model),
                               "--engine", "transformers", "--tries", "2", "--max-new-tokens", "16",
                               "--startup-timeout", "180")
    assert code == 1, stderr  # what qa generate exits with when nothing is kept
    summary = json.loads((out / "summary.json").read_text())
    assert summary["complete"] and summary["kept"] == 0 and summary["tries"]["made"] == 4
    assert summary["why_nothing_kept"] and summary["why_nothing_kept"] in stderr
    assert "no chain kept:" in stderr
    assert pq.read_table(out / "anesr1.parquet").num_rows == 0
    assert pq.read_table(out / "anesr1_items.parquet").num_rows == 2
