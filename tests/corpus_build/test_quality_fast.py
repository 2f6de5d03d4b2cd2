"""The fast English quality filters take exactly datatrove's decisions, reasons and C4 text.

Reference: datatrove's own ``C4QualityFilter``, ``GopherRepetitionFilter`` and ``GopherQualityFilter``
with ``RegexTokenizer`` (the regex tokenizer as it was: one ``findall`` over the text), on the
embedded sample, real web pages, and adversarial texts (repetition, n-grams whose joined strings
collide, bullets, ellipses, long words, non-ASCII, odd line breaks).
"""

from __future__ import annotations

import gzip
import json
import random
import re

import pyarrow.parquet as pq
import pytest
from datatrove.data import Document
from datatrove.pipeline.filters import C4QualityFilter, GopherQualityFilter, GopherRepetitionFilter
from datatrove.pipeline.filters.gopher_repetition_filter import (
    find_all_duplicate,
    find_top_duplicate,
    get_n_grams,
)

from anestools.corpus.build import sample_path
from anestools.corpus.steps import quality
from anestools.corpus.steps.quality import (
    FastC4QualityFilter,
    FastEnglishTokenizer,
    FastGopherQualityFilter,
    FastGopherRepetitionFilter,
    QualityFilter,
    WordNGrams,
)

PARA = (
    "Propofol is the most common drug for the induction of general anesthesia. The patient is monitored "
    "closely, and the anesthesiologist checks the airway before the operation starts."
)


class RegexTokenizer(FastEnglishTokenizer):
    """``FastEnglishTokenizer`` with its original word splitting: ``_WORD.findall`` over the text."""

    def word_tokenize(self, text: str) -> list[str]:
        return quality._WORD.findall(text)


def reference_quality(tok) -> QualityFilter:
    """``QualityFilter`` dispatching English pages to datatrove's unmodified filters."""
    ref = QualityFilter()
    ref.en_filters = [
        C4QualityFilter(filter_no_terminal_punct=False, language=tok),
        GopherRepetitionFilter(language=tok),
        GopherQualityFilter(language=tok),
    ]
    return ref


def sample_texts() -> list[str]:
    return pq.read_table(sample_path(), columns=["text"]).column("text").to_pylist()


