"""``--mix anescorpus_en:0.9,general_en:0.1``: replay general data during domain training.

Why: continued pre-training on a narrow domain corpus makes a model forget general ability;
the usual remedy is to keep sampling some general text ("replay"). LLaMA-Factory already mixes
datasets (``mix_strategy: interleave_under|interleave_over`` + ``interleave_probs``); this module
only turns one readable flag into those keys and refuses weights that do not sum to 1 before a
job is queued. Which names exist is checked with the other datasets (``validate.check_datasets``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from anestools.errors import ConfigError

# LLaMA-Factory's interleaving strategies (``concat`` ignores probabilities, so it is not offered).
MIX_STRATEGIES = ("interleave_under", "interleave_over", "interleave_once")
DEFAULT_STRATEGY = "interleave_under"
SUM_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Mix:
    """Dataset names and their sampling probabilities (per example, summing to 1)."""

    datasets: tuple[str, ...]
    probs: tuple[float, ...]


def parse_mix(text: str) -> Mix:
    """``"a:0.9,b:0.1"`` -> ``Mix(("a", "b"), (0.9, 0.1))``; a one-line ``ConfigError`` otherwise."""
    names: list[str] = []
    probs: list[float] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        name, sep, weight = item.rpartition(":")
        name = name.strip()
        if not sep or not name:
            raise ConfigError(f"--mix {item!r}: expected NAME:WEIGHT (e.g. anescorpus_en:0.9,general_en:0.1)")
        try:
            p = float(weight)
        except ValueError:
            raise ConfigError(f"--mix {item!r}: weight {weight.strip()!r} is not a number") from None
        if not math.isfinite(p) or p <= 0 or p > 1:
            raise ConfigError(f"--mix {item!r}: weight must be in (0, 1]")
        if name in names:
            raise ConfigError(f"--mix: dataset {name!r} is named twice")
        names.append(name)
        probs.append(p)
    if len(names) < 2:
        raise ConfigError(f"--mix {text!r}: a mix needs at least two datasets (use --dataset for one)")
    total = math.fsum(probs)
    if abs(total - 1.0) > SUM_TOLERANCE:
        raise ConfigError(f"--mix {text!r}: weights sum to {total:g}, they must sum to 1")
    return Mix(tuple(names), tuple(probs))


def mix_keys(text: str, strategy: str | None = None) -> dict[str, str]:
    """The LLaMA-Factory keys for ``--mix`` / ``--mix-strategy`` (``dataset``, ``mix_strategy``, ``interleave_probs``)."""
    strategy = strategy or DEFAULT_STRATEGY
    if strategy not in MIX_STRATEGIES:
        raise ConfigError(f"--mix-strategy {strategy!r}: expected one of {', '.join(MIX_STRATEGIES)}")
    mix = parse_mix(text)
    return {
        "dataset": ",".join(mix.datasets),
        "mix_strategy": strategy,
        "interleave_probs": ",".join(format(p, "g") for p in mix.probs),
    }
