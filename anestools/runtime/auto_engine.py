"""``--engine auto`` (the default): the engine that can run on this machine, and why.

Why a default that looks around: a fixed ``sglang`` default made the very first command a
user is told to run (``train`` ends with ``next: anestools eval --model …``) fail on every
machine without SGLang. The rule is simple and printed with the run: SGLang when
``--engine-python`` can import it; otherwise ``transformers serve`` — on the GPU when one is
visible, else on the CPU (``--device cpu`` unless the user passed a device); an explicit
``--base-url`` means an existing endpoint (``openai``).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass

from anestools.errors import EngineError
from anestools.runtime.engines import python_has_module, visible_gpus

AUTO = "auto"


@dataclass(frozen=True)
class EngineChoice:
    """The engine to use, a one-line reason (printed and stored in ``summary.json``), extra server args."""

    engine: str
    reason: str
    extra_args: tuple[str, ...] = ()


def choose_engine(requested: str, *, engine_python: str | None = None, base_url: str | None = None,
                  engine_args: Sequence[str] = ()) -> EngineChoice:
    """Resolve ``auto``; any other engine is returned as given."""
    if requested != AUTO:
        return EngineChoice(requested, "chosen with --engine")
    if base_url:
        return EngineChoice("openai", "--base-url given: existing OpenAI-compatible endpoint")
    python = engine_python or sys.executable
    if python_has_module(python, "sglang"):
        return EngineChoice("sglang", f"sglang importable by {python}")
    if not python_has_module(python, "transformers"):
        raise EngineError(f"--engine auto: neither sglang nor transformers is importable by {python}; install "
                          "'anestools[train]' (transformers serve) or SGLang in its own environment "
                          "(--engine-python), or use --engine openai --base-url URL")
    gpus = visible_gpus()
    if gpus:
        return EngineChoice("transformers", f"sglang not importable by {python}; {gpus} GPU(s) visible: "
                                            "transformers serve on the GPU")
    has_device = any(a == "--device" or a.startswith("--device=") for a in engine_args)
    return EngineChoice("transformers", f"sglang not importable by {python}; no GPU visible: "
                                        "transformers serve on the CPU", () if has_device else ("--device", "cpu"))
