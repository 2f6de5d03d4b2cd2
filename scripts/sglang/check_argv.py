"""Parse server command lines with SGLang's and sglang-router's own argument parsers (no GPU).

Runs inside the SGLang environment (``make sglang-env`` -> ``.sglang-env/bin/python``), which
does not have anestools: the argv lists come as JSON on stdin, ``[{"name": ..., "argv": [PY,
"-m", MODULE, ...]}, ...]``, and one JSON object comes back on stdout: the versions, and for
each argv whether it parsed, the parser's error message, and the parsed values we rely on.

* ``sglang.launch_server``: ``sglang.srt.server_args.prepare_server_args`` — the function that
  module's ``__main__`` calls (argparse, then ``ServerArgs.from_cli_args``).
* ``sglang_router.launch_server``: the parser its ``main()`` builds from public pieces —
  ``ServerArgs.add_cli_args``, ``RouterArgs.add_cli_args(use_router_prefix=True,
  exclude_host_port=True)`` and ``--router-dp-worker-base-port`` — then both ``from_cli_args``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
from importlib import metadata

FIELDS = ("model_path", "host", "port", "tp_size", "dp_size", "mem_fraction_static", "context_length",
          "trust_remote_code")


def _router_parse(args: list[str]) -> dict:
    from sglang.srt.server_args import ServerArgs
    from sglang_router.router_args import RouterArgs

    parser = argparse.ArgumentParser(prog="sglang_router.launch_server")
    ServerArgs.add_cli_args(parser)
    RouterArgs.add_cli_args(parser, use_router_prefix=True, exclude_host_port=True)
    parser.add_argument("--router-dp-worker-base-port", type=int, default=31000)
    ns = parser.parse_args(args)
    server = ServerArgs.from_cli_args(ns)
    router = RouterArgs.from_cli_args(ns, use_router_prefix=True)
    out = {f: getattr(server, f, None) for f in FIELDS}
    out["router_policy"] = getattr(router, "policy", None)
    return out


def _server_parse(args: list[str]) -> dict:
    from sglang.srt.server_args import prepare_server_args

    server = prepare_server_args(args)
    return {f: getattr(server, f, None) for f in FIELDS}


def check(argv: list[str]) -> dict:
    if len(argv) < 3 or argv[1] != "-m":
        return {"ok": False, "error": "expected PYTHON -m MODULE ARGS..."}
    module, args = argv[2], argv[3:]
    parse = {"sglang.launch_server": _server_parse, "sglang_router.launch_server": _router_parse}.get(module)
    if parse is None:
        return {"ok": False, "error": f"unknown module {module}"}
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            parsed = parse(args)
    except SystemExit:  # argparse rejected the command line
        return {"ok": False, "error": err.getvalue().strip().splitlines()[-1:]}
    except Exception as exc:  # noqa: BLE001 - reported, not hidden
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    return {"ok": True, "parsed": parsed}


def main() -> None:
    cases = json.load(sys.stdin)
    results = {c["name"]: check(c["argv"]) for c in cases}
    versions = {p: metadata.version(p) for p in ("sglang", "sglang-router", "torch")}
    json.dump({"versions": versions, "python": sys.version.split()[0], "results": results}, sys.stdout,
              default=str)


if __name__ == "__main__":
    main()
