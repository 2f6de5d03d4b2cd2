"""``eval report``'s files: the comparison, its sweep plot (checkpoint steps or thinking budgets), the paired ``--diff`` rows and the HTML
page, checked first and published together (``atomic_paths``) or not at all.

Kept apart from :mod:`anestools.eval.compare` (the comparison itself) so that the HTML page,
which renders the comparison, and the writer, which renders the page, import in one direction.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from anestools.common.atomic import atomic_paths, check_writable
from anestools.common.paths import Output, check_io
from anestools.errors import InputError
from anestools.eval.budget import check_budget_sweep, plot_budget
from anestools.eval.compare import check_question_sets, comparison_document, is_sweep, load_runs, plot_sweep
from anestools.eval.predictions import PREDICTIONS, jsonl_bytes
from anestools.eval.summary import SUMMARY


def write_comparison(run_dirs: Sequence[str | Path], output: Path | None, overwrite: bool = False,
                     allow_mismatch: bool = False, diff: Path | None = None, html: Path | None = None,
                     by: str = "auto") -> tuple[str, list[Path], list[str]]:
    """Render the comparison; write the files asked for, all together or none.

    ``output``: the markdown (and ``<output>.png`` for checkpoint or budget sweeps; ``by``:
    :func:`anestools.eval.budget.check_budget_sweep`; the notes returned say why runs that differ in
    budget are no budget sweep). With two runs a paired comparison
    is added, and its per-question rows go to ``diff`` (default with ``output``:
    ``<output>.diff.jsonl``). ``html``: one self-contained page (:mod:`anestools.eval.html_report`).
    Every file is checked before anything is written (an existing one is a user's file: refused
    unless ``overwrite``), then all are published with one ``atomic_paths``.
    """
    runs = load_runs(run_dirs)
    mismatch = check_question_sets(runs, allow_mismatch)
    budget = check_budget_sweep(runs, by)
    notes = [budget.note] if budget.note else []
    if len(runs) == 2 and diff is None and output is not None:
        diff = output.with_suffix(".diff.jsonl")
    if diff is not None and len(runs) != 2:
        raise InputError("--diff needs exactly two runs (A and B)")
    charted = budget.sweep or is_sweep(runs)
    plot = output.with_suffix(".png") if output is not None and charted else None
    targets = {"--output": output, "its plot": plot, "--diff": diff, "--html": html}
    paths = {flag: p for flag, p in targets.items() if p is not None}
    for flag, p in paths.items():
        if p.is_dir():
            raise InputError(f"{flag} {p} is a directory; give a file name such as {p / 'report'}")
    seen: dict[Path, str] = {}
    for flag, p in paths.items():
        key = p.resolve()
        if key in seen:
            raise InputError(f"{seen[key]} and {flag} would both be written to {p}; give them different names")
        seen[key] = flag
    # no output file is a file the report reads (a run's summary.json or predictions.jsonl)
    read = [f for d in map(Path, run_dirs) for f in ([d] if d.is_file() else [d / SUMMARY, d / PREDICTIONS])]
    check_io(read, [Output.file(p) for p in paths.values()], "eval report")
    for p in paths.values():
        check_writable(p, overwrite)
    text, rows = comparison_document(runs, plot.name if plot else None, mismatch, diff.name if diff else None,
                                     budget)
    if not paths:
        return text, [], notes
    page = None
    if html is not None:
        from anestools.eval.html_report import html_page  # markdown-it only when a page is asked for

        page = html_page(runs, mismatch, budget)
    writers = {"--output": lambda tmp: tmp.write_text(text, encoding="utf-8"),
               "its plot": lambda tmp: plot_budget(runs, tmp) if budget.sweep else plot_sweep(runs, tmp),
               "--diff": lambda tmp: tmp.write_bytes(jsonl_bytes(rows)),
               "--html": lambda tmp: tmp.write_text(page or "", encoding="utf-8")}
    finals = list(paths.values())
    with atomic_paths(finals, overwrite=overwrite) as tmps:
        for flag, tmp in zip(paths, tmps):
            writers[flag](tmp)
    return text, finals, notes
