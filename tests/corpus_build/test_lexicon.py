"""Lexicon matching and the relevance score: boundaries, Chinese, tricky negatives, files."""

from __future__ import annotations

import pickle

import pyarrow.parquet as pq
import pytest

from anestools.corpus.build import sample_path
from anestools.corpus.lexicon import DEFAULT_MIN_SCORE, DEFAULT_MIN_TERMS, load_lexicon
from anestools.errors import InputError


@pytest.fixture(scope="module")
def lex():
    return load_lexicon()


def test_english_word_boundaries(lex):
    assert lex.match("The blockchain stores every blockheight.").terms == []
    assert lex.match("propofolic acid and dispropofol").terms == []
    assert lex.match("A nerve block was placed.").terms == ["nerve block"]
    # plurals are accepted, other suffixes are not
    assert lex.match("Two epidurals and several laryngoscopes.").terms == ["epidural", "laryngoscope"]
    assert lex.match("epiduralization").terms == []
    # punctuation and CJK characters act as boundaries
    assert lex.match("(propofol)").terms == ["propofol"]
    assert lex.match("使用propofol诱导").terms[0] == "propofol"


def test_case_and_british_spellings_count_once(lex):
    m = lex.match("ANAESTHESIA and anesthesia: General Anaesthesia.")
    assert m.terms == ["anesthesia", "general anesthesia"]
    assert m.hits == 3


def test_chinese_substring_longest_match(lex):
    m = lex.match("全身麻醉诱导常用丙泊酚，术后镇痛可采用硬膜外阻滞。")
    assert m.terms == ["全身麻醉", "诱导", "丙泊酚", "术后镇痛", "硬膜外"]
    # 全身麻醉 is one term, not also 麻醉; 硬膜外阻滞 is a variant of 硬膜外
    assert "麻醉" not in m.terms
    assert m.qualifies()


@pytest.mark.parametrize(
    "text",
    [
        "Each block in the blockchain points to the previous block, and a tap on the spinal column of the chain.",
        "This Is Spinal Tap is a film. Spinal Tap the band. Spinal Tap tour. Turn the tap, clear the block.",
        "An induction hob uses gas-free induction; the induction motor needs recovery time after surgery-like repairs.",
        "麻醉药品和精神药品管理条例规定，麻醉药品实行定点生产，麻醉品运输需要证明。",
        "很多年轻人刷手机是一种自我麻醉，精神麻醉让人失去行动力。",
    ],
)
def test_ambiguous_words_alone_do_not_qualify(lex, text):
    m = lex.match(text)
    assert m.terms, "the ambiguous words should be seen"
    assert m.strong_terms == 0
    assert not m.qualifies()
    assert m.drop_reason() == "no_strong_term"


def test_single_mention_in_long_page_does_not_qualify(lex):
    filler = "We walked along the river and talked about the weather, the garden and the football. " * 60
    text = filler + "My dentist used a local anesthetic with lidocaine, and my general anesthesia story is for later. " + filler
    m = lex.match(text)
    assert m.strong_terms >= 3 and len(m.terms) >= DEFAULT_MIN_TERMS
    assert m.density < 5
    assert m.score < DEFAULT_MIN_SCORE
    assert m.drop_reason() == "low_score"
    # the same sentences in a short page do qualify
    assert lex.match("My dentist used a local anesthetic with lidocaine, and my general anesthesia went well.").qualifies()


def test_thresholds(lex):
    text = "Propofol and sevoflurane were used for general anesthesia."
    m = lex.match(text)
    assert len(m.terms) == 3
    assert m.qualifies(min_terms=3, min_score=1.0)
    assert not m.qualifies(min_terms=4, min_score=1.0)
    assert m.drop_reason(min_terms=4) == "too_few_terms"
    assert not m.qualifies(min_terms=1, min_score=m.score + 0.01)


def test_pickle_roundtrip_rebuilds_automaton(lex):
    clone = pickle.loads(pickle.dumps(lex))
    assert clone._automaton is None
    assert clone.match("rocuronium reversed by sugammadex").terms == ["rocuronium", "sugammadex"]
    assert clone.fingerprint() == lex.fingerprint()


def test_strong_pattern_is_a_safe_prescreen(lex):
    """The Arrow/RE2 pre-screen passes every document with a strong term (never fewer)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    texts = pq.read_table(sample_path(), columns=["text"]).column("text").to_pylist()
    texts += ["x_propofol and y-propofol", "ÉPROPOFOL vs éPropofol", "使用propofol诱导", "short rsi versions university"]
    screened = pc.match_substring_regex(pa.array(texts), pattern=lex.strong_pattern(), ignore_case=True).to_pylist()
    qualifying = [t for t in texts if lex.match(t).qualifies()]
    assert len(qualifying) > 50
    for text, passed in zip(texts, screened):
        if lex.has_strong(text) or lex.match(text).strong_terms:
            assert passed, text[:80]
    # and it is selective: most pages without strong terms are screened out
    assert sum(screened) < 0.6 * len(texts)
    # the strong-only automaton fast path agrees with the full match
    assert all(lex.has_strong(t) for t in texts if lex.match(t).strong_terms > 0)


def test_user_lexicon_files(tmp_path):
    f = tmp_path / "mine.txt"
    f.write_text("# my terms\n[strong]\nwidget anesthesia | widget anaesthesia\n[weak]\nfoo = 0.4\n", encoding="utf-8")
    lex = load_lexicon([f])
    assert [t.name for t in lex.terms] == ["widget anesthesia", "foo"]
    assert lex.terms[1].weight == 0.4
    assert lex.match("Widget anaesthesia and foo.").terms == ["widget anesthesia", "foo"]


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "has no terms"),
        ("# only comments\n\n", "has no terms"),
        ("[strong]\nok\n[bogus]\nx\n", ":3: unknown section [bogus]"),
        ("[strong]\nterm = lots\n", ":2: bad weight 'lots'"),
    ],
)
def test_bad_lexicon_files(tmp_path, content, message):
    f = tmp_path / "bad.txt"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_lexicon([f])
    assert message in str(exc.value)
    assert str(f) in str(exc.value)


def test_missing_lexicon_file(tmp_path):
    with pytest.raises(InputError, match="lexicon file not found"):
        load_lexicon([tmp_path / "nope.txt"])


def test_find_fast_path_equals_checking_every_match(lex):
    """find() skips _valid when both neighbours are separators: same matches as always calling it."""
    from anestools.corpus.lexicon import _SEPARATORS, Lexicon, _is_word_char

    assert not any(_is_word_char(c) for c in _SEPARATORS)

    def slow(text):
        low = text.lower()
        return [(end - length + 1, idx) for end, (idx, nb, length) in lex.automaton.iter_long(low)
                if Lexicon._valid(low, len(low), end, nb, length)]

    texts = pq.read_table(sample_path(), columns=["text"]).column("text").to_pylist()
    texts += ["propofol—ketamine…epidural_x (sevoflurane) 'bupivacaine' ketamines epidurales",
              "xpropofol propofolx propofol_ _propofol 1propofol propofol2 «propofol» ¿propofol?",
              "propofol", "Propofol.", "使用propofol诱导", "sevoflurane-based"]
    for text in texts:
        assert lex.find(text) == slow(text)
