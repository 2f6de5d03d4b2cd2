"""Reports people look at: level names, chart title/n/chance line, token-limit warning, EN/ZH
consistency, reasoning length vs accuracy, the final model in a sweep, one self-contained HTML page
(rendered by headless Chromium when installed)."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from anestools.common.anesbench import sample_dev_file
from anestools.eval.compare import load_runs, sweep_steps
from anestools.eval.render import accuracy_figure
from anestools.eval.report_parts import model_label


def _run(cli, url: str, out: Path, *extra: str) -> dict:
    code, _, stderr = cli("eval", "--model", "/abs/path/to/outputs/qwen-sft", "--base-url", url, "-o", str(out),
                          *extra)
    assert code == 0, stderr
    return json.loads((out / "summary.json").read_text())


def test_model_label_is_never_an_absolute_path():
    assert model_label("/abs/path/to/outputs/qwen-sft/") == "qwen-sft"
    assert model_label("/scratch/run/checkpoint-500") == "run/checkpoint-500"
    assert model_label("Qwen/Qwen2.5-7B-Instruct") == "Qwen/Qwen2.5-7B-Instruct"


def test_report_names_levels_and_chart_has_title_n_and_chance_line(cli, fake_server, tmp_path):
    summary = _run(cli, fake_server(), tmp_path / "run", "--limit", "6")
    report = (tmp_path / "run" / "report.md").read_text()
    assert "| en System 1 |" in report and "| zh System 1.x |" in report or "| zh System 1 |" in report
    assert "L1" not in report and "Chance level (1 / options): 25.0%" in report
    assert set(summary["scores"]) >= {"level=1", "language=en,level=1"}  # the numbers stay the ids
    assert summary["chance_accuracy"]["overall"] == pytest.approx(0.25)
    ax = accuracy_figure(summary).axes[0]
    assert ax.get_title() == "AnesBench: qwen-sft"
    texts = [t.get_text() for t in ax.texts]
    n_en = summary["scores"]["language=en"]["accuracy"]["n"]
    assert f"n={n_en}" in texts and len([t for t in texts if t.startswith("n=")]) >= 4
    assert any(list(line.get_ydata()) == [25.0, 25.0] for line in ax.get_lines())  # chance level
    assert [t.get_text() for t in ax.get_xticklabels()][:1] == ["System 1"]


def test_warning_when_responses_hit_the_token_limit(cli, fake_server, tmp_path):
    url = fake_server(truncate=True)
    code, _, stderr = cli("eval", "--model", "m", "--base-url", url, "--limit", "2", "--max-new-tokens", "32",
                          "-o", str(tmp_path / "run"))
    assert code == 0, stderr
    assert "warning:" in stderr and "4 of 4 responses (100%) hit the token limit" in stderr
    report = (tmp_path / "run" / "report.md").read_text()
    assert "**Warning:** 4 of 4 responses (100%) hit the token limit (--max-new-tokens 32)" in report
    clean = _run(cli, fake_server(), tmp_path / "ok", "--limit", "2")
    assert clean["truncated_responses"] == 0 and "Warning" not in (tmp_path / "ok" / "report.md").read_text()


def test_en_zh_consistency_and_length_chart(cli, fake_server, tmp_path):
    # the dev file is in the bilingual seed schema: each id is asked in English and in Chinese
    summary = _run(cli, fake_server(), tmp_path / "run", "--benchmark", str(sample_dev_file()))
    cons = summary["bilingual_consistency"]
    assert cons["pairs"] == 5 and cons["both"] + cons["only_en"] + cons["only_zh"] + cons["neither"] == 5
    preds = [json.loads(x) for x in (tmp_path / "run" / "predictions.jsonl").read_text().splitlines()]
    right = {(p["language"], p["id"]) for p in preds if p["correct"]}
    assert cons["both"] == sum(("en", i) in right and ("zh", i) in right for i in {p["id"] for p in preds})
    report = (tmp_path / "run" / "report.md").read_text()
    assert "| both right | only EN right | only ZH right | neither |" in report
    bins = summary["length_vs_accuracy"]
    assert bins and sum(b["n"] for b in bins) == 10 and {b["language"] for b in bins} == {"en", "zh"}
    assert (tmp_path / "run" / "length_accuracy.png").read_bytes()[:4] == b"\x89PNG"
    assert "![accuracy vs reasoning length](length_accuracy.png)" in report


def test_sweep_includes_the_final_model(cli, fake_server, tmp_path):
    url = fake_server()
    models = tmp_path / "outputs" / "run"
    for step in (100, 200):
        (models / f"checkpoint-{step}").mkdir(parents=True)
    (models / "trainer_state.json").write_text(json.dumps({"global_step": 250}))
    code, _, stderr = cli("eval", "--model", str(models / "checkpoint-*"), "--model", str(models),
                          "--base-url", url, "--limit", "2", "-o", str(tmp_path / "sweep"))
    assert code == 0, stderr
    dirs = sorted((tmp_path / "sweep").iterdir())
    runs = load_runs(dirs)
    assert [r.summary["config"].get("checkpoint_step") for r in runs] == [100, 200, None]
    assert sweep_steps(runs) == [100, 200, 250]  # the final model after its checkpoints
    out = tmp_path / "cmp.md"
    assert cli("eval", "report", *map(str, dirs), "--output", str(out))[0] == 0
    text = out.read_text()
    assert "| final (250) |" in text and "System 1.x" in text and "![accuracy vs checkpoint step](cmp.png)" in text


def _chromium() -> str | None:
    return next((p for p in map(shutil.which, ("chromium", "chromium-browser", "chromium-headless-shell",
                                               "google-chrome")) if p), None)


def test_html_report_is_one_self_contained_page(cli, fake_server, tmp_path):
    url = fake_server()
    _run(cli, url, tmp_path / "a", "--benchmark", str(sample_dev_file()))
    _run(cli, url, tmp_path / "b", "--limit", "3", "--temperature", "0.5")
    page = tmp_path / "report.html"
    runs = (str(tmp_path / "a"), str(tmp_path / "b"))
    code, _, stderr = cli("eval", "report", *runs, "--html", str(page))  # different question sets: refused
    assert code == 2 and "different question sets" in stderr and not page.exists()
    code, stdout, stderr = cli("eval", "report", *runs, "--html", str(page), "--allow-mismatch")
    assert code == 0, stderr
    assert f"wrote {page}" in stdout.replace("\n", "")
    html = page.read_text(encoding="utf-8")
    srcs = re.findall(r'<img[^>]* src="([^"]+)"', html)
    assert len(srcs) == 4 and all(s.startswith("data:image/png;base64,") for s in srcs)  # 2 runs x 2 charts
    assert base64.b64decode(srcs[0].split(",", 1)[1])[:4] == b"\x89PNG"
    assert not re.search(r'(src|href)="(?!data:)', html)  # nothing to fetch beside the page
    assert html.count("<table>") >= 4 and "<th>System 1</th>" in html and "EN/ZH consistency" in html
    assert "AnesBench comparison" in html and "<title>AnesBench: qwen-sft, qwen-sft</title>" in html
    assert "Paired comparison: A = a, B = b" in html and "≠" in html  # two runs: the paired section too
    assert cli("eval", "report", str(tmp_path / "a"), "--html", str(page))[0] == 3  # never clobbered

    browser = _chromium()
    if browser is None:
        pytest.skip("no headless Chromium installed (apt-get install chromium) to check the page renders")
    shot = tmp_path / "report.png"
    proc = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           "--window-size=1200,2400", f"--screenshot={shot}", page.as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and shot.exists(), proc.stderr[-2000:]
    import matplotlib.image as mpimg

    pixels = mpimg.imread(shot)[..., :3]
    dark = (pixels.mean(axis=2) < 0.5).mean()  # text, table rules and bars on a white page
    colour = ((pixels.max(axis=2) - pixels.min(axis=2)) > 0.3).mean()  # the charts' coloured bars
    assert 0.005 < dark < 0.5 and colour > 0.002
    keep = Path(__file__).resolve().parents[2] / ".pytest-artifacts"
    if keep.is_dir():  # let a person look at it: mkdir .pytest-artifacts
        shutil.copy(shot, keep / "eval_report_html.png")


def test_report_names_the_extractor_version_of_each_run(cli, fake_server, tmp_path):
    """An older run's summary says which extractor scored it; `eval report` shows it and warns on a mix."""
    from anestools.common.extract import EXTRACTOR_VERSION

    url = fake_server()
    for name in ("new", "old"):
        _run(cli, url, tmp_path / name, "--limit", "1")
    old = tmp_path / "old" / "summary.json"
    data = json.loads(old.read_text())
    data["provenance"]["extractor_version"] = "3"  # as an extractor-v3 run recorded it
    old.write_text(json.dumps(data))
    assert f"extractor version {EXTRACTOR_VERSION}" in (tmp_path / "new" / "report.md").read_text()
    out = tmp_path / "cmp.md"
    assert cli("eval", "report", str(tmp_path / "new"), str(tmp_path / "old"), "--output", str(out))[0] == 0
    text = out.read_text()
    rows = [line for line in text.splitlines() if line.startswith("| ") and "extractor" not in line]
    assert rows[0].rstrip(" |").endswith(EXTRACTOR_VERSION) and rows[1].rstrip(" |").endswith("3")
    assert "different extractor versions (3, " + EXTRACTOR_VERSION + ")" in text
