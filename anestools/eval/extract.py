"""Answer extraction: the letter a response commits to, or ``None`` when it commits to none.

Why not the paper's approach (a cascade of regexes ending in fuzzy matching of the whole
response against the option texts): that always returns *some* letter, so refusals, empty and
truncated responses are scored as random guesses and the no-answer rate is invisible.
``scripts/bench/extract.py`` measures both on a labelled set (``tests/eval/data``).

How a response is read:

1. Full-width forms are folded (NFKC), markdown emphasis removed, and reasoning inside
   ``<think>…</think>`` dropped; an unclosed ``<think>`` (truncated reasoning) is no answer.
   A base model that answered and then wrote a new question ("Question: …" / "问题：…" / "2. …？"
   followed by an option listing) is read up to that question. Numeric and ordinal references
   ("option 2", "the second choice", "第二项") become letters; a letter inside a quoted option
   text ("Hepatitis B", "Vitamin B12") is not a letter to the letter rules.
2. Every *answer statement* of the table :data:`RULES` is located; the **last** one wins, so a
   model that changes its mind is scored on its conclusion. A statement naming two letters
   ("A or C", "A和C") is a non-answer, as is a letter outside the options or a letter that
   contradicts the option text it quotes ("The answer is C. Sugammadex" when C is atropine).
   A conclusion marker before a lone letter that ends its sentence ("so B.", "That leaves A.",
   "综上，**B**", "所以是A。") is a statement; "So A is wrong." is not.
3. Without a statement (:data:`FALLBACKS`): a bare letter (a hedge before it is fine), a first
   line that opens with a letter (not an option listing), a last line ``B. <option text>``, an
   answer given in words that names exactly one option, a clause with a commit phrase ("is the
   most appropriate", "drug of choice", "首选") that names one option by its text and does not
   negate it, or a one-line finished sentence naming one option.
4. Anything else is ``None``, scored wrong and reported as the no-answer rate, never a guess.
   :class:`Extraction` says whether it is an explicit non-answer (a refusal or "none of the
   options", :data:`REFUSALS`; a text cut off mid-sentence; two letters…) or *undecided* — the
   only case the constrained answer pass (:mod:`anestools.eval.answer_pass`) may ask the model.

Each rule is a row (name, pattern, example, expected); the tests run every example.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

EXTRACTOR_VERSION = "4"  # bump whenever a rule changes: it is recorded in summary.json

# -- building blocks --------------------------------------------------------------------------
# CLAIM: one option letter in optional brackets/quotes; ``more`` catches a second letter
# joined by or/and/、/和/或 (a non-answer).
_OPEN = r"[\(\[（【\"'“]?\s*"
_CLOSE = r"\s*[\)\]）】\"'”]?"
_JOIN = r"\s*(?:\bor\b|\band\b|/|,|、|和|或者|或|与|及|&)\s*"
CLAIM = (_OPEN + r"(?P<x>[A-Ia-i])(?![A-Za-z0-9])" + _CLOSE
         + r"(?P<more>" + _JOIN + r"[\(\[（【\"']?\s*[A-Ia-i](?![A-Za-z0-9]))?")
_SEP = r"\s*[\]】]?\s*[:：=\-–—→]*\s*"
_COPULA = r"(?:\s+(?:is|was|would\s+be|should\s+be|must\s+be|will\s+be|=))?"
_ADV = r"(?:(?:probably|likely|most\s+likely|clearly|definitely|therefore|thus|indeed|actually)\s+)?"
_LETTER_WORD = r"(?:(?:option|choice|letter)\s*)?"
_ZH_COPULA = r"(?:应该是|应当是|应该为|应为|应是|可能是|就是|是|为|选|：|:|】|\]|\s)*"
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
                         r"(?:choose|select|pick|go\s+with|say|opt\s+for|lean\s+towards?)\s+" + _LETTER_WORD + CLAIM),
         "I'd lean towards B, though A is sometimes used.", "B"),
    Rule("my_guess", _rx(r"\bmy\s+(?:best\s+|final\s+)?(?:guess|pick|bet)\b" + _COPULA + _SEP + _LETTER_WORD
                         + CLAIM),
         "Hard to be certain. My best guess would be B.", "B"),
    Rule("conclusion_letter", _rx(r"(?:" + _EN_THEREFORE + r"[^.\n]{0,60}?\b(?:option|choice|answer)\b[^.\n]{0,40}?"
                                  r"\bis|" + _EN_THEREFORE + r"|\bis\s+(?:therefore|thus|hence)|\bby\s+elimination"
                                  r"|\b(?:that|which|this)\s+leaves(?:\s+us\s+with)?|\bleaving(?:\s+only)?)"
                                  + _SEP + r"[,]?\s*" + _LETTER_WORD + CLAIM + _ENDS),
         "Not A, not C, not D, so B.", "B"),
    Rule("zh_answer", _rx(r"(?:答案|正确选项|最佳选项|正确的选项|最合适的选项|结论|答)" + _ZH_COPULA
                          + r"(?:选项|选)?\s*" + CLAIM),
         "综合分析，正确答案应为（Ｃ）", "C"),
    Rule("zh_choose", _rx(r"(?<!不)(?<!不应)(?:选择|改选|选)\s*[:：]?\s*(?:选项)?\s*" + CLAIM),
         "综上所述，故选B。", "B"),
    Rule("zh_revise", _rx(r"(?:改为|改成|更正为|修正为|更改为)\s*(?:选项)?\s*" + CLAIM),
         "答案：A。不对，应改为B。", "B"),
    Rule("zh_conclusion_letter", _rx(_ZH_THEREFORE + r"[，,：:\s]*(?:本题)?(?:应该?|就)?(?:是|为|选)?\s*(?:选项)?\s*"
                                     + CLAIM + _ENDS),
         "综上，**B**", "B"),
    Rule("zh_hedge", _rx(r"(?<!不)(?:我认为|我觉得|倾向于|可能|大概|估计)\s*(?:是|选|为|选择)?\s*(?:选项)?\s*" + CLAIM
                         + r"\s*(?:吧|呢|了)?" + _ENDS),
         "不太确定，可能是B吧。", "B"),
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
# What may stand between a claimed letter and the option text it quotes ("C. Sugammadex", "(A) Ketamine").
_QUOTE_GAP = re.compile(r"[\s\)\]）】\"'”]*[.:：、,，\-–—]?\s*")


@dataclass(frozen=True)
class Fallback:
    """Read only when no rule matched: how an answer without an answer statement looks."""

    name: str
    example: str
    expected: str | None


#: Fallbacks, tried in order (see :func:`_fallback`).
FALLBACKS: tuple[Fallback, ...] = (
    Fallback("bare_letter", "(C).", "C"),
    Fallback("bare_letter", "Probably B.", "B"),
    Fallback("leading_letter", "B. Sugammadex. Unlike A (neostigmine), it works at deep block; C and D do not.", "B"),
    Fallback("leading_letter", "B — A and C lower the pressure.", "B"),
    Fallback("last_line_letter_and_text", "Sugammadex encapsulates rocuronium.\n\nB. Sugammadex", "B"),
    Fallback("answer_in_words", "The answer is sugammadex.", "B"),
    Fallback("option_text_commit", "Deep block cannot be reversed by neostigmine. The drug of choice is sugammadex.",
             "B"),
    Fallback("option_text_commit", "深度阻滞时新斯的明无效，应首选舒更葡糖钠进行拮抗。", "B"),
    Fallback("one_line_option_text", "Sugammadex", "B"),
)

#: Responses that commit to no option on purpose; they are never sent to the answer pass.
REFUSALS: tuple[Fallback, ...] = (
    Fallback("refusal", "I'm sorry, but I can't provide medical advice.", None),
    Fallback("refusal", "题目信息不足，无法确定正确答案。", None),
    Fallback("none_of_the_options", "None of the options is correct; the right drug is not listed.", None),
    Fallback("none_of_the_options", "以上选项均不正确。", None),
)

_BARE = re.compile(r"^\s*(?:(?:probably|likely|most\s+likely|maybe|perhaps|definitely|answer)\s*[:,]?\s*)?"
                   r"[\(\[（]?\s*([A-Ia-i])\s*[\)\]）]?\s*[.。:：,，]?\s*$", re.IGNORECASE)
_LINE_LETTER = re.compile(r"^\s*[\(\[（]?([A-I])[\)\]）.。:：]\s*(.*?)\s*[.。]?\s*$")
# A first line that opens with a letter and goes on ("B. Sugammadex. Unlike A…", "B — A and C…", "B。舒更…").
_LEADING = re.compile(r"^\s*[\(\[（]?([A-I])(?:[\)\]）]\s*|\s*[.。:：、]\s*|\s+[—–-]\s+|\s*$)(.*)$")
_ANSWER_TEXT = re.compile(r"(?:(?:correct\s+|best\s+|final\s+)?answer(?:\s+is)?|best\s+choice\s+is|"
                          r"(?:正确|最终)?答案\s*(?:是|为|应为)?)\s*[:：]?\s*(.+)", re.IGNORECASE)
_DANGLING = re.compile(r"[-–—:：,，(（]\s*$")
_FINISHED = re.compile(r"[.。!！?？)）\]】\"”]\s*$")
_NEGATION = re.compile(r"\b(?:not|no|never|isn't|aren't|cannot|can't|don't|doesn't|wrong|incorrect|avoid)\b"
                       r"|[不非勿无没]|避免", re.IGNORECASE)
# A clause that commits to what it names ("X is the most appropriate choice", "the drug of choice is X",
# "应首选X", "X是最合适的"); the option is then found by its text.
_COMMIT = re.compile(
    r"\b(?:is|would\s+be|remains)\s+(?:the\s+)?(?:most\s+(?:appropriate|suitable|likely|accurate)|best|correct|right"
    r"|preferred|ideal|first[-\s]line|answer)\b|\b(?:drug|agent|treatment|answer|option|choice)\s+of\s+choice\b"
    r"|\b(?:is|are)\s+the\s+(?:answer|choice)\b|\bI\s+would\s+(?:choose|select|pick|use|give)\b"
    r"|最合适|最佳|首选|应选|宜选|宜用|最恰当|最适合|正确答案|是正确的", re.IGNORECASE)
_CLAUSE = re.compile(r"[.;!?。；！？，,]\s*|\n")
_REFUSAL = re.compile(
    r"\b(?:I'm\s+sorry|I\s+am\s+sorry|I\s+(?:cannot|can't|am\s+not\s+able\s+to|am\s+unable\s+to)\s+"
    r"(?:answer|help|provide|give|determine|choose|decide)|(?:cannot|can't|impossible\s+to)\s+(?:be\s+)?determine"
    r"|as\s+an\s+AI)\b|抱歉|无法(?:回答|确定|判断|提供|选择)|不能(?:回答|确定|提供)", re.IGNORECASE)
_NONE_OF = re.compile(
    r"\bnone\s+of\s+(?:the\s+)?(?:options|choices|answers|above|listed\s+\w+)\b[^.\n]{0,40}?\b(?:is|are)\s+"
    r"(?:correct|right|appropriate)|\bnone\s+of\s+(?:the\s+)?(?:options|choices)\b"
    r"|(?:以上)?(?:选项|答案)?(?:均|都|皆|全)(?:不正确|不对|错误|不是)|以上都不是|以上皆非", re.IGNORECASE)
# A base model that answered and went on to write a new question: "Question: …", "问题：…", "2. …？",
# followed by an option listing. Everything from that line on is not this response's answer.
_NEW_QUESTION = re.compile(r"^[ \t]*(?:(?:Question|Q)\s*\d*\s*[:：.]|(?:问题|题目)\s*\d*\s*[:：]|\d+\s*[.、．]"
                           r"[^\n]*[?？][ \t]*$)[^\n]*\n(?:[^\n]*\n){0,3}?[ \t]*\(?[A-I][.、．)]", re.IGNORECASE | re.MULTILINE)
# Numeric and ordinal option references become letters ("option 2", "the second choice", "第二项").
_ORDINALS = {w: i for i, w in enumerate(("first", "second", "third", "fourth", "fifth", "sixth", "seventh",
                                         "eighth", "ninth"), 1)}
_ORDINALS.update({f"{i}{suf}": i for i, suf in zip(range(1, 10), ("st", "nd", "rd", "th", "th", "th", "th", "th",
                                                                     "th"))})
_EN_ORDINAL = re.compile(r"\b(?:(?:option|choice)\s+(?:number\s+|no\.?\s*|#)?([1-9])(?![\d.,]\d)\b"
                         r"|(?:the\s+)?(" + "|".join(_ORDINALS) + r")\s+(?:option|choice|answer|one)\b)",
                         re.IGNORECASE)
_ZH_NUM = "一二三四五六七八九"
_ZH_ORDINAL = re.compile(r"第\s*([1-9一二三四五六七八九])\s*(?:个选项|个|项|选项)")
_THINK_OPEN = re.compile(r"<think(?:ing)?>", re.IGNORECASE)
_THINK_CLOSE = re.compile(r"</think(?:ing)?>", re.IGNORECASE)
_MARKDOWN = re.compile(r"\*\*|__|`+|\*|^#+\s*", re.MULTILINE)
MULTI = "*"  # internal marker: a statement naming two letters
CONTRA = "!"  # internal marker: a letter that contradicts the option text it quotes

ANSWER, NO_ANSWER, UNDECIDED = "answer", "no_answer", "undecided"


@dataclass(frozen=True)
class Extraction:
    """The letter (or ``None``), which rule or fallback decided it, and the response's status.

    ``status``: ``answer`` (a letter), ``no_answer`` (an explicit non-answer: a refusal, two
    letters, a letter outside the options or contradicting its quoted text, a response cut off),
    or ``undecided`` (no rule could read it: the answer pass may ask the model). ``rule`` names an
    answer statement or fallback; a non-answer found by :data:`REFUSALS` or by the shape of the
    text has ``rule`` ``None`` and says why in ``reason``.
    """

    letter: str | None
    rule: str | None
    status: str = UNDECIDED
    reason: str | None = None  # why a response with no rule is no answer: refusal, cut_off, empty…

    @property
    def undecided(self) -> bool:
        return self.status == UNDECIDED


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


def _mentions(text: str, options: Mapping[str, str]) -> list[str]:
    """Letters whose option text ``text`` contains, keeping only the most specific (nested texts)."""
    p = _norm(text)
    normed = {k: _norm(v) for k, v in options.items() if _norm(v)}
    inside = [k for k, v in normed.items() if re.search(rf"(?<!\w){re.escape(v)}(?!\w)", p)
              or (not v.isascii() and v in p)]
    # "lidocaine with adrenaline" contains "lidocaine": keep only the most specific options.
    return [k for k in inside if not any(normed[k] != normed[o] and normed[k] in normed[o] for o in inside)]


def _option_from_text(phrase: str, options: Mapping[str, str]) -> str | None:
    """Letter whose option text the phrase states (exact, or the one option it contains)."""
    p = _norm(phrase)
    if not p:
        return None
    exact = [k for k, v in options.items() if _norm(v) and _norm(v) == p]
    if len(exact) == 1:
        return exact[0]
    longest = _mentions(phrase, options)
    return longest[0] if len(longest) == 1 else None


def _quoted_other(text: str, end: int, letter: str, options: Mapping[str, str]) -> bool:
    """Whether the text right after a claimed letter quotes another option's text, not its own."""
    rest = text[end:].split("\n", 1)[0]
    rest = _norm(rest[_QUOTE_GAP.match(rest).end():])  # type: ignore[union-attr]
    if not rest:
        return False

    def quotes(k: str) -> bool:
        v = _norm(options[k])
        return bool(v) and (rest == v or rest.startswith(v + " ") or (not v.isascii() and rest.startswith(v)))

    own = letter in options and quotes(letter)
    return not own and any(quotes(k) for k in options if k != letter)