def adversarial_texts() -> list[str]:
    """Hand-made edge cases plus mutations of sample pages that hit every check's threshold."""
    rng = random.Random(7)
    texts = ["", " ", "\n", "\n\n\n", "a", "word", "a b", ".", "...", "…", "#", "{", "[1]", "- ", "•"]
    sentence = "The patient was given propofol and the airway was secured with a tube."
    texts += ["\n\n".join([PARA] * k) for k in (1, 2, 3, 5)] + ["\n".join([PARA] * k) for k in (2, 4)]
    texts += [" ".join([sentence] * k) for k in (1, 2, 3, 6, 12)]
    texts += [PARA + " " + " ".join(["of the"] * k) + " " + PARA for k in (5, 20, 40)]
    # joined without separator, ["a","b","c","d","e","fghij"] and ["abcde","f","g","h","i","j"] are one
    # 6-gram while no 5-gram repeats; "e.g." / "e. g." tokenize differently but join alike
    collide = "a b c d e fghij x abcde f g h i j"
    texts += [collide, " ".join([collide] * 3), (PARA + " e.g. the drug. ") * 3 + "e. g. the drug."]
    texts += [" ".join(["ab c", "a bc"][i % 2] for i in range(60)), " ".join(["a", "b", "ab", "ba"] * 30)]
    texts += ["\n".join(f"- item {i} with propofol and the airway" for i in range(20))]
    texts += ["\n".join(f"• point {i} of the plan..." for i in range(12)) + "\n" + PARA]
    texts += ["\n".join(f"{PARA[:60]} {i}…" for i in range(10)) + "\n" + PARA]
    texts += [PARA + "\n" + "x" * 1001 + " tail words here.\n" + PARA, "y" * 1500]
    texts += [PARA + " " + "#tag " * 30, PARA * 2 + " ... " * 30, PARA + "\nLorem ipsum dolor sit amet.\n" + PARA]
    texts += ["propofol " * 100_001]  # Gopher's long page
    texts += [PARA + "\nEnable JavaScript to view this page now.\n" + PARA, PARA + "\nvar x = {a: 1};\n" + PARA]
    texts += [PARA + "\nRead our privacy policy and terms of use here.\n" + PARA]
    texts += [PARA.replace(". ", ". [1] ") + " [edit] [citation needed]\n" + PARA + " [12]"]
    texts += [PARA + "\r\n" + PARA + "\u2028" + PARA + "\x0b" + PARA + "\x1c" + PARA + "\x85" + PARA]
    texts += ['He said "Stop." Then she left! Why? (It was late.) ' * 6, "End.   \t", "a.\n\nb!\n\n\nc?"]
    texts += [
        "Anästhesie mit Propofol für die Narkose, ½ Dosis² und Ⅻ Stunden: naïve café résumé.\n" * 3,
        "全身麻醉用丙泊酚。The patient slept well. 🙂 emoji and the words of the day.\n" * 8,
        "snake_case words_with_underscores and the __dunder__ of the code. " * 10,
        "Numbers 1,000.5 and 3.14 and 2-3 and don't won’t e.g. i.e. U.S.A. of the people. " * 8,
        "\u200bzero\u200bwidth and\xa0non-breaking\u3000spaces of the text. " * 10,
    ]
    for text in sample_texts()[:60:3]:
        lines, words = text.splitlines(), text.split()
        k = rng.randrange(1, 6)
        texts += [
            "\n".join(lines + lines[: max(1, len(lines) // 2)]),
            "\n\n".join(lines * 2),
            " ".join(words[:k] * rng.randrange(2, 8) + words),
            " ".join(words + words[-k * 3:] * 2),
            "\n".join("- " + ln for ln in lines) + "\n" + text,
            "\n".join(ln.rstrip(".") + "..." for ln in lines),
        ]
    vocab = ["a", "b", "ab", "ba", "the", "of", "and", ".", ",", "propofol", "an", "anesthesia", "-", "#", "\n"]
    for _ in range(150):
        texts.append(" ".join(rng.choice(vocab) for _ in range(rng.randrange(0, 200))))
    return texts


def web_texts(reference_data) -> list[str]:
    texts = []
    for path in sorted((reference_data / "web").glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            texts += [json.loads(line)["text"] for line in f if line.strip()]
    if not texts:
        pytest.skip("no web pages under reference-data/web")
    return texts


def assert_filters_match(texts: list[str]) -> set:
    """Each fast filter and ``QualityFilter`` equal datatrove's on ``texts`` (result and C4 text);
    returns the drop reasons met (the filters' own and ``QualityFilter``'s ``en_`` ones)."""
    tok, ref_tok = FastEnglishTokenizer(), RegexTokenizer()
    pairs = [
        (FastC4QualityFilter(filter_no_terminal_punct=False, language=tok),
         C4QualityFilter(filter_no_terminal_punct=False, language=ref_tok)),
        (FastGopherRepetitionFilter(language=tok), GopherRepetitionFilter(language=ref_tok)),
        (FastGopherQualityFilter(language=tok), GopherQualityFilter(language=ref_tok)),
    ]
    fast_q, ref_q = QualityFilter(), reference_quality(ref_tok)
    reasons = set()
    for i, text in enumerate(texts):
        for fast, ref in pairs:
            a, b = Document(text, str(i)), Document(text, str(i))
            got = fast.filter(a)
            assert (got, a.text) == (ref.filter(b), b.text), (type(fast).__name__, text[:200])
            reasons.add(got if got is True else got[1])
        a, b = (Document(text, str(i), metadata={"language": "en"}) for _ in range(2))
        got = fast_q.filter(a)
        assert (got, a.text) == (ref_q.filter(b), b.text), text[:200]
        reasons.add(got if got is True else got[1])
    return reasons


def test_fast_filters_match_datatrove_on_the_sample():
    reasons = assert_filters_match(sample_texts())
    assert True in reasons and len(reasons) >= 3


def test_fast_filters_match_datatrove_on_real_web_pages(reference_data):
    assert_filters_match(web_texts(reference_data))


def test_fast_filters_match_datatrove_on_adversarial_texts():
    reasons = assert_filters_match(adversarial_texts())
    expected = {
        True, "empty", "too_few_sentences", "lorem_ipsum", "curly_bracket", "dup_para_frac", "dup_para_char_frac",
        "dup_line_frac", "dup_line_char_frac", "top_2_gram", "top_3_gram", "top_4_gram", "duplicated_5_n_grams",
        "gopher_short_doc", "gopher_long_doc", "gopher_below_avg_threshold", "gopher_above_avg_threshold",
        "gopher_too_many_hashes", "gopher_too_many_ellipsis", "gopher_too_many_bullets",
        "gopher_too_many_end_ellipsis", "gopher_below_alpha_threshold", "gopher_enough_stop_words",
        "en_too_few_sentences", "en_lorem_ipsum", "en_curly_bracket", "en_top_2_gram", "en_duplicated_5_n_grams",
    }
    assert expected <= reasons, expected - reasons


def test_fast_gopher_filters_match_datatrove_on_raw_fuzz():
    """Gopher filters on texts that C4 would have changed or dropped (blank lines, short pages)."""
    rng = random.Random(3)
    base = sample_texts()[:40]
    vocab = [w for t in base for w in t.split()][:3000] + ["...", "…", "#", "-", "•", "\n", "\n\n", "ab", "a", "b"]
    texts = []
    for _ in range(400):
        n = rng.randrange(0, 300)
        words = [rng.choice(vocab) for _ in range(n)]
        if words and rng.random() < 0.5:  # repeat a random span: duplicated and top n-grams
            a = rng.randrange(len(words))
            words += words[a:a + rng.randrange(1, 15)] * rng.randrange(1, 6)
        texts.append(" ".join(words))
    tok, ref_tok = FastEnglishTokenizer(), RegexTokenizer()
    fast_rep, ref_rep = FastGopherRepetitionFilter(language=tok), GopherRepetitionFilter(language=ref_tok)
    fast_q, ref_q = FastGopherQualityFilter(language=tok), GopherQualityFilter(language=ref_tok)
    reasons = set()
    for text in texts:
        for fast, ref in ((fast_rep, ref_rep), (fast_q, ref_q)):
            got = fast.filter(Document(text, "x"))
            assert got == ref.filter(Document(text, "x")), (type(fast).__name__, text[:200])
            reasons.add(got if got is True else got[1])
    expected = {True, "top_2_gram", "top_3_gram", "top_4_gram"} | {f"duplicated_{n}_n_grams" for n in range(5, 11)}
    assert expected <= reasons, expected - reasons  # every n-gram path decides some page


def test_word_ngrams_match_datatrove_functions():
    """``WordNGrams`` against datatrove's n-gram functions on tiny vocabularies, where joined
    n-grams collide without equal words (["ab","c"] and ["a","bc"]), empty words and spaces."""
    rng = random.Random(11)
    vocabs = [["a", "b"], ["a", "b", "ab", "ba", "aab", "c", "bc"], ["a", "aa", "aaa"], ["x", "", "xy", "y"],
              ["a b", "a", "b"], ["the", "of", ".", "then", "there", "re", "a"]]
    for _ in range(1500):
        vocab = rng.choice(vocabs)
        words = [rng.choice(vocab) for _ in range(rng.randrange(0, 70))]
        grams = WordNGrams(words)
        for n in range(1, 8):
            if len(words) >= n:
                top = find_top_duplicate(get_n_grams(words, n))
                assert grams.top_chars(n) == top, (words, n)
                if n >= 2:
                    assert grams.top_chars_bound(n) >= top, (words, n)
        order = list(range(5, 11)) if rng.random() < 0.7 else rng.sample(range(1, 13), 8)
        fresh = WordNGrams(words)
        for n in order:
            assert fresh.duplicated_chars(n) == find_all_duplicate(words, n), (words, n, order)


def test_longer_ngrams_can_repeat_when_no_5_gram_does():
    """Why the 5..10-gram shortcut uses prefixes, not just distinct 5-grams."""
    words = ["a", "b", "c", "d", "e", "fghij", "x", "abcde", "f", "g", "h", "i", "j"]
    five = ["".join(words[i:i + 5]) for i in range(len(words) - 4)]
    assert len(set(five)) == len(five) and find_all_duplicate(words, 6) == 10
    assert [WordNGrams(words).duplicated_chars(n) for n in (5, 6)] == [0, 10]


def test_tokenizer_matches_one_findall():
    """``word_tokenize`` splits on whitespace first: ``str.split``/``\\s`` and ``str.isalnum``/``\\w``
    must agree on every code point, and the tokens must equal one ``findall`` over the text."""
    every = "".join(map(chr, range(0x110000)))
    assert every.split() == [p for p in re.split(r"\s+", every) if p]
    assert re.findall(r"[^\W_]", every) == [c for c in every if c.isalnum()]
    rng = random.Random(5)
    chars = "ab_1'’-.,!?\"()[]{}#…é中²½Ⅻ \t\n\r\xa0\u2003\u3000\x1c\x85\u200b"
    fuzz = ["".join(rng.choice(chars) for _ in range(rng.randrange(0, 40))) for _ in range(3000)]
    tok, ref = FastEnglishTokenizer(), RegexTokenizer()
    for text in fuzz + sample_texts() + adversarial_texts():
        assert tok.word_tokenize(text) == ref.word_tokenize(text), text[:200]


def test_count_sentences_matches_span_tokenize():
    rng = random.Random(9)
    chars = ".!?\"'’”)] \t\n\r\xa0\x0bab"
    fuzz = ["".join(rng.choice(chars) for _ in range(rng.randrange(0, 30))) for _ in range(5000)]
    lines = [ln.strip() for t in sample_texts() + adversarial_texts() for ln in t.splitlines()]
    tok = FastEnglishTokenizer()
    for text in fuzz + lines + [ln + " " for ln in lines[:200]] + [ln + '." ' for ln in lines[:200]]:
        assert tok.count_sentences(text) == len(tok.span_tokenize(text)), repr(text)


def test_words_are_tokenized_once_per_page(monkeypatch):
    calls = []
    original = FastEnglishTokenizer.word_tokenize

    def counting(self, text):
        calls.append(text)
        return original(self, text)

    monkeypatch.setattr(FastEnglishTokenizer, "word_tokenize", counting)
    step = QualityFilter()
    page = next(t for t in sample_texts() if step.filter(Document(t, "x", metadata={"language": "en"})) is True)
    calls.clear()
    assert step.filter(Document(page + "\nA page seen once, 7391.", "x", metadata={"language": "en"})) is True
    assert len(calls) == 1


def test_gopher_quality_memo_overflow_keeps_results(monkeypatch):
    monkeypatch.setattr(quality, "_MEMO_MAX", 5)
    tok, ref_tok = FastEnglishTokenizer(), RegexTokenizer()
    fast, ref = FastGopherQualityFilter(language=tok), GopherQualityFilter(language=ref_tok)
    for text in sample_texts()[:80] + adversarial_texts()[:60]:
        assert fast.filter(Document(text, "x")) == ref.filter(Document(text, "x")), text[:200]
    assert len(fast._codes) < 400


def test_spacy_path_matches_datatrove():
    pytest.importorskip("spacy")
    texts = [t for t in sample_texts()[:25]] + adversarial_texts()[15:45]
    fast, ref = QualityFilter("spacy"), reference_quality("en")
    for text in texts:
        a, b = (Document(text, "x", metadata={"language": "en"}) for _ in range(2))
        assert (fast.filter(a), a.text) == (ref.filter(b), b.text), text[:200]

