"""Empty replies: a server that answers every request with no content.

Why apart from unparsable replies: an empty reply is not the model failing a question, it is
the serving set-up failing every question — a reasoning parser that moved the whole answer to
``reasoning_content``, a chat template that ends the turn at once — so a run that completes
with a 100% no-answer rate says so in one line, with the likely causes.
"""

from __future__ import annotations


def empty_content(text: str) -> bool:
    """Whether a completion's text (as :func:`parse_completion` builds it) has no content: blank,
    or only a reasoning block (a reasoning parser moved everything to ``reasoning_content``)."""
    end = text.rfind("</think>")
    return not (text[end + len("</think>"):] if end >= 0 else text).strip()


EMPTY_CAUSES = ("the server's reasoning parser moved every answer to reasoning_content (use a parser that "
                "matches the model, or none), the chat template ends the turn at once, or max tokens is too "
                "small for any answer")


def empty_warning(empty: int, total: int, what: str = "responses") -> str | None:
    """One line when more than half of ``total`` answered requests came back empty, naming likely causes."""
    if not total or 2 * empty <= total:
        return None
    return f"{empty} of {total} {what} were empty (no content); likely causes: {EMPTY_CAUSES}"