def _continues_listing(lines: list[str], letter: str) -> bool:
    """Whether the line before the last one is the previous option of a listing ("D. …", then "E.")."""
    if len(lines) < 2 or letter == "A":
        return False
    m = _LINE_LETTER.match(lines[-2])
    return bool(m) and m.group(1) == chr(ord(letter) - 1)


def _mask_letters_in_options(text: str, options: Mapping[str, str]) -> str:
    """``text`` with the letters inside quoted option texts blanked ("Hepatitis B" -> "Hepatitis ∗").

    Same length as ``text``, so positions agree; letter rules read the masked text, option-text
    matching the plain one.
    """
    for value in options.values():
        if not re.search(r"(?<![A-Za-z])[A-I](?![A-Za-z0-9])", value):
            continue
        masked = re.sub(r"(?<![A-Za-z])[A-I](?![A-Za-z0-9])", "∗", value)
        text = re.sub(re.escape(value), lambda _m, masked=masked: masked, text, flags=re.IGNORECASE)
    return text


def _ordinals_to_letters(text: str) -> str:
    def en(m: re.Match[str]) -> str:
        n = int(m.group(1)) if m.group(1) else _ORDINALS[m.group(2).lower()]
        return f"option {chr(ord('A') + n - 1)}"

    def zh(m: re.Match[str]) -> str:
        d = m.group(1)
        n = int(d) if d.isdigit() else _ZH_NUM.index(d) + 1
        return f"选项{chr(ord('A') + n - 1)}"

    return _ZH_ORDINAL.sub(zh, _EN_ORDINAL.sub(en, text))


