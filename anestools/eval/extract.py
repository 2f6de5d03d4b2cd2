"""Answer extraction: the letter a response commits to, or ``None`` when it commits to none.

Why not the paper's approach (a cascade of regexes ending in fuzzy matching of the whole
response against the option texts): that always returns *some* letter, so refusals, empty and
truncated responses are scored as random guesses and the no-answer rate is invisible. Here:

1. reasoning inside ``<think>…</think>`` is dropped when a final answer follows it (an unclosed
   ``<think>`` means the reasoning was truncated: no answer);
2. every explicit answer statement in English or Chinese ("The answer is B", "Answer: **C**",
   ``\\boxed{D}``, "答案：C", "故选B", "正确答案应为选项B", "Option B is correct") is located and the
   *last* one wins, so a model that changes its mind is scored on its final conclusion;
3. without such a statement, a bare letter ("B", "(C).") or an answer given as option text
   ("The answer is sugammadex") is mapped to its letter;
4. anything else — refusal, empty, reasoning without a conclusion, a letter that is not one of
   the options — is ``None``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

_L = r"([A-I])"  # option letters are upper case; lower case only inside (b) / \boxed{b}
_ADV = r"(?:(?i:actually|definitely|clearly|probably|most\s+likely|indeed|therefore|thus)\s+)?"
_OPT = r"(?:(?i:option|choice|letter)\s*)?"
_SEP = r"\s*[:：=\-–—]?\s*"
_OPEN = r"[\(\[（【]?\s*"
# "Answer A is wrong" / "答案A错误" discuss an option; they are not a conclusion.
_NOT_EN = r"(?![\)\]]?\s+(?i:is\s+(?:not|wrong|incorrect|false)|isn't|are\b))"
_NOT_ZH = r"(?![\)）】\]]?\s*(?:项|选项)?\s*(?:是)?\s*(?:错误|不正确|不对|不符合|不是|错))"

_PATTERNS = [
    # \boxed{D}, \boxed{\text{D}}, \boxed{d}
    re.compile(r"\\boxed\s*\{\s*(?:\\text(?:bf)?\s*\{\s*)?([A-Ia-i])\s*\}"),
    # "The (final/correct/best) answer is (option) B", "Answer: C", "answer would be (D)"
    re.compile(r"(?i:answer)s?(?:\s+(?i:is|would\s+be|should\s+be|must\s+be|will\s+be|=))?" + _SEP + _ADV
               + _OPT + _OPEN + _L + r"(?![A-Za-z0-9])" + _NOT_EN + _NOT_ZH),
    # "answer: (b)" lower case inside brackets
    re.compile(r"(?i:answer)(?:\s+(?i:is))?" + _SEP + r"[\(\[]([a-i])[\)\]]"),
    # "Option B is correct / the correct answer / the best choice / most appropriate"
    re.compile(r"(?<![A-Za-z])" + _OPT + _OPEN + _L + r"[\)\]）】]?\s+(?i:is)\s+(?i:the\s+)?(?i:correct|right|best"
               r"|most\s+(?:appropriate|suitable|likely|accurate))\b"),
    # "I choose C", "I would select B", "I'll go with D", "we pick A"
    re.compile(r"(?i:\b(?:I|we)(?:\s+would|'ll|\s+will)?\s+(?:choose|select|pick|go\s+with))\s+" + _OPT + _OPEN
               + _L + r"(?![A-Za-z0-9])"),
    # 答案：C / 答案是B / 正确答案应为选项B / 最佳答案为（D）/ 正确选项是B
    re.compile(r"(?:答案|正确选项|最佳选项|正确的选项|最合适的选项)\s*(?:应该是|应该为|应当是|应为|应是|是|为|选)?\s*[:：]?\s*"
               r"(?:选项|选)?\s*[（(【\[]?\s*" + _L + r"(?![A-Za-z0-9])" + _NOT_ZH),
    # 故选B / 应选B / 因此选择C / 选B（never 不选B; 选项B is handled below）
    re.compile(r"(?<!不)(?<!不应)选(?:择)?\s*[:：]?\s*[（(【\[]?\s*" + _L + r"(?![A-Za-z0-9])"),
    # B项正确 / 选项B最合适 / B是正确的
    re.compile(r"(?:选项)?" + _L + r"\s*(?:项|选项)?\s*(?:是)?\s*(?:正确|最合适|最恰当|最佳|最符合)"),
]

# Bare letter as the whole answer ("B", "(C).", "D。") or a final line such as "B. Sugammadex".
_BARE = re.compile(r"^\s*[\(\[（]?\s*([A-I])\s*[\)\]）]?\s*[.。:：,，]?\s*$")
_LINE_LETTER = re.compile(r"^\s*[\(\[（]?([A-I])[\)\]）.。:：]\s*(.+?)\s*$")
# Answer given in words: "The answer is sugammadex." / "答案：舒更葡糖钠"
_ANSWER_TEXT = re.compile(r"(?:(?i:answer)(?:\s+(?i:is))?\s*[:：]?|答案\s*(?:是|为|应为)?\s*[:：]?)\s*(.+)")

_THINK_OPEN = re.compile(r"<think(?:ing)?>", re.IGNORECASE)
_THINK_CLOSE = re.compile(r"</think(?:ing)?>", re.IGNORECASE)
_MARKDOWN = re.compile(r"\*\*|__|`|\*")


def _strip_reasoning(text: str) -> str | None:
    """Text after the last ``</think>``; ``None`` when a ``<think>`` block never closes."""
    closes = list(_THINK_CLOSE.finditer(text))
    if closes:
        return text[closes[-1].end():]
    if _THINK_OPEN.search(text):
        return None
    return text


def _norm(text: str) -> str:
    return re.sub(r"[\s\W_]+", " ", text.casefold()).strip()


def _option_from_text(phrase: str, options: Mapping[str, str]) -> str | None:
    """Letter whose option text the phrase states (exact, or the one option it contains)."""
    p = _norm(phrase)
    if not p:
        return None
    normed = {k: _norm(v) for k, v in options.items() if _norm(v)}
    exact = [k for k, v in normed.items() if v == p]
    if len(exact) == 1:
        return exact[0]
    inside = [k for k, v in normed.items() if re.search(rf"(?<!\w){re.escape(v)}(?!\w)", p)
              or (not v.isascii() and v in p)]
    if not inside:
        return None
    # "lidocaine with adrenaline" contains "lidocaine": keep only the most specific options.
    longest = [k for k in inside if not any(normed[k] != normed[o] and normed[k] in normed[o] for o in inside)]
    return longest[0] if len(longest) == 1 else None


def extract_answer(response: str, options: Mapping[str, str]) -> str | None:
    """The option letter that ``response`` finally commits to, or ``None`` (see module docs).

    ``options`` maps letters (``"A"``…) to option texts; a letter not among them is never
    returned.
    """
    if not response or not response.strip():
        return None
    text = _strip_reasoning(unicodedata.normalize("NFKC", response))
    if text is None or not text.strip():
        return None
    text = _MARKDOWN.sub("", text)
    valid = {k.upper() for k in options}

    best: tuple[int, str] | None = None
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if best is None or m.start(1) > best[0]:
                best = (m.start(1), m.group(1).upper())
    if best is not None:
        return best[1] if best[1] in valid else None

    stripped = text.strip()
    m = _BARE.match(stripped)
    if m:
        return m.group(1) if m.group(1) in valid else None
    lines = [ln for ln in stripped.splitlines() if ln.strip()]
    last = lines[-1] if lines else ""
    m = _LINE_LETTER.match(last)
    if m and m.group(1) in valid:
        said = _option_from_text(m.group(2), options)
        if said in (None, m.group(1)):
            return m.group(1)
    answers = list(_ANSWER_TEXT.finditer(stripped))
    if answers:
        return _option_from_text(answers[-1].group(1).splitlines()[0], options)
    if len(lines) == 1 and len(stripped) <= 200:
        return _option_from_text(stripped, options)
    return None
