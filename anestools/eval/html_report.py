"""``anestools eval report … --html out.html``: one self-contained page to send to a colleague.

Why one file: a report that is a markdown file plus PNGs next to it breaks when mailed or
attached to a ticket. The page is the same markdown the CLI writes (comparison table, the paired
comparison when there are exactly two runs, then each run's report), rendered by markdown-it-py (already installed with rich), with every chart
embedded as a base64 PNG, so it opens anywhere, offline, with nothing beside it.
"""

from __future__ import annotations

import base64
import html
import tempfile
from collections.abc import Sequence
from pathlib import Path

from markdown_it import MarkdownIt

from anestools.eval.budget import BudgetCheck, plot_budget
from anestools.eval.compare import comparison_document, plot_sweep
from anestools.eval.render import plot_summary, render_report
from anestools.eval.report_parts import model_label, plot_length_accuracy
from anestools.eval.summary import RunInfo, check_report_fields

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", sans-serif;
       max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
thead { background: #f2f2f2; }
img { max-width: 100%; height: auto; display: block; margin: 1em 0; }
section { border-top: 2px solid #ddd; margin-top: 2em; }
"""


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _render(md: MarkdownIt, text: str, images: Path) -> str:
    """Markdown to HTML with each ``![…](name.png)`` replaced by the PNG from ``images`` (dropped if absent)."""
    tokens = md.parse(text)
    for tok in tokens:
        for child in tok.children or []:
            if child.type == "image":
                src = images / str(child.attrGet("src"))
                if src.is_file():
                    child.attrSet("src", _data_uri(src))
                else:
                    child.type, child.content, child.children = "text", "", []
    return md.renderer.render(tokens, md.options, {})


def _run_section(md: MarkdownIt, run: RunInfo, scratch: Path) -> str:
    """One run's report; charts redrawn from its summary.json (a run copied without its PNGs still shows them)."""
    check_report_fields(run.summary, run.path / "summary.json")  # a hand-made summary: one line, not a KeyError
    folder = scratch / f"run{len(list(scratch.iterdir()))}"
    folder.mkdir()
    plot_summary(run.summary, folder / "accuracy.png")
    plot_length_accuracy(run.summary, folder / "length_accuracy.png")
    return f"<section>\n{_render(md, render_report(run.summary), folder)}</section>\n"


def html_page(runs: Sequence[RunInfo], mismatch: bool = False, budget: BudgetCheck | None = None) -> str:
    md = MarkdownIt("commonmark", {"html": False}).enable("table")  # text from files is never raw HTML
    with tempfile.TemporaryDirectory(prefix="anestools-html-") as tmp:
        scratch = Path(tmp)
        parts = []
        if len(runs) > 1:
            if budget is not None and budget.sweep:
                plot_budget(runs, scratch / "sweep.png")
                has_plot = True
            else:
                has_plot = plot_sweep(runs, scratch / "sweep.png")
            text, _ = comparison_document(runs, "sweep.png" if has_plot else None, mismatch, budget=budget)
            parts.append(_render(md, text, scratch))
        runs_dir = scratch / "runs"
        runs_dir.mkdir()
        parts += [_run_section(md, r, runs_dir) for r in runs]
    title = "AnesBench: " + ", ".join(model_label(r.summary.get("model")) for r in runs[:3])
    title += " …" if len(runs) > 3 else ""
    return (f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
            + "".join(parts) + "</body>\n</html>\n")

