"""#19 items 2 and 10: ``eval report`` never clobbers a file next to its output; bad summaries are one line."""

from __future__ import annotations

import json

import pytest
from reliability_helpers import GOOD, chat_server, json_answer


def _one_line(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and "Traceback" not in stderr, stderr
    return lines[0]


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    from anestools.cli import main

    out = tmp_path_factory.mktemp("sweep")
    with chat_server(json_answer(GOOD)) as url:
        rc = main(["-q", "eval", "--model", "outputs/run/checkpoint-100", "--model", "outputs/run/checkpoint-200",
                   "--engine", "openai", "--base-url", url, "--limit", "2", "--lang", "en", "-o", str(out)])
    assert rc == 0
    return sorted(out.iterdir())


def test_report_refuses_to_overwrite_the_png_next_to_its_output(cli, sweep, tmp_path):
    report, plot = tmp_path / "cmp.md", tmp_path / "cmp.png"
    plot.write_bytes(b"the user's own figure")
    code, _, stderr = cli("eval", "report", *map(str, sweep), "--output", str(report))
    assert code == 3 and "cmp.png already exists" in _one_line(stderr)
    assert plot.read_bytes() == b"the user's own figure" and not report.exists()
    code, _, stderr = cli("eval", "report", *map(str, sweep), "--output", str(report), "--overwrite")
    assert code == 0 and plot.read_bytes()[:4] == b"\x89PNG" and report.exists()


@pytest.mark.parametrize(("summary", "needle"), [
    ([1, 2, 3], "the summary is list, expected object"),
    ({"model": "m", "scores": {}}, "no 'config'"),
    ({"model": "m", "config": {"checkpoint_step": "100"}, "scores": {}}, "config.checkpoint_step' is str"),
    ({"model": "m", "config": {}, "scores": {"overall": {"accuracy": {"accuracy": "high"}}}},
     "scores.overall'.accuracy.accuracy is str"),
    ({"model": "m", "config": {}, "scores": []}, "field 'scores' is list"),
])
def test_report_on_a_malformed_summary_is_one_line(cli, tmp_path, summary, needle):
    run = tmp_path / "run"
    run.mkdir()
    (run / "summary.json").write_text(json.dumps(summary))
    code, _, stderr = cli("eval", "report", str(run))
    assert code == 2 and needle in _one_line(stderr)
