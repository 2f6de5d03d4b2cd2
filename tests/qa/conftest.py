"""Fixtures for the qa tests: the deterministic teacher server (own process) and small corpus shards."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from anestools.runtime.engines import free_port, kill_group

SERVER = Path(__file__).with_name("teacher_server.py")

EN_DOCS = {
    "en-1": "Sugammadex encapsulates rocuronium and reverses deep neuromuscular blockade within minutes. "
            "Neostigmine cannot reverse a deep block because it only increases acetylcholine. "
            "Residual blockade must be excluded with quantitative train-of-four monitoring.",
    "en-2": "Malignant hyperthermia is triggered by volatile anesthetics and succinylcholine in susceptible "
            "patients. Dantrolene is the specific treatment and must be given early. "
            "Active cooling and correction of hyperkalaemia support the patient.",
    "en-3": "Spinal anesthesia for caesarean section often causes hypotension from sympathetic block. "
            "Phenylephrine infusion is the first-line vasopressor in this setting. "
            "Left uterine displacement reduces aortocaval compression.",
}
ZH_DOCS = {
    "zh-1": "丙泊酚是最常用的静脉麻醉诱导药物，起效迅速，苏醒平稳。丙泊酚注射时常引起注射痛，可预先给予利多卡因缓解。"
            "长时间大剂量输注丙泊酚可能导致丙泊酚输注综合征，表现为代谢性酸中毒和横纹肌溶解。",
    "zh-2": "椎管内麻醉后低血压较常见，主要由交感神经阻滞引起。去氧肾上腺素是剖宫产椎管内麻醉低血压的首选血管活性药物。"
            "子宫左倾位可以减轻主动脉和下腔静脉受压，从而改善回心血量。",
}


def write_corpus(folder: Path, docs: dict[str, str], language: str, name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or f"{language}.parquet")
    pq.write_table(pa.table({"text": list(docs.values()), "id": list(docs), "language": [language] * len(docs),
                             "source": ["test"] * len(docs)}), path)
    return path


def _wait(url: str, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"teacher server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("teacher server did not start")


def start_server(argv: list[str], delay: float = 0.0, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """A test server (``python ARGV --port P --delay D``) in its own session; returns it and ``http://127.0.0.1:P``."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, *argv, "--port", str(port), "--delay", str(delay)],
                            start_new_session=True, stdout=subprocess.DEVNULL, env=env)
    _wait(f"http://127.0.0.1:{port}/health", proc)
    return proc, f"http://127.0.0.1:{port}"


def start_teacher(delay: float = 0.0) -> tuple[subprocess.Popen, str]:
    proc, base = start_server([str(SERVER)], delay)
    return proc, base + "/v1"


@pytest.fixture(scope="module")
def teacher_url():
    """Base URL of a running deterministic teacher (``http://127.0.0.1:P/v1``)."""
    proc, url = start_teacher()
    yield url
    kill_group(proc, grace=5)


@pytest.fixture()
def corpus(tmp_path) -> Path:
    folder = tmp_path / "corpus"
    write_corpus(folder / "en", EN_DOCS, "en")
    write_corpus(folder / "zh", ZH_DOCS, "zh")
    return folder
