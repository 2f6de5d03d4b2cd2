"""Token counting with ``tokenizers``: a local ``tokenizer.json``, a model directory or a Hub name.

Usage::

    from anestools.corpus.steps.tokens import resolve_tokenizer, token_counter

    path = resolve_tokenizer("path/to/model")      # -> ".../tokenizer.json" (validated)
    pipeline = [..., token_counter(path), writer]   # datatrove TokensCounter -> metadata token_count

Why resolve first: datatrove's ``TokensCounter`` takes a ``tokenizer.json`` file or a Hub name;
users have model directories. We resolve and load the tokenizer once in the driver so that a
wrong path fails in a second with a clear message, not in every worker.
"""

from __future__ import annotations

from pathlib import Path

from datatrove.pipeline.tokens.counter import TokensCounter

from anestools.errors import InputError


def resolve_tokenizer(spec: str) -> str:
    """Return a loadable tokenizer spec (a ``tokenizer.json`` path or a Hub name), checked."""
    from tokenizers import Tokenizer

    p = Path(spec).expanduser()
    if p.is_dir():
        candidate = p / "tokenizer.json"
        if not candidate.is_file():
            raise InputError(f"{spec}: model directory has no tokenizer.json (a fast tokenizer is needed)")
        p = candidate
    if p.is_file():
        try:
            Tokenizer.from_file(str(p))
        except Exception as exc:  # tokenizers raises plain Exception subclasses
            raise InputError(f"{p}: not a valid tokenizer.json ({exc})") from exc
        return str(p.resolve())
    if spec.startswith((".", "/", "~")) or spec.endswith(".json"):
        raise InputError(f"{spec}: tokenizer file or directory not found")
    try:  # a Hub name such as "Qwen/Qwen2.5-7B" (needs network or the HF cache)
        Tokenizer.from_pretrained(spec)
    except Exception as exc:
        raise InputError(f"{spec}: cannot load tokenizer from the Hugging Face Hub ({exc})") from exc
    return spec


def token_counter(spec: str, batch_size: int = 256) -> TokensCounter:
    """datatrove ``TokensCounter`` writing ``doc.metadata['token_count']`` (no special tokens added)."""
    return TokensCounter(tokenizer_name_or_path=spec, count_eos_token=False, batch_size=batch_size)