def _statements(text: str, options: Mapping[str, str]) -> list[tuple[int, str, str]]:
    """(position, letter or MULTI/CONTRA, rule name) of every answer statement in ``text``."""
    found = []
    for rule in RULES:
        for m in rule.pattern.finditer(text):
            letter, end = m.group("x"), m.end("x")
            rest = text[end:]
            if _WORD_AFTER.match(rest) or (letter.islower() and _LOWER_WORD_AFTER.match(rest)):
                continue
            if _NEGATED.match(text, m.end()) or _NEGATED.match(rest):
                continue
            if m.group("more"):
                letter = MULTI
            elif _quoted_other(text, end, letter.upper(), options):
                letter = CONTRA
            found.append((m.start("x"), letter.upper(), rule.name))
    return found


def _leading_letter(lines: list[str], options: Mapping[str, str]) -> Extraction | None:
    """A first line that opens with a letter, unless the response is an option listing."""
    m = _LEADING.match(lines[0]) if lines else None
    if not m or m.group(1) not in options:
        return None
    if sum(bool(_LINE_LETTER.match(ln)) for ln in lines) > 1:  # "A. …\nB. …": a listing, not an answer
        return None
    rest = m.group(2).strip()
    if not rest and len(lines) == 1:
        return None  # a lone letter is bare_letter's
    if rest and _DANGLING.search(rest) and len(lines) == 1:
        return None  # "B. Sugammadex: acts by" cut short
    if rest and _quoted_other(lines[0], m.end(1), m.group(1), options):
        return Extraction(None, "leading_letter", NO_ANSWER)
    return Extraction(m.group(1), "leading_letter", ANSWER)


