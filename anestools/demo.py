"""``anestools demo``: the whole pipeline on the embedded samples, on CPU, in a few minutes.

The demo is a real run, not a replay: every stage is the real ``anestools`` command (run as a
child process, exactly as a user would type it) on samples shipped in the package, plus a tiny
Llama built locally whose tokenizer is trained on the converted corpus. Each finished step
leaves a marker in ``WORKDIR/.demo/``; a rerun with the same workdir reuses finished steps, so
an interrupted demo resumes where it stopped.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

from anestools.common import console as con
from anestools.common.lock import is_lock_file, output_lock
from anestools.errors import ConfigError, EngineError, OutputExistsError

MARKERS = ".demo"
# Our own multiple-choice items in the benchmark's answer format (scripts/make_anesqa_mcq_sample.py;
# never benchmark items): SFT on them is what teaches the tiny model to answer "Answer: X".
MCQ_SAMPLE = "anesqa_mcq_sample.parquet"
# The tiny-cpu SFT recipe is a 4-step smoke test; learning the answer format takes ~3 epochs of
# full-length prompts (eval's direct prompt is ~120-170 tokens). Template zephyr: the same role
# markers as the tiny tokenizer's chat template (<|user|>...</s><|assistant|>), which eval uses,
# and LLaMA-Factory keeps that chat template in the saved model; unlike the recipe's `empty`, it
# also trains the end-of-sequence token, so the model stops after "Answer: X".
SFT_SETTINGS = ("template=zephyr", "cutoff_len=384", "max_steps=45", "per_device_train_batch_size=8",
                "learning_rate=1e-2", "warmup_ratio=0.1", "logging_steps=5", "save_steps=45")


def _sample(name: str) -> Path:
    return Path(str(resources.files("anestools") / "resources" / "samples" / name))


@dataclass
class DemoStep:
    """One stage of the demo: an ``anestools`` command line or an in-process function."""

    name: str
    title: str
    outputs: list[Path]
    argv: list[str] | None = None
    func: Callable[[], str] | None = None
    key: list[str] = field(default_factory=list)  # what a reuse must match (argv by default)

    def signature(self) -> list[str]:
        return self.key or list(self.argv or [])

    def command(self) -> str:
        return "anestools " + " ".join(self.argv) if self.argv else self.title


def _corpus_texts(data_dir: Path) -> Iterator[str]:
    """Texts the demo tokenizer is trained on: the converted corpus and QA answers."""
    for name in ("AnesCorpus_all.jsonl", "AnesQA_all.jsonl"):  # QA: the multiple-choice sample
        path = data_dir / name
        if not path.exists():
            continue
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                yield " ".join(str(v) for v in rec.values() if isinstance(v, str) and v)


def plan_demo(workdir: Path) -> list[DemoStep]:
    """The demo's steps, in order, with the exact commands they run."""
    w = workdir
    web, pubmed, data = w / "corpus" / "web", w / "corpus" / "pubmed", w / "data"
    model, cpt, sft, evald = w / "tiny-model", w / "cpt", w / "sft", w / "eval"
    eval_cpt, eval_sft = evald / "cpt", evald / "sft"
    report_md, report_html = evald / "report.md", evald / "report.html"

    def build_model() -> str:
        from anestools.tiny import build_tiny_model

        if model.exists():
            shutil.rmtree(model)
        build_tiny_model(model, _corpus_texts(data), vocab_size=2048, hidden_size=64, num_layers=2)
        return f"tiny Llama (2 layers, hidden 64) with a BPE tokenizer trained on {data} -> {model}"

    return [
        DemoStep("corpus-web", "web corpus (datatrove)", [web],
                 argv=["corpus", "build", "--output", str(web)]),
        DemoStep("corpus-pubmed", "PubMed + PMC corpus (datatrove)", [pubmed],
                 argv=["corpus", "pubmed", str(_sample("pubmed_sample.xml")), str(_sample("pmc_sample.nxml")),
                       "--output", str(pubmed)]),
        DemoStep("stats-web", "web corpus statistics", [], argv=["corpus", "stats", str(web)]),
        DemoStep("stats-pubmed", "PubMed corpus statistics", [], argv=["corpus", "stats", str(pubmed)]),
        DemoStep("convert", "LLaMA-Factory datasets (corpus + multiple-choice SFT sample)", [data],
                 argv=["convert", str(web), str(pubmed), str(_sample(MCQ_SAMPLE)),
                       "--output", str(data), "--lang", "all", "--overwrite"]),
        DemoStep("tiny-model", "tiny model built locally", [model], func=build_model,
                 key=["tiny-model", str(data), "vocab=2048", "hidden=64", "layers=2"]),
        DemoStep("train-cpt", "continued pre-training (LLaMA-Factory)", [cpt],
                 argv=["train", "cpt", "--recipe", "tiny-cpu", "--model", str(model), "--data-dir", str(data),
                       "--dataset", "anescorpus_all", "--output", str(cpt), "--resume", "auto"]),
        DemoStep("train-sft", "supervised fine-tuning on multiple-choice items (LLaMA-Factory)", [sft],
                 argv=["train", "sft", "--recipe", "tiny-cpu", "--model", str(cpt), "--data-dir", str(data),
                       "--dataset", "anesqa_all", "--output", str(sft), "--resume", "auto",
                       *(arg for kv in SFT_SETTINGS for arg in ("--set", kv))]),
        DemoStep("eval-cpt", "AnesBench sample evaluation of the CPT model (transformers serve)", [eval_cpt],
                 argv=_eval_argv(cpt, eval_cpt)),
        DemoStep("eval-sft", "AnesBench sample evaluation of the SFT model (transformers serve)", [eval_sft],
                 argv=_eval_argv(sft, eval_sft)),
        DemoStep("report", "paired comparison CPT -> SFT (markdown + HTML)", [report_md, report_html],
                 argv=["eval", "report", str(eval_cpt), str(eval_sft), "--output", str(report_md),
                       "--html", str(report_html), "--overwrite"]),
    ]


