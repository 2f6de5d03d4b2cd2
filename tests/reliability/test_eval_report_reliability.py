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


@pytest.mark.parametrize("flag", ["--html", "--diff"])
def test_report_never_clobbers_an_html_or_diff_file_and_writes_nothing_then(cli, sweep, tmp_path, flag):
    mine = tmp_path / ("page.html" if flag == "--html" else "pairs.jsonl")
    mine.write_text("the user's own file")
    report = tmp_path / "cmp.md"
    code, _, stderr = cli("eval", "report", *map(str, sweep), "--output", str(report), flag, str(mine))
    assert code == 3 and f"{mine.name} already exists" in _one_line(stderr)
    assert mine.read_text() == "the user's own file"
    assert sorted(p.name for p in tmp_path.iterdir()) == [mine.name]  # all the report's files, or none


def test_report_refuses_two_outputs_on_one_name(cli, sweep, tmp_path):
    same = tmp_path / "cmp.md"
    code, _, stderr = cli("eval", "report", *map(str, sweep), "--output", str(same), "--html", str(same))
    assert code == 2 and "would both be written" in _one_line(stderr) and not same.exists()


def test_report_on_real_summaries_with_all_fields_writes_every_file(cli, sweep, tmp_path):
    for run in sweep:  # #14/#15 fields are present and pass the summary check
        data = json.loads((run / "summary.json").read_text())
        assert {"provenance", "extraction", "chance_accuracy", "length_vs_accuracy"} <= data.keys()
    report, page = tmp_path / "cmp.md", tmp_path / "cmp.html"
    code, stdout, stderr = cli("eval", "report", *map(str, sweep), "--output", str(report), "--html", str(page))
    assert code == 0, stderr
    assert {p.name for p in tmp_path.iterdir()} == {"cmp.md", "cmp.png", "cmp.diff.jsonl", "cmp.html"}
    assert "data:image/png;base64," in page.read_text() and "McNemar" in report.read_text()


@pytest.mark.parametrize(("patch", "needle"), [
    ({"provenance": {"question_set": {"sha256": 5}}}, "'provenance.question_set.sha256' is int"),
    ({"chance_accuracy": {"overall": "a quarter"}}, "'chance_accuracy.overall' is str"),
    ({"extraction": {"rates": {"rule": "most"}}}, "'extraction.rates.rule' is str"),
    ({"judge": {"audit": {"rate": 0.9, "agree": "9", "n": 10}}}, "'judge.audit.agree' is str"),
    ({"bilingual_consistency": {"pairs": 2.5}}, "'bilingual_consistency.pairs' is float"),
    ({"length_vs_accuracy": [{"language": "en", "tokens_median": "long", "accuracy": 0.5, "n": 3}]},
     "'length_vs_accuracy[0].tokens_median' is str"),
    ({"config": {"trained_step": "final"}}, "'config.trained_step' is str"),
])
def test_report_on_bad_new_summary_fields_is_one_line(cli, sweep, tmp_path, patch, needle):
    data = json.loads((sweep[0] / "summary.json").read_text())
    for key, value in patch.items():
        data[key] = {**data[key], **value} if isinstance(value, dict) and isinstance(data.get(key), dict) else value
    run = tmp_path / "run"
    run.mkdir()
    (run / "summary.json").write_text(json.dumps(data))
    code, _, stderr = cli("eval", "report", str(run), "--html", str(tmp_path / "page.html"))
    assert code == 2 and needle in _one_line(stderr) and not (tmp_path / "page.html").exists()