def _option_commit(text: str, options: Mapping[str, str]) -> str | None:
    """The last clause with a commit phrase that names exactly one option by its text, not negated."""
    chosen = None
    for clause in _CLAUSE.split(text):
        if not _COMMIT.search(clause):
            continue
        named = _mentions(clause, options)
        if len(named) != 1:
            continue
        rest = re.sub(re.escape(options[named[0]]), " ", clause, flags=re.IGNORECASE)
        if _NEGATION.search(rest):
            continue
        chosen = named[0]
    return chosen


def _fallback(text: str, masked: str, options: Mapping[str, str]) -> Extraction:
    """Letter-shaped fallbacks read ``masked`` (no letters inside option texts), the others ``text``."""
    stripped = text.strip()
    m = _BARE.match(masked.strip())
    if m:
        return Extraction(m.group(1).upper(), "bare_letter", ANSWER)
    lines = [ln for ln in stripped.splitlines() if ln.strip()]
    mlines = [ln for ln in masked.strip().splitlines() if ln.strip()]
    lead = _leading_letter(mlines, options)
    if lead is not None:
        return lead
    m = _LINE_LETTER.match(mlines[-1]) if mlines else None
    if m and m.group(1) in options and not _DANGLING.search(m.group(2)) and not _continues_listing(lines, m.group(1)):
        # "B. Sugammadex" concludes; "B. Sugammadex: acts by…", "C. Ketamine -" or a line "E."
        # right after "D. …" is an option listing cut short.
        rest = _norm(m.group(2))
        if rest in ("", _norm(options[m.group(1)])):
            return Extraction(m.group(1), "last_line_letter_and_text", ANSWER)
    answers = list(_ANSWER_TEXT.finditer(stripped))
    if answers:
        phrase = re.split(r"[.。;；,，]\s|\n", answers[-1].group(1))[0]
        letter = _option_from_text(phrase, options)
        if letter:
            return Extraction(letter, "answer_in_words", ANSWER)
    letter = _option_commit(stripped, options)
    if letter:
        return Extraction(letter, "option_text_commit", ANSWER)
    if len(lines) == 1 and len(stripped) <= 200:
        letter = _option_from_text(stripped, options)
        if letter and _norm(stripped) != _norm(options[letter]):
            # A sentence around the option text: it must be finished ("…encapsulates" is cut
            # off) and must not negate it ("不选A，丙泊酚…", "Propofol is not indicated.").
            rest = re.sub(re.escape(options[letter]), " ", stripped, flags=re.IGNORECASE)
            if not _FINISHED.search(stripped) or _NEGATION.search(rest):
                letter = None
        if letter:
            return Extraction(letter, "one_line_option_text", ANSWER)
    for pattern, name in ((_NONE_OF, "none_of_the_options"), (_REFUSAL, "refusal")):
        if pattern.search(stripped):
            return Extraction(None, None, NO_ANSWER, name)
    if lines and not _FINISHED.search(lines[-1]) and not answers:
        return Extraction(None, None, NO_ANSWER, "cut_off")  # ends mid-sentence: truncated, not undecided
    return Extraction(None, None, UNDECIDED)