def _eval_argv(model: Path, out: Path) -> list[str]:
    return ["eval", "--model", str(model), "--engine", "transformers", "--lang", "en,zh",
            "--prompt", "direct", "--max-new-tokens", "12", "--output", str(out)]


def _marker(workdir: Path, step: DemoStep) -> Path:
    return workdir / MARKERS / f"{step.name}.json"


def is_done(workdir: Path, step: DemoStep) -> bool:
    """Finished before with the same command, and its outputs are still there."""
    marker = _marker(workdir, step)
    if not marker.exists():
        return False
    try:
        saved = json.loads(marker.read_text())
    except json.JSONDecodeError:
        return False
    return saved.get("signature") == step.signature() and all(p.exists() for p in step.outputs)


def run_step(workdir: Path, step: DemoStep) -> tuple[float, str]:
    """Run one step (child ``anestools`` process or function); mark it done; return (seconds, note)."""
    t0 = time.perf_counter()
    note = ""
    if step.argv is not None:
        cmd = [sys.executable, "-m", "anestools", *step.argv]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        rc = subprocess.run(cmd, env=env).returncode
        if rc != 0:
            raise EngineError(
                f"demo step '{step.name}' failed with exit code {rc}: {step.command()} "
                f"(rerun `anestools demo --workdir {workdir}` to resume from this step)"
            )
    elif step.func is not None:
        note = step.func()
    seconds = time.perf_counter() - t0
    marker = _marker(workdir, step)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps({"signature": step.signature(), "seconds": round(seconds, 1), "note": note}))
    return seconds, note


def read_summary(run_dir: Path) -> dict | None:
    """An eval run's ``summary.json``, if present."""
    path = run_dir / "summary.json"
    return json.loads(path.read_text()) if path.exists() else None


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def comparison(cpt: dict, sft: dict):
    """The demo's last word: accuracy and no-answer rate before and after SFT, and the chance line.

    Why this table: a 2-layer model trained for a minute knows no anesthesiology; what SFT on
    answer-format items visibly changes is that it answers at all. Accuracy is shown next to
    chance so that nobody reads a number near chance as knowledge.
    """
    from rich.table import Table

    table = Table(title="CPT -> SFT on the sample benchmark (paired: same questions)",
                  caption="chance = 1/options (a random guess per question)")
    chance = sft.get("chance_accuracy") or {}
    for col in ("group", "n", "chance", "CPT accuracy", "SFT accuracy", "CPT no-answer", "SFT no-answer"):
        table.add_column(col, justify="left" if col == "group" else "right")
    for group in ("overall", "language=en", "language=zh"):
        a, b = cpt["scores"].get(group), sft["scores"].get(group)
        if a is None or b is None:
            continue
        table.add_row(group.replace("language=", ""), str(b["accuracy"]["n"]), _pct(chance.get(group)),
                      _pct(a["accuracy"]["accuracy"]), _pct(b["accuracy"]["accuracy"]),
                      _pct(a["no_answer_rate"]), _pct(b["no_answer_rate"]))
    return table


def answered_letters(run_dir: Path) -> dict[str, set[str]]:
    """Per language, the letters the run's extracted answers used (from ``predictions.jsonl``)."""
    out: dict[str, set[str]] = {}
    path = run_dir / "predictions.jsonl"
    if path.exists():
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                if rec.get("extracted"):
                    out.setdefault(rec["language"], set()).add(rec["extracted"])
    return out


