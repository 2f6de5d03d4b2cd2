"""#19 item 10, merge leftovers: every reader of a previous ``summary.json`` goes through ``check_summary``.

``eval`` into a run directory reads the previous run's selection (``rundir``); ``eval report
--html`` renders each run's counts. A hand-edited summary there was a traceback.
"""

from __future__ import annotations

import json

import pytest
from reliability_helpers import GOOD, chat_server, json_answer


def _one_line(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


@pytest.mark.parametrize(("languages", "needle"), [
    ([["en"]], "field 'config.languages[0]' is list, expected str"),
    ("en", "field 'config.languages' is str"),
])
def test_eval_into_a_run_whose_summary_was_corrupted_by_hand(cli, tmp_path, languages, needle):
    out = tmp_path / "run"
    with chat_server(json_answer(GOOD)) as url:
        args = ("-q", "eval", "--model", "m", "--engine", "openai", "--base-url", url, "--limit", "2",
                "--lang", "en", "--retries", "0", "-o", str(out))
        code, _, stderr = cli(*args)
        assert code == 0, stderr
        summary = json.loads((out / "summary.json").read_text())
        summary["config"]["languages"] = languages
        (out / "summary.json").write_text(json.dumps(summary))
        code, _, stderr = cli(*args)
        assert code == 2 and needle in _one_line(stderr)
        code, _, stderr = cli(*args, "--overwrite")  # the way out the message names
        assert code == 0, stderr


@pytest.mark.parametrize("missing", ["questions", "errors", "model"])
def test_html_report_of_a_hand_made_summary_without_counts_is_one_line(cli, tmp_path, missing):
    run = tmp_path / "run"
    run.mkdir()
    summary = {"model": "m", "config": {}, "scores": {}, "samples": 1, "complete": True, "questions": 2,
               "answered_questions": 2, "errors": 0, "not_run": 0, "truncated_responses": 0}
    del summary[missing]
    (run / "summary.json").write_text(json.dumps(summary))
    page = tmp_path / "page.html"
    code, _, stderr = cli("eval", "report", str(run), "--output", str(tmp_path / "r.md"), "--html", str(page))
    assert code == 2 and f"no '{missing}'" in _one_line(stderr)
    assert not page.exists()
