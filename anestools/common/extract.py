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
   Also (v5): the last sentence's lone letter in a concluding position ("…is false: B.", "…is B –
   bupivacaine."), and an option text standing as the first or last sentence ("None of the above.").
4. Abstaining beats guessing (the extractor is also the RL reward): a conclusion taken back with
   nothing after it ("答案B。不对，…"), or offered next to another letter ("…maybe C. Or B if…",
   "可能是A，也可能是B"), is *undecided*; a base model's new question is found by its option
   listing, whose texts are not this question's, under a numbered or question stem.
5. Anything else is ``None``, scored wrong and reported as the no-answer rate, never a guess.
   :class:`Extraction` says whether it is an explicit non-answer (a refusal or "none of the
   options", :data:`REFUSALS`; a text cut off mid-sentence; two letters…) or *undecided* — the
   only case the constrained answer pass (:mod:`anestools.eval.answer_pass`) may ask the model.

6. v6: a statement counts only when the response asserts it (not under a counterfactual "if…
   would", not someone else's view, not a negated belief: "Many people would say the answer is
   A", "I don't think it's B"); an option restated by its distinctive words after a commit phrase
   counts when no other option comes close (a margin over the runner-up); a letter contradicts
   only a text it quotes, not a new sentence about another option; hedge heads before one letter
   ("I'm fairly sure it's B", "Probably B, but…") commit, "Probably not B" does not.

Each rule is a row (name, pattern, example, expected); the tests run every example.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

EXTRACTOR_VERSION = "6"  # bump whenever a rule changes: it is recorded in summary.json

# -- building blocks --------------------------------------------------------------------------
# CLAIM: one option letter in optional brackets/quotes; ``more`` catches a second letter
# joined by or/and/、/和/或 (a non-answer).
_OPEN = r"[\(\[（【\"'“]?\s*"
_CLOSE = r"\s*[\)\]）】\"'”]?"
_JOIN = r"\s*(?:\bor\b|\band\b|/|,|、|和|或者|或|还是|与|及|&)\s*"
CLAIM = (_OPEN + r"(?P<x>[A-Ia-i])(?![A-Za-z0-9])" + _CLOSE
         + r"(?P<more>" + _JOIN + r"[\(\[（【\"']?\s*[A-Ia-i](?![A-Za-z0-9]))?")
_SEP = r"\s*[\]】]?\s*[:：=\-–—→]*\s*"
_COPULA = r"(?:\s+(?:is|was|would\s+be|should\s+be|must\s+be|will\s+be|=))?"
_ADV = (r"(?:(?:probably|likely|most\s+likely|clearly|definitely|therefore|thus|indeed|actually|obviously|certainly"
        r"|surely|undoubtedly)\s+)?")
_LETTER_WORD = r"(?:(?:option|choice|letter|选项)\s*)?"
_ZH_COPULA = r"(?:应该是|应当是|应该为|应为|应是|可能是|就是|是|为|选|：|:|】|\]|\s)*"
# A conclusion's letter stands alone: it ends its sentence ("so B.", "故B。", "综上，B").
_ENDS = r"(?=\s*(?:[.。!！;；]|$))"
_ENDS_CLAUSE = r"(?=\s*(?:[.。!！;；，,]|$))"
# A letter may be followed by its own option text in brackets: "B (Sugammadex)", "B（瑞芬太尼）".
_OWN_TEXT = r"(?:\s*[\(（][^\)）\n]{1,60}[\)）])?"
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
    Rule("json_field", _rx(r"[\"'](?:final_answer|answer|choice|correct_answer|option|letter|selected_option|prediction|答案)[\"']\s*:\s*\[?\s*"
                           + CLAIM),
         '{"answer": "c", "explanation": "..."}', "C"),
    Rule("answer_is", _rx(r"\b(?:(?:final|correct|best|right|my|most\s+likely|textbook)\s+)*answers?\b"
                          r"(?:\s+(?:to|for)\s+(?:this|the)\s+(?:question|item|one))?"
                          r"(?:\s+(?:they|the\s+examiners?)\s+(?:want|expect|are\s+looking\s+for))?" + _COPULA
                          + _SEP + _ADV + _LETTER_WORD + CLAIM),
         "The answer is probably B.", "B"),
    Rule("qualified_option_is", _rx(r"\b(?:correct|best|right|final|preferred|my)\s+(?:option|choice|response"
                                    r"|selection)(?:\s+here)?" + _COPULA + _SEP + _LETTER_WORD + CLAIM),
         "The correct option is (c) atropine.", "C"),
    Rule("choice_or_conclusion", _rx(r"\b(?:choice|conclusion|final)\s*[:：]\s*" + _LETTER_WORD + CLAIM),
         "Conclusion: (C)", "C"),
    Rule("letter_is_correct", _rx(r"(?<![A-Za-z])" + _LETTER_WORD + CLAIM + r"(?:\s*\([^)\n]{1,80}\))?,?\s+(?:(?:is|seems|looks|appears|sounds|would\s+be)\s+(?:to\s+be\s+)?"
                                  r"(?:the\s+|your\s+|my\s+)?(?:correct|right|best|answer|pick|choice|most\s+(?:appropriate"
                                  r"|suitable|likely|accurate))\b|makes\s+the\s+most\s+sense)"),
         "Therefore option C is the answer.", "C"),
    Rule("it_is_letter", _rx(r"\b(?:it|this)(?:'s|\s+is|\s+must\s+be)\s+" + _LETTER_WORD + CLAIM
                             + r"(?=\s*(?:[.。!;]|$))"),
         "The answer is not B; it is D.", "D"),
    Rule("i_choose", _rx(r"(?:\b(?:I|we|you)(?:'d|'ll|'m\s+going\s+to|\s+am\s+going\s+to|\s+would|\s+will"
                         r"|\s+should)?\s+(?:choose|select|pick|go\s+with|say|opt\s+for|lean\s+towards?|recommend"
                         r"|suggest|want)\s+|(?:^|[:;.]\s*|\band\s+)(?:go\s+with|pick|choose|select)\s+)" + _LETTER_WORD + CLAIM
                         + r"(?!\s*to\s)"),  # "You want B to be right": not a choice
         "I'd lean towards B, though A is sometimes used.", "B"),
    Rule("hedge_commit", _rx(r"(?:(?:^|[.!;:]\s*)(?:probably|most\s+likely|likely|almost\s+certainly|(?:I'm\s+)?leaning(?:\s+towards?)?)"
                             r"|\bI\s+agree|\bmy\s+(?:instinct|gut|hunch)\s+says|"
                             r"\bI\s+(?:think|believe|suspect|guess|reckon|feel)|I(?:'m|\s+am)\s+(?:fairly\s+"
                             r"|pretty\s+|quite\s+)?(?:sure|confident|certain)|if\s+I\s+(?:had|have)\s+to\s+(?:pick"
                             r"|choose|guess)(?:\s+one)?)(?:\s+(?:that\s+)?(?:it(?:'s|\s+is|\s+would\s+be)|the\s+answer"
                             r"\s+(?:is|would\s+be)))?[\s,:]*" + _LETTER_WORD + CLAIM
                             + r"(?=\s*(?:[.。!！;；,]|$|\s+is\s+(?:what|correct|right|it\b|the\s+(?:answer|one|best"
                             r"|correct|right)\b)))"),
         "Not 100% sure, but I think B.", "B"),
    Rule("my_guess", _rx(r"\bmy\s+(?:best\s+|final\s+)?(?:guess|pick|bet)\b" + _COPULA + _SEP + _LETTER_WORD
                         + CLAIM),
         "Hard to be certain. My best guess would be B.", "B"),
    Rule("conclusion_letter", _rx(r"(?:" + _EN_THEREFORE + r"[^.\n]{0,60}?\b(?:option|choice|answer)\b[^.\n]{0,40}?"
                                  r"\bis|" + _EN_THEREFORE + r"|\bis\s+(?:therefore|thus|hence)|\bby\s+elimination"
                                  r"|\b(?:that|which|this)\s+leaves(?:\s+us\s+with)?|\bleaving(?:\s+only)?"
                                  r"|\b(?:points?|pointing)\s+(?:us\s+)?to|\bbottom\s+line|\bwe(?:'re|\s+are)\s+"
                                  r"looking\s+at)"
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
    Rule("zh_hedge", _rx(r"(?<!不)(?:我认为|我觉得|我猜|倾向于?|可能|大概|估计)\s*(?:是|选|为|选择)?\s*(?:选项)?\s*" + CLAIM
                         + _OWN_TEXT + r"\s*(?:吧|呢|了)?" + _ENDS_CLAUSE),
         "我倾向于 B (Sugammadex)，because it forms a complex with rocuronium.", "B"),
    Rule("zh_should_be", _rx(r"(?<!不)(?:应该是|应当是|应该选|应该为|应是|应为|当选)\s*(?:选项)?\s*" + CLAIM
                             + r"(?:\s*[吧呢](?=\s*[，,。.！!]|$)|" + _ENDS + ")"),
         "答案B。不对，重新想一下：绝大部分以碳酸氢盐形式运输，应该是C。", "C"),
    Rule("not_but_letter", _rx(r"(?:而是|而应是|而应该是|\bbut\s+(?:rather\s+|here\s+|in\s+this\s+case\s+|this\s+time\s+)?|\brather\s+)" + _LETTER_WORD + CLAIM
                               + _ENDS),
         "答案肯定不是D（反射亢进是镁缺乏的表现），而是A。", "A"),
    Rule("zh_option_correct", _rx(r"(?:选项)?" + CLAIM + r"\s*(?:项|选项)?\s*(?:是)?\s*(?:正确|最合适|最恰当|最佳"
                                  r"|最符合|对的)"),
         "A项错误；D选项正确。", "D"),
)

# A claimed letter followed by these is discussed, not chosen ("Answer A is wrong", "答案A错误").
_ASKED = re.compile(r"[^.。!！;；\n]{0,30}?[?？]")
_NEGATED = re.compile(r"\s*(?:is\s+(?:not|wrong|incorrect|false|unlikely)|isn't|are\b|项?\s*(?:也|都)?\s*(?:是)?"
                      r"\s*(?:错误|不正确|不对|不符合|不是|错|不选))", re.IGNORECASE)
# "The answer is a drug…", "Answer: I think…": a word, not a letter.
_WORD_AFTER = re.compile(r"\s+(?:think|believe|guess|would|am|will|can|cannot|don't|need)\b", re.IGNORECASE)
_LOWER_WORD_AFTER = re.compile(r"\s+[a-z]")
# What may stand between a claimed letter and the option text it quotes ("C. Sugammadex", "(A) Ketamine").
_QUOTE_GAP = re.compile(r"[\s\)\]）】\"'”]*[.。:：、,，\-–—]?\s*")


@dataclass(frozen=True)
class Fallback:
    """Read only when no rule matched: how an answer without an answer statement looks."""

    name: str
    example: str
    expected: str | None


#: Fallbacks, tried in order (see :func:`_fallback`).
FALLBACKS: tuple[Fallback, ...] = (
    Fallback("bare_letter", "(C).", "C"),
    Fallback("bare_letter", "B, most likely.", "B"),
    Fallback("leading_letter", "B. Sugammadex. Unlike A (neostigmine), it works at deep block; C and D do not.", "B"),
    Fallback("leading_letter", "B — A and C lower the pressure.", "B"),
    Fallback("last_line_letter_and_text", "Sugammadex encapsulates rocuronium.\n\nB. Sugammadex", "B"),
    Fallback("final_letter", "Sugammadex binds it; neostigmine cannot at deep block. The statement is false: B.", "B"),
    Fallback("final_letter", "A and C do not reverse it. The reversal agent here is B – sugammadex.", "B"),
    Fallback("answer_in_words", "The answer is sugammadex.", "B"),
    Fallback("answer_in_words", "【答案】\n舒更葡糖钠（B）\n【解析】可包裹罗库溴铵。", "B"),
    Fallback("option_text_commit", "Deep block cannot be reversed by neostigmine. The drug of choice is sugammadex.",
             "B"),
    Fallback("option_text_commit", "深度阻滞时新斯的明无效，应首选舒更葡糖钠进行拮抗。", "B"),
    Fallback("option_sentence", "A deep block needs an encapsulating agent, given promptly.\n\nSugammadex.", "B"),
    Fallback("option_sentence", "深度阻滞需要包裹型拮抗剂。\n所以选用的是舒更葡糖钠。", "B"),
    Fallback("one_line_option_text", "Sugammadex", "B"),
)

#: Responses that commit to no option on purpose; they are never sent to the answer pass.
REFUSALS: tuple[Fallback, ...] = (
    Fallback("refusal", "I'm sorry, but I can't provide medical advice.", None),
    Fallback("refusal", "题目信息不足，无法确定正确答案。", None),
    Fallback("none_of_the_options", "None of the options is correct; the right drug is not listed.", None),
    Fallback("none_of_the_options", "以上选项均不正确。", None),
)

_BARE = re.compile(r"^\s*(?:(?:probably|likely|most\s+likely|maybe|perhaps|definitely|answer|option|choice)\s*[:,]?\s*)?"
                   r"[\(\[（]?\s*([A-Ia-i])\s*[\)\]）]?\s*(?:[,，]\s*(?:most\s+likely|probably|likely|I\s+think|I'd\s+say|I\s+guess)"
                   r"\s*)?[.。:：,，]?\s*$", re.IGNORECASE)
_LINE_LETTER = re.compile(r"^\s*[\(\[（]?([A-I])[\)\]）.。:：]\s*(.*?)\s*[.。]?\s*$")
# A first line that opens with a letter and goes on ("B. Sugammadex. Unlike A…", "B — A and C…", "B。舒更…").
_LEADING = re.compile(r"^\s*[\(\[（]?([A-I])(?:[\)\]）]\s*|\s*[.。:：、]\s*|\s+[—–-]\s+|\s*$)(.*)$")
_ANSWER_TEXT = re.compile(r"(?:(?:correct\s+|best\s+|final\s+)?answer(?:\s+is)?|best\s+choice\s+is|"
                          r"\b(?:best|final|choice|conclusion)\s*[:：]|"
                          r"(?:正确|最终)?答案\s*(?:是|为|应为)?)\s*[\]】]?\s*[:：]?\s*(.+)", re.IGNORECASE)
# A JSON answer field holding an option's text ({"choice": "False"}).
_JSON_TEXT = re.compile(r"[\"'](?:final_answer|answer|choice|correct_answer|option|答案)[\"']\s*:\s*[\"']([^\"'\n]+)[\"']",
                        re.IGNORECASE)
_BRACKET_LETTER = re.compile(r"[\(（]\s*([A-I])\s*[\)）]")
_DANGLING = re.compile(r"[-–—:：,，(（]\s*$")
_FINISHED = re.compile(r"[.。!！?？)）\]】\"”}]\s*$")
_NEGATION = re.compile(r"\b(?:not|no|never|isn't|aren't|cannot|can't|don't|doesn't|wrong|incorrect|avoid"
                       r"|rul(?:e|ed|ing)\s+out|exclud\w*|eliminat\w*)\b|[不非勿无没]|避免|排除", re.IGNORECASE)
# A clause that commits to what it names ("X is the most appropriate choice", "the drug of choice is X",
# "应首选X", "X是最合适的"); the option is then found by its text.
_COMMIT = re.compile(
    r"\b(?:is|would\s+be|remains)\s+(?:the\s+)?(?:most\s+(?:appropriate|suitable|likely|accurate)|best|correct|right"
    r"|preferred|ideal|first[-\s]line|answer)\b|\b(?:drug|agent|treatment|answer|option|choice)\s+of\s+choice\b"
    r"|\b(?:is|are)\s+the\s+(?:answer|choice|one)\b"
    r"|\bI(?:\s+would|'d|'ll|\s+will)\s+(?:probably\s+|just\s+)?(?:choose|select|pick|use|give|go\s+with|go\s+for"
    r"|reach\s+for|opt\s+for|start\s+with|say|proceed\s+with|wake|place|insert|perform|administer|do|try)\b"
    r"|\b(?:key|definitive|first|first-line|next|best|right|correct|initial|main|appropriate)\s+(?:step|treatment"
    r"|management|move|action|agent|drug|intervention|approach|therapy|measure)\s+(?:here\s+)?(?:is|would\s+be)\b"
    r"|\b(?:start|begin)\s+with\b|\bshould\s+be\s+(?:done|given|reversed|treated"
    r"|managed|performed)\s+with\b|\b(?:which|that|this)\s+leaves(?:\s+us\s+with)?\b|\bleaving(?:\s+only)?\b"
    r"|^[^,]{1,60}\s+it\s+is\s*$"
    r"|最合适|最佳|首选|首先应|应选|宜选|宜用|最恰当|最适合|正确答案|是正确的|只能用|应(?:该|当)?(?:立即)?(?:使用|用|给予|静脉注射)"
    r"|剩下|只剩", re.IGNORECASE)
# "…, though I'm not fully certain", "不太确定": a hedge on the answer, not a negation of it.
_DISCLAIMER = re.compile(r"[,，]?\s*(?:though|although|but)?\s*I(?:'m|\s+am)\s+not\s+(?:\w+\s+)?(?:sure|certain)\b"
                         r"|[,，]?\s*(?:不太|不)确定", re.IGNORECASE)
# "A jaw thrust might help, but an LMA…", "Jaw thrust or an LMA, either…": not a one-option sentence.
_TURNS_OR_OFFERS = re.compile(r"\b(?:but|however|either|or|whereas)\b|但|不过|或者|或|还是", re.IGNORECASE)
_CLAUSE = re.compile(r"(?:[;!?。；！？，,]|\.(?!\d))\s*|\n")  # not "2.5 mg"
_CLAUSE_SPAN = re.compile(r"((?:[^;!?。；！？，,.\n]|\.(?=\d))*)((?:[;!?。；！？，,]|\.(?!\d))\s*|\n|$)")
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
_NUMBER_WORDS = {w: i for i, w in enumerate(("one", "two", "three", "four", "five", "six", "seven", "eight", "nine"), 1)}
_EN_ORDINAL = re.compile(r"\b(?:(?:option|choice|(?:(?<=with\s)|(?<=pick\s)|(?<=choose\s)|(?<=select\s))number)"
                         r"\s*(?:number\s+|no\.?\s*|#)?([1-9]|" + "|".join(_NUMBER_WORDS)
                         + r")(?![\d.,]\d)\b"
                         r"|(?:the\s+)?(" + "|".join(_ORDINALS) + r")\s+(?:option|choice|answer|one)\b"
                         r"|(?:the\s+)?(last)\s+(?:option|choice)\b)",
                         re.IGNORECASE)
_ZH_NUM = "一二三四五六七八九"
_ZH_ORDINAL = re.compile(r"第\s*([1-9一二三四五六七八九])\s*(?:个选项|个|项|选项)|(最后一个选项|最后一项|最后一个(?=\s*(?:[，。,.；;！!]|$)))")
_THINK_OPEN = re.compile(r"<think(?:ing)?>", re.IGNORECASE)
_THINK_CLOSE = re.compile(r"</think(?:ing)?>", re.IGNORECASE)
_MARKDOWN = re.compile(r"\*\*|__|`+|\*|^#+\s*", re.MULTILINE)
# A question stem a base model writes after its answer (numbered: "2. … describes:", "第9题 …", or a
# question: "…？"; "Let me list the options:" is not one); a
# listing "A …\nB …" under it whose texts are not this question's options is a new question.
_STEM = re.compile(r"^[ \t]*(?:\d+\s*[.、．)]|第\s*\d+\s*题|(?:Question|Q)\s*\d*\s*[:：.]|(?:问题|题目)\s*\d*\s*[:：])"
                   r"|[?？][ \t]*$", re.IGNORECASE)
_LISTING_START = re.compile(r"^[ \t]*[\(（]?A\b[^\n]*\n[ \t]*[\(（]?B\b", re.MULTILINE)
_LIST_ITEM = re.compile(r"^[ \t]*[\(（]?([A-I])(?:[\)）.、．:：][ \t]*|[ \t]+(?![a-z]))(\S.*?)\s*$")  # not "A patient…"
# Retracting what was just said ("答案B。不对，…", "I'd say A. Wait, no…"): the statement no longer stands.
_RETRACT = re.compile(r"[^\n.。!！?？]{0,40}[.。!！?？,，:：;；]?\s*(?:(?:hmm+|well|oh|um+|嗯|等等)[,，.\s]*)?(?:不对|不，|错了|再想想|重新想|wait\b|no[,.!:]|hmm,?\s+no\b"
                      r"|actually,?\s+no\b|scratch\s+that|on\s+second\s+thought|let\s+me\s+reconsider)", re.IGNORECASE)
# A hedged alternative after the conclusion ("…maybe it's C. Or B if…", "…也许还是A"): not one commitment.
_ALTERNATIVE = re.compile(r"(?:(?:^|[.!?;,]\s*)(?i:or)\s+(?:(?i:maybe|perhaps)\s+)?|\b(?i:maybe|perhaps|possibly)\s+"
                          r"(?:(?i:it(?:'s|\s+is)|even)\s+)?|\b(?i:could\s+(?:also\s+)?be)\s+"
                          r"|\b(?i:in\s+which\s+case|otherwise|else)\s*,?\s*(?:(?i:it(?:'s|\s+is)|the\s+answer\s+is)\s+)?"
                          r"|(?:否则|不然)\s*(?:就|应)?\s*(?:选|是)?\s*"
                          r"|(?:也许|或许|也可能|或者是)\s*(?:还是|是|选|为)?\s*)(?:(?i:option)\s*|选项)?([A-I])(?![A-Za-z0-9])"
                          r"(?!\s+(?!if\b|instead\b|though\b|too\b)[a-z])", re.MULTILINE)
# Between two letters of one sentence, what makes the second a revision, not an alternative.
_REVISES = re.compile(r"[.。!！?？\n]|但|不过|然而|不对|改|而是|\b(?:but|however|actually|wait|no|rather|instead)\b",
                      re.IGNORECASE)
_SENTENCE = re.compile(r"[。！!；;?？\n]|\.(?=\s|$)")
_EN_MARKER = re.compile(r"^(?:so|therefore|thus|hence|overall|in\s+summary|in\s+short)\b[,:]?\s*", re.IGNORECASE)
_ZH_MARKER = re.compile(r"^(?:综上所述|综上|因此|所以|故而|故|总之|因而)[，,：:]?\s*")
_CONCLUDES = re.compile(r"^(?:so|therefore|thus|hence|overall)\b|\btherefore\b|^(?:综上所述|综上|因此|所以|故而|故|总之|因而)",
                        re.IGNORECASE)
# The last sentence's lone letter: after a copula, a conclusion word, a colon or a dash ("…false: B.",
# "…is B – bupivacaine.", "So A: jaw thrust…", "D.").
_FINAL_LETTER = re.compile(r"(?:^|[:：—–→-]\s*|\b(?i:is|be|so|thus|therefore|hence|leaves|answer|probably|likely|definitely)\s+)"
                           r"[\(\[（]?([A-I])(?![A-Za-z0-9])[\)\]）]?(.*)$")
_LONE = re.compile(r"(?<![A-Za-z0-9])[A-I](?![A-Za-z0-9])")
MULTI = "*"  # internal marker: a statement naming two letters
CONTRA = "!"  # internal marker: a letter that contradicts the option text it quotes
HYPO = "?"  # internal marker: a statement the response does not assert (a hypothetical, someone else's view)
# Before a statement in its sentence: it is not the response's own assertion.
_NOT_ASSERTED = re.compile(
    r"\b(?:some|many|most|a\s+lot\s+of)\s+(?:people|students|candidates|residents|trainees|clinicians|would|might)"
    r"|\bpeople\s+(?:often|would|might|tend)|\bmistakes?\b|\btempting\b|\bcommon\s+(?:error|pitfall|trap)"
    r"|\b(?:don't|do\s+not|doesn't|does\s+not|wouldn't|would\s+not|never|can't|cannot)\s+(?:think|believe|say"
    r"|choose|pick|go|select)\b|\b(?:not|never)\s+(?:\w+\s+)?(?:sure|confident|certain|convinced)\b|误选|有人|很多人|不少人|不认为|不觉得|不会选", re.IGNORECASE)
_TURN = re.compile(r"\b(?:but|however)\b|但|不过|然而", re.IGNORECASE)
_CLAUSE_TURN = re.compile(r"[,，]|\b(?:but|however|yet)\b|但|不过|然而", re.IGNORECASE)
# A condition in the same sentence with a counterfactual verb ("…were shallow…would be A").
_IF = re.compile(r"\s*(?:[,(]\s*)?\b(?:if|unless|had\s+the|were\s+the)\b(?!\s+I\s+(?:had|have|must)\s+to\b|\s+I\s+were\s+you\b)",
                 re.IGNORECASE)
_ZH_IF = re.compile(r"(?:如果|假如|若是|要是|倘若)(?!是?我)")  # "如果是我，我会选B" commits
_CONCLUDING = re.compile(r"\b(?:so|therefore|thus|hence)\b|所以|因此|综上|故", re.IGNORECASE)
_COUNTERFACTUAL = re.compile(r"\b(?:were|would|could|might|had\s+been)\b", re.IGNORECASE)

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
    reason: str | None = None  # no answer: refusal, cut_off, empty…; undecided: retracted, alternatives

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


_NON_WORD = re.compile(r"[\s\W_]+")


def _norm(text: str) -> str:
    return _NON_WORD.sub(" ", text.casefold()).strip()


def _mentions(text: str, options: Mapping[str, str]) -> list[str]:
    """Letters whose option text ``text`` contains, keeping only the most specific (nested texts)."""
    p = _norm(text)
    normed = {k: _norm(v) for k, v in options.items() if _norm(v)}
    inside = [k for k, v in normed.items() if re.search(rf"(?<!\w){re.escape(v)}(?!\w)", p)
              or (not v.isascii() and len(v) > 1 and v in p)]
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
    """Whether the text right after a claimed letter quotes another option's text, not its own.

    A new sentence that discusses another option ("The answer is B. Atropine (C) would only…") or
    names it with its own letter ("B — neostigmine (A) has a ceiling effect") quotes nothing.
    """
    line = text[end:].split("\n", 1)[0]
    gap = _QUOTE_GAP.match(line)
    raw = line[gap.end():]  # type: ignore[union-attr]
    rest = _norm(raw)
    if not rest:
        return False
    new_sentence = bool(re.search(r"[.。]", gap.group()))  # type: ignore[union-attr]

    def quotes(k: str) -> bool:
        v = _norm(options[k])
        return bool(v) and (rest == v or rest.startswith(v + " ") or (not v.isascii() and rest.startswith(v)))

    def discussed(k: str) -> bool:
        if new_sentence and rest != _norm(options[k]):
            return True
        return bool(re.match(re.escape(options[k]) + r"\s*[\(（]\s*" + k + r"\s*[\)）]", raw, re.IGNORECASE))

    own = letter in options and quotes(letter)
    return not own and any(quotes(k) and not discussed(k) for k in options if k != letter)


def _continues_listing(lines: list[str], letter: str) -> bool:
    """Whether the line before the last one is the previous option of a listing ("D. …", then "E.")."""
    if len(lines) < 2 or letter == "A":
        return False
    m = _LINE_LETTER.match(lines[-2]) or _LIST_ITEM.match(lines[-2])
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


def _ordinals_to_letters(text: str, options: Mapping[str, str]) -> str:
    last = max(options) if options else "A"

    def en(m: re.Match[str]) -> str:
        if m.group(3):
            return f"option {last}"
        d = m.group(1)
        n = (int(d) if d.isdigit() else _NUMBER_WORDS[d.lower()]) if d else _ORDINALS[m.group(2).lower()]
        return f"option {chr(ord('A') + n - 1)}"

    def zh(m: re.Match[str]) -> str:
        if m.group(2):
            return f"选项{last}"
        d = m.group(1)
        n = int(d) if d.isdigit() else _ZH_NUM.index(d) + 1
        return f"选项{chr(ord('A') + n - 1)}"

    return _ZH_ORDINAL.sub(zh, _EN_ORDINAL.sub(en, text))


def _new_question_at(text: str, options: Mapping[str, str]) -> int | None:
    """Where a base model starts writing a new question: a stem line, then a listing from ``A``
    whose texts are not this question's options (its own options restated are not a new question)."""
    m = _NEW_QUESTION.search(text)
    cut = m.start() if m else None
    if not _LISTING_START.search(text):
        return cut
    lines = text.splitlines(keepends=True)
    starts = [0]
    for ln in lines:
        starts.append(starts[-1] + len(ln))
    normed = {k: _norm(v) for k, v in options.items()}
    for i in range(len(lines) - 1):
        if cut is not None and starts[i] >= cut:
            break
        items = []
        for ln in lines[i:]:
            m = _LIST_ITEM.match(ln.rstrip("\n"))
            if not m or m.group(1) != chr(ord("A") + len(items)):
                break
            items.append((m.group(1), _norm(m.group(2))))
        if len(items) < 2:
            continue
        # its own options restated ("A. Neostigmine: …") match letter by letter; a new question's do not
        own = sum(bool(normed.get(k)) and (t == normed[k] or t.startswith(normed[k] + " ")
                                           or (not normed[k].isascii() and t.startswith(normed[k])))
                  for k, t in items)
        stem = next((j for j in range(i - 1, -1, -1) if lines[j].strip()), None)
        if 2 * own < len(items) and stem is not None and _STEM.search(lines[stem].rstrip("\n")):
            return starts[stem] if cut is None else min(cut, starts[stem])
    return cut


def _tokens(text: str) -> set[str]:
    return set(_norm(text).split()) if text.isascii() else set(_norm(text).replace(" ", ""))


def _own_text(tail: str, letter: str, options: Mapping[str, str]) -> bool:
    """Whether ``tail`` restates ``letter``'s option text (word-set overlap, best among the options)."""
    def overlap(k: str) -> float:
        a, b = _tokens(tail), _tokens(options[k])
        return len(a & b) / len(a | b) if a | b else 0.0

    mine = overlap(letter)
    return mine >= 0.6 and all(overlap(k) < mine for k in options if k != letter)


def _final_letter(masked: str, lines: list[str], options: Mapping[str, str]) -> str | None:
    """The last sentence's one lone letter, in a concluding position, with nothing after it but
    its own option text ("The statement is false: B.", "…the most cardiotoxic is B – bupivacaine.")."""
    if not lines or _LINE_LETTER.match(lines[-1]):
        return None  # "B. Sugammadex" / a listing line: the last-line fallback decides
    sentences = [s for s in _SENTENCE.split(masked.strip()) if s.strip()]
    if not sentences or masked.rstrip().endswith(("?", "？")):
        return None  # "The answer is B?" asks
    last = sentences[-1].strip()
    letters = [m for m in _LONE.finditer(last)
               if not (m.group() == "A" and re.match(r"\s+[a-z]", last[m.end():]))]
    if len(letters) != 1 or letters[0].group() not in options:
        return None
    m = _FINAL_LETTER.search(last)
    if not m or m.start(1) != letters[0].start() or _NEGATION.search(last[:m.start(1)]):
        return None
    tail = m.group(2).strip(" .。)）")
    tail = re.sub(r"^[:：—–,，(（-]\s*", "", tail)
    if tail and not _own_text(tail, m.group(1), options):
        # "…is B – Neostigmine" when A is neostigmine: a contradiction, no answer
        return CONTRA if any(_own_text(tail, k, options) for k in options if k != m.group(1)) else None
    if _continues_listing(lines, m.group(1)):
        return None
    return m.group(1)


def _sentence_option(text: str, options: Mapping[str, str]) -> str | None:
    """An option text standing as the last (or the first) sentence ("None of the above.", "所以以上都是。",
    "以上都不是。丙泊酚…"), or a concluding last sentence that ends with one option's text
    ("所以几乎必然累及的是膈神经。")."""
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    if not lines or _LIST_ITEM.match(lines[-1]) or _DANGLING.search(lines[-1]):
        return None  # "C. Ketamine -": an option listing cut short
    stripped = text.strip()
    ends = [0] + [m.end() for m in _SENTENCE.finditer(stripped)] + [len(stripped)]
    spans = [(a, b) for a, b in zip(ends, ends[1:]) if stripped[a:b].strip(" \n.。!！;；")]
    if not spans:
        return None
    sentences = [stripped[a:b].strip() for a, b in spans]
    clause = re.split(r"[，,]\s*", sentences[-1])[-1]
    candidates = [sentences[-1], sentences[0]]
    if _EN_MARKER.match(clause) or _ZH_MARKER.match(clause):
        candidates.append(clause)  # "…，所以以上都是。"
    for sent in candidates:
        if sent.rstrip().endswith(("?", "？")):
            continue  # "Neostigmine?" asks, it does not answer
        bare = _ZH_MARKER.sub("", _EN_MARKER.sub("", sent)).strip(" .。,，:：!！;；")
        exact = [k for k, v in options.items() if _norm(v) and _norm(v) == _norm(bare)]
        if len(exact) == 1:
            return exact[0]
    last = sentences[-1].rstrip(" .。!！;；")
    if last.endswith(("?", "？")) or not _CONCLUDES.search(last):
        return None
    named = _mentions(last, options)
    if len(named) != 1:
        return None
    value = _norm(options[named[0]])
    if not _norm(last).endswith(value):
        return None
    rest = re.sub(re.escape(options[named[0]]), " ", last, flags=re.IGNORECASE)
    return None if _NEGATION.search(rest) else named[0]


def _asserted(text: str, start: int, end: int) -> bool:
    """Whether the statement at ``text[start:end]`` is asserted by the response, not a hypothetical
    ("If the block were shallow the answer would be A"), someone else's view ("Many people would
    say the answer is A", "很多人会误选A") or a negated belief ("I don't think it's B")."""
    lo = max(text.rfind(c, 0, start) for c in ".。!！?？;；\n")
    hi = min((i for i in (text.find(c, end) for c in ".。!！?？;；\n") if i >= 0), default=len(text))
    sentence = text[lo + 1:hi]
    before = _CONCLUDING.split(text[lo + 1:start])[-1]  # "If…, so the answer is B": the conclusion asserts
    if _NOT_ASSERTED.search(_CLAUSE_TURN.split(before)[-1]):  # "A is tempting, but I'd go with B": the turn asserts
        return False
    if any(_ZH_IF.search(c) for c in re.split(r"[，,]", before)[-2:]):
        return False  # "如果是浅阻滞，答案是A": a condition governs its clause and the next
    turned = _TURN.split(before)[-1]  # "…would be B if…, but here A": the turn leaves the condition
    conditional = _IF.search(turned) or _IF.match(text, end)
    return not (conditional and _COUNTERFACTUAL.search(sentence))


def _statements(text: str, options: Mapping[str, str]) -> list[tuple[int, str, str]]:
    """(position, letter or MULTI/CONTRA/HYPO, rule name) of every answer statement in ``text``."""
    found = []
    for rule in RULES:
        for m in rule.pattern.finditer(text):
            letter, end = m.group("x"), m.end("x")
            rest = text[end:]
            if ((letter in "Ii" or letter.islower()) and _WORD_AFTER.match(rest)) or (
                    letter.islower() and _LOWER_WORD_AFTER.match(rest)):  # "Answer: I think…", not "B would be…"
                continue
            if _NEGATED.match(text, m.end()) or _NEGATED.match(rest):
                continue
            if _ASKED.match(rest):
                continue  # "答案是B还是…？", "The answer is B?": asked, not stated
            if not _asserted(text, m.start("x"), m.end()):
                letter = HYPO
            elif m.group("more"):
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
    if sum(bool(_LINE_LETTER.match(ln) or _LIST_ITEM.match(ln)) for ln in lines) > 1:  # "A. …\nB. …": a listing
        return None
    rest = m.group(2).strip()
    if not rest and len(lines) == 1:
        return None  # a lone letter is bare_letter's
    if rest and _DANGLING.search(rest) and len(lines) == 1:
        return None  # "B. Sugammadex: acts by" cut short
    if rest and _quoted_other(lines[0], m.end(1), m.group(1), options):
        return Extraction(None, "leading_letter", NO_ANSWER)
    return Extraction(m.group(1), "leading_letter", ANSWER)


_WORD = re.compile(r"[a-z0-9]+|[^\x00-\x7f\s\W]+")
_STOP = frozenset(("a", "an", "the", "of", "to", "with", "and", "or", "in", "on", "at", "for", "by", "is", "are", "be",
                   "as", "it", "its", "this", "that", "only"))


def _grams(text: str) -> set[str]:
    """Content words (ASCII) and character bigrams (CJK) of ``text``: a paraphrase keeps most of them."""
    out: set[str] = set()
    for w in _WORD.findall(text.casefold()):
        if w.isascii():
            if w not in _STOP:
                out.add(w)
        else:
            out.update(w[i:i + 2] for i in range(max(1, len(w) - 1)))
    return out


@lru_cache(maxsize=256)
def _distinctive(items: tuple[tuple[str, str], ...]) -> tuple[tuple[str, frozenset[str]], ...]:
    """Each option's words that no other option has (cached: one question's options, many responses)."""
    grams = {k: _grams(v) for k, v in items}
    return tuple((k, frozenset(g - set().union(*(grams[o] for o in grams if o != k)))) for k, g in grams.items())


def _overlap_scores(phrase: str, options: Mapping[str, str]) -> dict[str, float]:
    """Per option, the share of its distinctive words (those no other option has) that ``phrase`` says."""
    said = _grams(phrase)
    return {k: len(own & said) / len(own) if own else 0.0 for k, own in _distinctive(tuple(options.items()))}


def _overlap_option(phrase: str, options: Mapping[str, str]) -> str | None:
    """The option whose distinctive words the phrase restates ("give dantrolene at 2.5 mg/kg" for
    "Administer dantrolene 2.5 mg/kg"): at least half of them, and no other option's share above a
    fifth — a margin over the runner-up, else no option."""
    scores = _overlap_scores(phrase, options)
    ranked = sorted(scores, key=scores.get, reverse=True)  # type: ignore[arg-type]
    if len(ranked) < 2:
        return None
    best, second = scores[ranked[0]], scores[ranked[1]]
    return ranked[0] if best >= 0.5 and second <= 0.2 else None


def _restates_other(phrase: str, letter: str, options: Mapping[str, str]) -> bool:
    """Whether ``phrase``, besides naming ``letter``'s text, restates half of another option's words."""
    rest = re.sub(re.escape(options[letter]), " ", phrase, flags=re.IGNORECASE)
    return any(v >= 0.5 for k, v in _overlap_scores(rest, options).items() if k != letter)


def _option_commit(text: str, options: Mapping[str, str]) -> str | None:
    """The last clause with a commit phrase that names exactly one option by its text (what follows
    the phrase first: "…midazolam is slow — which leaves ketamine"), or restates one by its
    distinctive words, not negated."""
    chosen = None
    for c in _CLAUSE_SPAN.finditer(text):
        clause = c.group(1)
        m = _COMMIT.search(clause)
        if not m or c.group(2).strip() in ("?", "？"):
            continue  # "The best treatment is X? No — …": asked, not committed
        after = clause[m.end():]
        named = _mentions(after, options) if m.end() < len(clause) else []
        scope = after
        if len(named) != 1:
            named, scope = _mentions(clause, options), clause
        if not named:
            k = _overlap_option(clause[m.start():] if after.strip() else clause, options)
            if k is not None and not _NEGATION.search(clause):
                chosen = k
            continue
        if len(named) != 1:
            continue
        rest = re.sub(re.escape(options[named[0]]), " ", clause, flags=re.IGNORECASE)
        if _NEGATION.search(rest):
            continue
        if _restates_other(scope, named[0], options):
            continue  # "…is uterine massage or tranexamic acid alone": another option restated beside it
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
    letter = _final_letter(masked, mlines, options)
    if letter == CONTRA:
        return Extraction(None, "final_letter", NO_ANSWER)
    if letter:
        return Extraction(letter, "final_letter", ANSWER)
    answers = list(_ANSWER_TEXT.finditer(stripped)) + list(_JSON_TEXT.finditer(stripped))
    if answers:
        phrase = re.split(r"[.。;；,，]\s|\n", max(answers, key=lambda a: a.start()).group(1))[0]
        asks = phrase.lstrip().startswith(("【", "[")) or re.search(r"[?？吗]", phrase)  # a header, a question
        letter = None if asks else (_option_from_text(phrase, options) or _overlap_option(phrase, options))
        if letter:
            quoted = _BRACKET_LETTER.search(phrase)
            if quoted and quoted.group(1) != letter:
                return Extraction(None, "answer_in_words", NO_ANSWER)  # "Sugammadex (C)" when C is atropine
            rest = re.sub(re.escape(options[letter]), " ", phrase, flags=re.IGNORECASE)
            if not _NEGATION.search(_BRACKET_LETTER.sub(" ", rest)):  # "答案不是D…": discussed, not chosen
                return Extraction(letter, "answer_in_words", ANSWER)
    letter = _option_commit(stripped, options)
    if letter:
        return Extraction(letter, "option_text_commit", ANSWER)
    if len(lines) == 1 and len(stripped) <= 200:
        letter = _option_from_text(stripped, options)
        if letter and _norm(stripped) != _norm(options[letter]):
            # A sentence around the option text: it must be finished ("…encapsulates" is cut
            # off) and must not negate it ("不选A，丙泊酚…", "Propofol is not indicated.").
            rest = _DISCLAIMER.sub(" ", re.sub(re.escape(options[letter]), " ", stripped, flags=re.IGNORECASE))
            if (not _FINISHED.search(stripped) or _NEGATION.search(rest) or stripped.endswith(("?", "？"))
                    or _restates_other(stripped, letter, options) or _TURNS_OR_OFFERS.search(rest)):
                letter = None
        if letter:
            return Extraction(letter, "one_line_option_text", ANSWER)
    letter = _sentence_option(stripped, options)
    if letter:
        return Extraction(letter, "option_sentence", ANSWER)
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
    opts = {k.upper(): v for k, v in options.items()}
    cut = _new_question_at(text, opts)
    if cut is not None:
        text = text[:cut]
    if not text.strip():
        return Extraction(None, None, NO_ANSWER, "empty")
    text = _ordinals_to_letters(_MARKDOWN.sub("", text), opts)
    masked = _mask_letters_in_options(text, opts)
    found = _statements(masked, opts)
    if found:
        asserted = [f for f in found if f[1] != HYPO]
        if not asserted:
            return Extraction(None, None, UNDECIDED, "hypothetical")
        found = asserted
        pos, letter, rule = max(found, key=lambda f: f[0])
        if letter not in opts:
            return Extraction(None, rule, NO_ANSWER)
        # Undecided (the answer pass may ask the model), never a guess: the conclusion was taken
        # back with nothing after it, or another letter is offered as a hedged alternative.
        if any(p < pos and other != letter and not _REVISES.search(masked[p:pos]) for p, other, _ in found):
            return Extraction(None, None, UNDECIDED, "alternatives")  # "可能是A，也可能是B"
        offered = any(m.start(1) == pos for m in _ALTERNATIVE.finditer(masked, max(0, pos - 30), pos + 1))
        if offered and any(p < pos and other != letter for p, other, _ in found):
            return Extraction(None, None, UNDECIDED, "alternatives")  # "我倾向于A，但也可能是C"
        if _RETRACT.match(masked, pos + 1):
            return Extraction(None, None, UNDECIDED, "retracted")
        if any(m.group(1) != letter and m.group(1) in opts for m in _ALTERNATIVE.finditer(masked, pos + 1)):
            return Extraction(None, None, UNDECIDED, "alternatives")
        return Extraction(letter, rule, ANSWER)
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