def verdict(cpt: dict, sft: dict, letters: dict[str, set[str]] | None = None) -> str:
    """One honest sentence on what the comparison shows."""
    a, b = cpt["scores"]["overall"], sft["scores"]["overall"]
    chance = (sft.get("chance_accuracy") or {}).get("overall")
    acc = b["accuracy"]
    if chance is None or acc["accuracy"] is None:
        where = ""
    elif acc["ci_low"] <= chance <= acc["ci_high"]:
        where = f"; accuracy is about chance ({_pct(chance)}, inside its 95% interval {_pct(acc['ci_low'])}-{_pct(acc['ci_high'])})"
    else:
        side = "above" if acc["accuracy"] > chance else "below"
        where = f"; accuracy is {side} chance ({_pct(chance)}; 95% interval {_pct(acc['ci_low'])}-{_pct(acc['ci_high'])})"
    same = [f"{lang} {next(iter(ls))}" for lang, ls in sorted((letters or {}).items()) if len(ls) == 1]
    if same:
        where += f". It gives the same letter to every question ({', '.join(same)}): the format, not the content"
    return (f"SFT on our multiple-choice items taught the format: no-answer {_pct(a['no_answer_rate'])} -> "
            f"{_pct(b['no_answer_rate'])}{where}. A 2-layer model trained for a minute on CPU knows no "
            "anesthesiology; real scores need a real model (README: stages at scale).")


def demo_command(
    workdir: Annotated[Path, typer.Option("--workdir", "-w", help="Where every stage writes; kept for inspection.")] = Path("demo_work"),
    fresh: Annotated[bool, typer.Option("--fresh", help="Forget finished steps and run everything again.")] = False,
) -> None:
    """Run the whole pipeline on the embedded samples, on CPU, in a few minutes.

    corpus build (web sample) + corpus pubmed (MEDLINE/PMC sample) -> corpus stats ->
    convert --lang all (+ our multiple-choice SFT sample) -> tiny model built locally -> train
    cpt -> train sft -> eval of both checkpoints (transformers serve, English and Chinese sample
    benchmark) -> eval report CPT vs SFT (paired, markdown + HTML). It ends on that comparison:
    SFT teaches the answer format (no-answer rate falls); accuracy stays near chance. A rerun
    reuses finished steps.

    Examples:

      anestools demo

      anestools demo --workdir /tmp/anes-demo --fresh
    """
    workdir = workdir.resolve()
    if workdir.exists() and not workdir.is_dir():
        raise ConfigError(f"{workdir}: --workdir must be a directory")
    claim_workdir(workdir)
    with output_lock(workdir, "anestools demo"):
        _run_demo(workdir, fresh)


def claim_workdir(workdir: Path) -> None:
    """Make ``workdir`` the demo's, or refuse: the demo replaces and deletes what it made there.

    A new or empty directory is claimed (``.demo/`` is created); a non-empty one must already
    hold ``.demo/`` from an earlier demo. Anything else is a user's directory: refused.
    """
    if (workdir / MARKERS).is_dir():
        return
    if workdir.is_dir():
        other = sorted(p.name for p in workdir.iterdir() if not is_lock_file(p.name))
        if other:
            shown = ", ".join(other[:5]) + (" ..." if len(other) > 5 else "")
            raise OutputExistsError(
                f"{workdir} is not empty and was not made by `anestools demo` (no {MARKERS}/; holds {shown}); "
                "the demo replaces files in its workdir: choose a new or empty --workdir"
            )
    (workdir / MARKERS).mkdir(parents=True, exist_ok=True)


def _run_demo(workdir: Path, fresh: bool) -> None:
    if fresh:  # forget finished steps; the workdir stays the demo's
        for marker in (workdir / MARKERS).glob("*.json"):
            marker.unlink()
    steps = plan_demo(workdir)
    done: list[tuple[DemoStep, str]] = []
    for i, step in enumerate(steps, 1):
        header = f"[bold cyan][{i}/{len(steps)}] {step.title}[/]"
        if is_done(workdir, step):
            con.console.print(f"{header} [green]reused[/] ({step.command()})", soft_wrap=True)
            done.append((step, "reused"))
            continue
        con.console.print(f"{header}\n  $ {step.command()}", soft_wrap=True, highlight=False)
        seconds, note = run_step(workdir, step)
        if note:
            con.console.print(f"  {note}", soft_wrap=True, highlight=False)
        outputs = ", ".join(str(p) for p in step.outputs) or "(printed above)"
        con.console.print(f"  [green]done[/] in {seconds:.1f}s -> {outputs}", soft_wrap=True, highlight=False)
        done.append((step, f"{seconds:.1f}s"))

    from rich.table import Table

    table = Table(title="anestools demo")
    for col in ("step", "time", "output"):
        table.add_column(col, overflow="fold")
    for step, status in done:
        table.add_row(step.name, status, ", ".join(str(p) for p in step.outputs) or "-")
    con.out.print(table)
    evald = workdir / "eval"
    cpt, sft = read_summary(evald / "cpt"), read_summary(evald / "sft")
    if cpt is not None and sft is not None:
        con.out.print(comparison(cpt, sft))
        con.out.print(verdict(cpt, sft, answered_letters(evald / "sft")), soft_wrap=True, highlight=False)
        con.out.print(f"paired comparison (McNemar, per level): {evald / 'report.md'}, {evald / 'report.html'}",
                      soft_wrap=True, highlight=False)
