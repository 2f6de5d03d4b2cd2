"""Preflight: is an OpenAI-compatible endpoint reachable before a long run starts?

Why: a wrong ``--base-url`` or a server still loading would otherwise surface as thousands of
failed requests after minutes of retries. ``GET /v1/models`` is tried first (it also checks
the API key), then ``GET /health``; if neither answers 200, one line says why.
"""

from __future__ import annotations

import urllib.error
import urllib.request

from anestools.errors import EngineError


class PreflightError(EngineError):
    """The endpoint did not answer ``/v1/models`` nor ``/health``."""


def _root(base_url: str) -> str:
    root = base_url.rstrip("/")
    return root[:-3] if root.endswith("/v1") else root


def _get(url: str, api_key: str | None, timeout: float) -> str | None:
    """``None`` on HTTP 200, else the reason."""
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {api_key}"} if api_key else {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - user's endpoint
            return None if resp.status == 200 else f"HTTP {resp.status}"
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return f"{type(reason).__name__}: {reason}" if not isinstance(reason, str) else reason


def preflight(base_url: str, api_key: str | None = None, timeout: float = 10.0) -> None:
    """Raise :class:`PreflightError` unless ``/v1/models`` or ``/health`` answers 200."""
    root = _root(base_url)
    models = _get(root + "/v1/models", api_key, timeout)
    if models is None:
        return
    health = _get(root + "/health", api_key, timeout)
    if health is None:
        return
    if models in ("HTTP 401", "HTTP 403"):
        raise PreflightError(f"{root}: the API key was refused ({models} on /v1/models)")
    raise PreflightError(f"{root} is not answering: /v1/models {models}, /health {health}")
