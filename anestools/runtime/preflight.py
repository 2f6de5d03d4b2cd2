"""Preflight: is an OpenAI-compatible endpoint up, and what does it say it is?

Why before the first question: without it, an unreachable ``--base-url`` costs every question
its full retry budget (minutes of backoff) before the run admits the endpoint is down. One GET
decides in seconds, with one line that names the URL. Used by ``anestools eval`` (its model
and its judge) and meant for any stage that talks to the same servers (``qa``).

The served models it lists are what :class:`anestools.runtime.client.ChatClient` names when
the server refuses the model asked for (:class:`ModelNotServed`, exit 4).

Order: ``/health`` (SGLang, ``transformers serve``, vLLM), then ``/v1/models`` (hosted APIs have
no ``/health``; it also checks the API key). The engine's version is read where the server
offers it (SGLang ``/get_server_info``, vLLM ``/version``) and is otherwise ``None``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from anestools.errors import EngineError


class EndpointUnreachable(EngineError):
    """The endpoint did not answer the preflight (exit code 4, like any engine failure)."""


@dataclass(frozen=True)
class EndpointInfo:
    """What the endpoint told us: which probe answered, served models, reported version."""

    root: str
    checked: str
    models: tuple[str, ...] = ()
    engine_version: str | None = None
    server_info: dict[str, Any] = field(default_factory=dict, repr=False)


def api_root(base_url: str) -> str:
    """``http://h:p/v1`` or ``http://h:p/`` -> ``http://h:p``."""
    root = base_url.rstrip("/")
    return root[: -len("/v1")] if root.endswith("/v1") else root


def _get(url: str, api_key: str | None, timeout: float) -> tuple[int, Any]:
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {api_key}"} if api_key else {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - user-given endpoint
            body = resp.read(1 << 20)
            status = resp.status
    except urllib.error.HTTPError as exc:
        return exc.code, None
    try:
        return status, json.loads(body or b"null")
    except ValueError:
        return status, None


def _reason(exc: BaseException) -> str:
    inner = getattr(exc, "reason", exc)
    return str(getattr(inner, "strerror", None) or inner) or type(exc).__name__


def preflight(base_url: str, api_key: str | None = None, timeout: float = 10.0,
              list_models: bool = True) -> EndpointInfo:
    """Check ``base_url`` answers; raise :class:`EndpointUnreachable` (one line) when it does not.

    The API key, when given, is sent as a bearer token and never appears in a message.
    ``list_models=False`` skips listing served models after a healthy ``/health`` (``transformers
    serve`` answers ``/v1/models`` by scanning the whole Hugging Face cache).
    """
    root = api_root(base_url)
    try:
        status, _ = _get(root + "/health", api_key, timeout)
        checked = "/health"
        if status != 200:
            status, data = _get(root + "/v1/models", api_key, timeout)
            checked = "/v1/models"
        elif list_models:
            try:
                data = _get(root + "/v1/models", api_key, timeout)[1]
            except (urllib.error.URLError, OSError, ValueError):
                data = None
        else:
            data = None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise EndpointUnreachable(f"endpoint {root} is unreachable ({_reason(exc)}); is the server running "
                                  "and --base-url right?") from exc
    if status in (401, 403):
        raise EndpointUnreachable(f"endpoint {root} refused the request (HTTP {status} on /v1/models); "
                                  "check --api-key-env")
    if status != 200:
        raise EndpointUnreachable(f"endpoint {root} answers neither /health nor /v1/models (HTTP {status}); "
                                  "is --base-url an OpenAI-compatible server?")
    models: tuple[str, ...] = ()
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        models = tuple(str(m.get("id")) for m in data["data"] if isinstance(m, dict) and m.get("id"))
    info: dict[str, Any] = {}
    version = None
    for probe in ("/get_server_info", "/version"):  # SGLang, vLLM; others have neither
        try:
            st, payload = _get(root + probe, api_key, timeout)
        except (urllib.error.URLError, OSError, ValueError):
            continue
        if st == 200 and isinstance(payload, dict) and payload.get("version"):
            version = str(payload["version"])
            info = {k: v for k, v in payload.items() if isinstance(v, (str, int, float, bool)) and "key" not in k}
            break
    return EndpointInfo(root=root, checked=checked, models=models, engine_version=version, server_info=info)