def extract(response: str, options: Mapping[str, str]) -> Extraction:
    """Like :func:`extract_answer`, also naming the rule or fallback that decided, and the status."""
    if not response or not response.strip():
        return Extraction(None, None, NO_ANSWER, "empty")
    text = _strip_reasoning(unicodedata.normalize("NFKC", response))
    if text is None:
        return Extraction(None, None, NO_ANSWER, "unclosed_think")
    cut = _NEW_QUESTION.search(text)
    if cut:
        text = text[:cut.start()]
    if not text.strip():
        return Extraction(None, None, NO_ANSWER, "empty")
    opts = {k.upper(): v for k, v in options.items()}
    text = _ordinals_to_letters(_MARKDOWN.sub("", text))
    masked = _mask_letters_in_options(text, opts)
    found = _statements(masked, opts)
    if found:
        _, letter, rule = max(found, key=lambda f: f[0])
        if letter in opts:
            return Extraction(letter, rule, ANSWER)
        return Extraction(None, rule, NO_ANSWER)
    got = _fallback(text, masked, opts)
    if got.letter is not None and got.letter not in opts:
        return Extraction(None, got.rule, NO_ANSWER)
    return got


def extract_answer(response: str, options: Mapping[str, str]) -> str | None:
    """The option letter that ``response`` finally commits to, or ``None`` (see module docs).

    ``options`` maps letters (``"A"``…) to option texts; a letter not among them is never
    returned.
    """
    return extract(response, options).letter
