"""Keep credentials out of everything we record (predictions, logs, error lines).

Why: a server may echo the request's ``Authorization`` header in an error body, and that body
is recorded as the question's error. The key is only ever known to the client, so the client
passes every text it records through :func:`redact`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "***"
_BEARER = re.compile(r"(?i)\b(bearer)(\s+|%20)[A-Za-z0-9._~+/=\-]{4,}")
MIN_SECRET = 4  # shorter "secrets" would mask ordinary text


def redact(text: str, secrets: Iterable[str | None] = (), bearer: bool = True) -> str:
    """``text`` with each secret replaced by ``***``, and (``bearer``) any ``Bearer …`` token.

    ``bearer=False`` for model output, where only the literal secrets are masked.
    """
    for secret in secrets:
        if secret and len(secret) >= MIN_SECRET and secret in text:
            text = text.replace(secret, MASK)
    return _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text) if bearer else text
