"""Answer extraction: the letter a response commits to, or ``None`` when it commits to none.

Why not the paper's approach (a cascade of regexes ending in fuzzy matching of the whole
response against the option texts): that always returns *some* letter, so refusals, empty and
truncated responses are scored as random guesses and the no-answer rate is invisible.
``scripts/bench/extract.py`` measures both on a labelled set (``tests/eval/data``).

How a response is read:

1. Full-width forms are folded (NFKC), markdown emphasis removed, and reasoning inside
   ``<think>…</think>`` dropped; an unclosed ``<think>`` (truncated reasoning) is no answer.
2. Every *answer statement* of the table :data:`RULES` is located; the **last** one wins, so a
   model that changes its mind is scored on its conclusion. A statement naming two letters
   ("A or C", "A和C") is a non-answer, as is a letter outside the options.
   A conclusion marker before a lone letter that ends its sentence ("so B.", "That leaves A.",
   "综上，**B**", "所以是A。") is a statement; "So A is wrong." is not.
3. Without a statement: a bare letter, a last line ``B. <option text>`` (not the next line of an
   option listing), or an answer given in words that names exactly one option — in a one-line
   response only as a finished sentence that does not negate it (:data:`FALLBACKS`).
4. Anything else — refusal, empty, analysis without a conclusion, an option listing or a
   sentence cut short — is ``None``: scored wrong and reported as the no-answer rate, never a
   guess.

Each rule is a row (name, pattern, example, expected); the tests run every example.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

EXTRACTOR_VERSION = "3"  # bump whenever a rule changes: it is recorded in summary.json

# -- building blocks --------------------------------------------------------------------------
# CLAIM: one option letter in optional brackets/quotes; ``more`` catches a second letter
# joined by or/and/、/和/或 (a non-answer).
_OPEN = r"[\(\[（【\"'“]?\s*"
_CLOSE = r"\s*[\)\]）】\"'”]?"
_JOIN = r"\s*(?:\bor\b|\band\b|/|,|、|和|或者|或|与|及|&)\s*"
CLAIM = (_OPEN + r"(?P<x>[A-Ia-i])(?![A-Za-z0-9])" + _CLOSE
         + r"(?P<more>" + _JOIN + r"[\(\[（【\"']?\s*[A-Ia-i](?![A-Za-z0-9]))?")
_SEP = r"\s*[:：=\-–—→]*\s*"
_COPULA = r"(?:\s+(?:is|was|would\s+be|should\s+be|must\s+be|will\s+be|=))?"
_ADV = r"(?:(?:probably|likely|most\s+likely|clearly|definitely|therefore|thus|indeed|actually)\s+)?"
_LETTER_WORD = r"(?:(?:option|choice|letter)\s*)?"
_ZH_COPULA = r"(?:应该是|应当是|应该为|应为|应是|可能是|就是|是|为|选|：|:|\s)*"
# A conclusion's letter stands alone: it ends its sentence ("so B.", "故B。", "综上，B").
_ENDS = r"(?=\s*(?:[.。!！;；]|$))"
_EN_THEREFORE = r"\b(?:so|therefore|thus|hence)\b"
_ZH_THEREFORE = r"(?:综上所述|综上|因此|所以|故而|故|因而|由此可见|只剩下|只剩|剩下|最终)"


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Rule:
    """One kind of answer statement; ``example`` is decided by this rule as ``expected``."""

    name: str
    pattern: re.Pattern[str]
    example: str
    expected: str | None


#: Answer statements, English then Chinese. All matches of all rules compete; the last wins.
RULES: tuple[Rule, ...] = (
    Rule("boxed", _rx(r"\\boxed\s*\{\s*(?:\\text(?:bf)?\s*\{\s*)?" + CLAIM),
         r"so the result is $\boxed{D}$", "D"),
    Rule("json_field", _rx(r"[\"'](?:final_answer|answer|choice|correct_answer|option|答案)[\"']\s*:\s*\[?\s*"
                           + CLAIM),
         '{"answer": "c", "explanation": "..."}', "C"),
    Rule("answer_is", _rx(r"\b(?:(?:final|correct|best|right|my|most\s+likely)\s+)*answers?\b" + _COPULA
                          + _SEP + _ADV + _LETTER_WORD + CLAIM),
         "The answer is probably B.", "B"),
    Rule("qualified_option_is", _rx(r"\b(?:correct|best|right|final|preferred|my)\s+(?:option|choice|response"
                                    r"|selection)(?:\s+here)?" + _COPULA + _SEP + _LETTER_WORD + CLAIM),
         "The correct option is (c) atropine.", "C"),
    Rule("choice_or_conclusion", _rx(r"\b(?:choice|conclusion|final)\s*[:：]\s*" + _LETTER_WORD + CLAIM),
         "Conclusion: (C)", "C"),
    Rule("letter_is_correct", _rx(r"(?<![A-Za-z])" + _LETTER_WORD + CLAIM + r"(?:\s*\([^)\n]{1,80}\))?\s+is\s+"
                                  r"(?:the\s+)?(?:correct|right|best|answer|most\s+(?:appropriate|suitable|likely"
                                  r"|accurate))\b"),
         "Therefore option C is the answer.", "C"),
    Rule("it_is_letter", _rx(r"\b(?:it|this)(?:'s|\s+is|\s+must\s+be)\s+" + _LETTER_WORD + CLAIM
                             + r"(?=\s*(?:[.。!;]|$))"),
         "The answer is not B; it is D.", "D"),
    Rule("i_choose", _rx(r"\b(?:I|we)(?:'d|'ll|'m\s+going\s+to|\s+am\s+going\s+to|\s+would|\s+will)?\s+"
                         r"(?:choose|select|pick|go\s+with|say|opt\s+for)\s+" + _LETTER_WORD + CLAIM),
         "I'd go with A.", "A"),
    Rule("conclusion_letter", _rx(r"(?:" + _EN_THEREFORE + r"[^.\n]{0,60}?\b(?:option|choice|answer)\b[^.\n]{0,40}?"
                                  r"\bis|" + _EN_THEREFORE + r"|\bis\s+(?:therefore|thus|hence)|\bby\s+elimination"
                                  r"|\b(?:that|which|this)\s+leaves(?:\s+us\s+with)?|\bleaving(?:\s+only)?)"
                                  + _SEP + r"[,]?\s*" + _LETTER_WORD + CLAIM + _ENDS),
         "Not A, not C, not D, so B.", "B"),
    Rule("zh_answer", _rx(r"(?:答案|正确选项|最佳选项|正确的选项|最合适的选项|结论|答)" + _ZH_COPULA
                          + r"(?:选项|选)?\s*" + CLAIM),
         "综合分析，正确答案应为（Ｃ）", "C"),
    Rule("zh_choose", _rx(r"(?<!不)(?<!不应)(?:选择|改选|选)\s*[:：]?\s*" + CLAIM),
         "综上所述，故选B。", "B"),
    Rule("zh_revise", _rx(r"(?:改为|改成|更正为|修正为|更改为)\s*(?:选项)?\s*" + CLAIM),
         "答案：A。不对，应改为B。", "B"),
    Rule("zh_conclusion_letter", _rx(_ZH_THEREFORE + r"[，,：:\s]*(?:本题)?(?:应该?|就)?(?:是|为|选)?\s*(?:选项)?\s*"
                                     + CLAIM + _ENDS),
         "综上，**B**", "B"),
    Rule("zh_option_correct", _rx(r"(?:选项)?" + CLAIM + r"\s*(?:项|选项)?\s*(?:是)?\s*(?:正确|最合适|最恰当|最佳"
                                  r"|最符合|对的)"),
         "A项错误；D选项正确。", "D"),
)

# A claimed letter followed by these is discussed, not chosen ("Answer A is wrong", "答案A错误").
_NEGATED = re.compile(r"\s*(?:is\s+(?:not|wrong|incorrect|false|unlikely)|isn't|are\b|项?\s*(?:也|都)?\s*(?:是)?"
                      r"\s*(?:错误|不正确|不对|不符合|不是|错|不选))", re.IGNORECASE)
# "The answer is a drug…", "Answer: I think…": a word, not a letter.
_WORD_AFTER = re.compile(r"\s+(?:think|believe|guess|would|am|will|can|cannot|don't|need)\b", re.IGNORECASE)
_LOWER_WORD_AFTER = re.compile(r"\s+[a-z]")


@dataclass(frozen=True)
class Fallback:
    """Read only when no rule matched: how an answer without an answer statement looks."""

    name: str
    example: str
    expected: str | None


#: Fallbacks, tried in order (see :func:`_fallback`).
FALLBACKS: tuple[Fallback, ...] = (
    Fallback("bare_letter", "(C).", "C"),
    Fallback("last_line_letter_and_text", "Sugammadex encapsulates rocuronium.\n\nB. Sugammadex", "B"),
    Fallback("answer_in_words", "The answer is sugammadex.", "B"),
    Fallback("one_line_option_text", "Sugammadex", "B"),
)

_BARE = re.compile(r"^\s*[\(\[（]?\s*([A-Ia-i])\s*[\)\]）]?\s*[.。:：,，]?\s*$")
_LINE_LETTER = re.compile(r"^\s*[\(\[（]?([A-I])[\)\]）.。:：]\s*(.*?)\s*[.。]?\s*$")
_ANSWER_TEXT = re.compile(r"(?:(?:correct\s+|best\s+|final\s+)?answer(?:\s+is)?|best\s+choice\s+is|"
                          r"(?:正确|最终)?答案\s*(?:是|为|应为)?)\s*[:：]?\s*(.+)", re.IGNORECASE)
_DANGLING = re.compile(r"[-–—:：,，(（]\s*$")
_FINISHED = re.compile(r"[.。!！?？)）\]】\"”]\s*$")
_NEGATION = re.compile(r"\b(?:not|no|never|isn't|aren't|cannot|can't|don't|doesn't|wrong|incorrect)\b|[不非勿无没]",
                       re.IGNORECASE)
_THINK_OPEN = re.compile(r"<think(?:ing)?>", re.IGNORECASE)
_THINK_CLOSE = re.compile(r"</think(?:ing)?>", re.IGNORECASE)
_MARKDOWN = re.compile(r"\*\*|__|`+|\*|^#+\s*", re.MULTILINE)
MULTI = "*"  # internal marker: a statement naming two letters


@dataclass(frozen=True)
class Extraction:
    """The letter (or ``None``) and which rule or fallback decided it (``None``: nothing did)."""

    letter: str | None
    rule: str | None


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
    # "lidocaine with adrenaline" contains "lidocaine": keep only the most specific options.
    longest = [k for k in inside if not any(normed[k] != normed[o] and normed[k] in normed[o] for o in inside)]
    return longest[0] if len(longest) == 1 else None


def _continues_listing(lines: list[str], letter: str) -> bool:
    """Whether the line before the last one is the previous option of a listing ("D. …", then "E.")."""
    if len(lines) < 2 or letter == "A":
        return False
    m = _LINE_LETTER.match(lines[-2])
    return bool(m) and m.group(1) == chr(ord(letter) - 1)


def _statements(text: str) -> list[tuple[int, str, str]]:
    """(position, letter or MULTI, rule name) of every answer statement in ``text``."""
    found = []
    for rule in RULES:
        for m in rule.pattern.finditer(text):
            letter, end = m.group("x"), m.end("x")
            rest = text[end:]
            if _WORD_AFTER.match(rest) or (letter.islower() and _LOWER_WORD_AFTER.match(rest)):
                continue
            if _NEGATED.match(text, m.end()) or _NEGATED.match(rest):
                continue
            found.append((m.start("x"), MULTI if m.group("more") else letter.upper(), rule.name))
    return found


def _fallback(text: str, options: Mapping[str, str]) -> Extraction:
    stripped = text.strip()
    m = _BARE.match(stripped)
    if m:
        return Extraction(m.group(1).upper(), "bare_letter")
    lines = [ln for ln in stripped.splitlines() if ln.strip()]
    m = _LINE_LETTER.match(lines[-1]) if lines else None
    if m and m.group(1) in options and not _DANGLING.search(m.group(2)) and not _continues_listing(lines, m.group(1)):
        # "B. Sugammadex" concludes; "B. Sugammadex: acts by…", "C. Ketamine -" or a line "E."
        # right after "D. …" is an option listing cut short.
        rest = _norm(m.group(2))
        if rest in ("", _norm(options[m.group(1)])):
            return Extraction(m.group(1), "last_line_letter_and_text")
    answers = list(_ANSWER_TEXT.finditer(stripped))
    if answers:
        phrase = re.split(r"[.。;；,，]\s|\n", answers[-1].group(1))[0]
        letter = _option_from_text(phrase, options)
        return Extraction(letter, "answer_in_words" if letter else None)
    if len(lines) == 1 and len(stripped) <= 200:
        letter = _option_from_text(stripped, options)
        if letter and _norm(stripped) != _norm(options[letter]):
            # A sentence around the option text: it must be finished ("…encapsulates" is cut
            # off) and must not negate it ("不选A，丙泊酚…", "Propofol is not indicated.").
            rest = re.sub(re.escape(options[letter]), " ", stripped, flags=re.IGNORECASE)
            if not _FINISHED.search(stripped) or _NEGATION.search(rest):
                letter = None
        return Extraction(letter, "one_line_option_text" if letter else None)
    return Extraction(None, None)


def extract(response: str, options: Mapping[str, str]) -> Extraction:
    """Like :func:`extract_answer`, also naming the rule or fallback that decided."""
    if not response or not response.strip():
        return Extraction(None, None)
    text = _strip_reasoning(unicodedata.normalize("NFKC", response))
    if text is None or not text.strip():
        return Extraction(None, None)
    text = _MARKDOWN.sub("", text)
    valid = {k.upper() for k in options}
    found = _statements(text)
    if found:
        _, letter, rule = max(found, key=lambda f: f[0])
        return Extraction(letter if letter in valid else None, rule)
    got = _fallback(text, {k.upper(): v for k, v in options.items()})
    if got.letter is not None and got.letter not in valid:
        return Extraction(None, got.rule)
    return got


def extract_answer(response: str, options: Mapping[str, str]) -> str | None:
    """The option letter that ``response`` finally commits to, or ``None`` (see module docs).

    ``options`` maps letters (``"A"``…) to option texts; a letter not among them is never
    returned.
    """
    return extract(response, options).letter
