"""Where this node sits in a multi-node run: ``--nnodes/--node-rank/--master-addr/--master-port``,
or the environment torchrun users already set.

Why the environment: a job script written for ``torchrun`` or ``llamafactory-cli`` exports
``NNODES``, ``NODE_RANK``, ``MASTER_ADDR``, ``MASTER_PORT`` (LLaMA-Factory's launcher reads these
names; torchrun itself reads ``PET_*``), so ``anestools train`` run in that script must join the
same rendezvous without the flags repeated. A flag always wins over the environment.

The environment is read only for a multi-node run (``--nnodes`` or ``NNODES`` above 1): a stray
``MASTER_PORT`` left in a shell must not pin the port of a single-node run, which picks a free one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from anestools.errors import ConfigError
from anestools.train.render import TrainOptions

# option -> environment variables, first set wins
ENV_NAMES: dict[str, tuple[str, ...]] = {
    "nnodes": ("NNODES", "PET_NNODES"),
    "node_rank": ("NODE_RANK", "PET_NODE_RANK"),
    "master_addr": ("MASTER_ADDR", "PET_MASTER_ADDR"),
    "master_port": ("MASTER_PORT", "PET_MASTER_PORT"),
    "gpus": ("NPROC_PER_NODE", "PET_NPROC_PER_NODE"),
}
DEFAULTS: dict[str, object] = {"nnodes": 1, "node_rank": 0, "master_addr": None, "master_port": None, "gpus": "auto"}


def _from_env(key: str, environ: Mapping[str, str]) -> tuple[str, str] | None:
    for name in ENV_NAMES[key]:
        value = environ.get(name, "").strip()
        if value:
            return name, value
    return None


def _as_int(name: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r} (from the environment): expected an integer") from None


def resolve_nodes(opts: TrainOptions, environ: Mapping[str, str]) -> tuple[TrainOptions, list[str]]:
    """``opts`` with every node option set (flag, else environment, else default) and one
    line per value taken from the environment (shown by ``anestools train`` as a check)."""
    given = {k: getattr(opts, k) for k in ENV_NAMES}
    nnodes_env = _from_env("nnodes", environ)
    nnodes = given["nnodes"] if given["nnodes"] is not None else (
        _as_int(*nnodes_env) if nnodes_env else 1)
    values: dict[str, object] = {}
    notes: list[str] = []
    for key in ENV_NAMES:
        if given[key] is not None:
            values[key] = given[key]
            continue
        found = _from_env(key, environ) if nnodes > 1 else None
        if found is None:
            values[key] = DEFAULTS[key]
            continue
        name, raw = found
        values[key] = _as_int(name, raw) if key in ("nnodes", "node_rank", "master_port") else raw
        notes.append(f"{name}={raw} from the environment (--{key.replace('_', '-')})")
    return replace(opts, **values), notes
