"""The strong-term pre-screen (``Lexicon.strong_screen``): a superset of ``Lexicon.has_strong``.

The screen may let through pages without a strong term (the relevance filter drops them), but
must never reject one with a strong term: every test compares it with ``has_strong`` text by
text, for the hyperscan screen and for the RE2 fallback.
"""

from __future__ import annotations

import gzip
import json
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from datatrove.data import Document

from anestools.corpus import lexicon as lexicon_mod
from anestools.corpus.build import sample_path
from anestools.corpus.lexicon import LOWER_TO_ASCII, Lexicon, load_lexicon
from anestools.corpus.steps.prescreen import AnesPrescreen
from anestools.corpus.steps.relevance import AnesRelevanceFilter

KELVIN, DOTTED_I = "\u212a", "\u0130"


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return load_lexicon()


@pytest.fixture()
def re2_lex(monkeypatch) -> Lexicon:
    """A lexicon whose screen is built while ``import hyperscan`` fails."""
    monkeypatch.setitem(sys.modules, "hyperscan", None)
    monkeypatch.setattr(lexicon_mod, "_SCREENS", {})  # forget screens compiled earlier in this process
    fresh = load_lexicon()
    assert fresh.strong_screen().backend == "re2"
    return fresh


def strong_variants(lex: Lexicon) -> list[str]:
    return sorted({v for t in lex.terms if t.strong for v in t.variants})


def adversarial_texts(lex: Lexicon) -> list[str | None]:
    """Each strong spelling in many disguises, plus near misses and odd rows."""
    texts: list[str | None] = [None, "", " ", "k", "i", KELVIN, DOTTED_I, "İstanbul", "Kelvin: 300 " + KELVIN]
    for v in strong_variants(lex):
        texts += [
            v, v.upper(), v.title(), v.swapcase(), f"{v} at the start", f"at the end {v}", f"({v.upper()})",
            f"使用{v}诱导", f"x{v}", f"{v}x", f"{v}s.", f"{v[:-1]}", f"_{v}", f"{v[:1]} {v[1:]}",
            " " + v.replace("k", KELVIN), v.upper().replace("K", KELVIN) + " end",
            v.upper().replace("I", DOTTED_I) + " score", v.replace("i", DOTTED_I),
        ]
    return texts


def assert_superset(lex: Lexicon, texts: list[str | None], screened: list[bool]) -> None:
    assert len(screened) == len(texts)
    for text, passed in zip(texts, screened):
        if text is None:
            assert not passed  # null rows never pass
        elif lex.has_strong(text):
            assert passed, repr(text[:80])


def test_lower_to_ascii_and_cjk_are_exhaustive():
    """The two facts the literal screen rests on, checked over every code point of this Python.

    Only ``LOWER_TO_ASCII`` characters lower into ASCII from outside it, and no character other
    than a CJK one lowers to a CJK one (so CJK spellings are safe as plain byte literals). The
    context-free ``lower()`` is enough except for Final_Sigma, hence the second spelling.
    """
    into_ascii, into_cjk = set(), set()
    for cp in range(0x80, 0x110000):
        ch = chr(cp)
        for low in {ch.lower(), ("a" + ch).lower()[1:]}:
            if low == ch:
                continue
            if any(c.isascii() for c in low):
                into_ascii.add(ch)
            if any(c != ch and lexicon_mod._CJK_RE.match(c) for c in low):
                into_cjk.add(ch)
    assert into_ascii == set(LOWER_TO_ASCII)
    assert not into_cjk


def test_backend_and_pickling(lex):
    pytest.importorskip("hyperscan")
    import pickle

    screen = lex.strong_screen()
    assert screen.backend == "hyperscan" and lex.strong_screen() is screen
    clone = pickle.loads(pickle.dumps(lex))
    assert clone._strong_screen is None and clone.strong_screen().backend == "hyperscan"
    assert pickle.loads(pickle.dumps(screen)).screen_texts(["PROPOFOL", "nothing"]) == [True, False]
    step = AnesPrescreen(lex)
    step.filter_batch([Document("propofol", "0")])  # builds the screen
    pickle.dumps(step)  # datatrove ships steps to workers: the built screen must not travel


@pytest.fixture(params=["hyperscan", "re2"])
def backend_lex(request, lex) -> tuple[str, Lexicon]:
    """The shipped lexicon with its screen on each engine: ``(engine name, lexicon)``."""
    if request.param == "hyperscan":
        pytest.importorskip("hyperscan")
        return request.param, lex
    return request.param, request.getfixturevalue("re2_lex")


def test_adversarial_texts(backend_lex):
    backend, use = backend_lex
    texts = adversarial_texts(use)
    screen = use.strong_screen()
    for typ in (pa.string(), pa.large_string()):
        arr = pa.array(texts, type=typ)
        mask = screen.screen_array(arr).tolist()
        assert_superset(use, texts, mask)
        # sliced (array offset), chunked, and empty arrays give the same answers row by row
        assert screen.screen_array(arr.slice(7, 301)).tolist() == mask[7:308]
        assert screen.screen_array(arr.slice(len(texts))).tolist() == []
        chunked = pa.chunked_array([arr.slice(0, 5), arr.slice(5, 0), arr.slice(5)])
        assert screen.screen_array(chunked).tolist() == mask
        assert screen.screen_array(pa.chunked_array([], type=typ)).tolist() == []
    assert screen.screen_texts([t or "" for t in texts]) == mask  # None -> "": False either way
    # rows are independent: a spelling straddling two rows ("film" + "A...": "lma") counts for neither
    if backend == "hyperscan":
        assert mask == [t is not None and screen.screen_texts([t])[0] for t in texts]
    assert screen.screen_texts(["during heavy film", "A smart fixture", "MATERIAL", "MANY cooks"]) == [False] * 4
    # the screen still rejects plain text (otherwise it would be no screen at all)
    assert screen.screen_texts(["Hello world.", "Each block of the blockchain has a hash.", ""]) == [False] * 3


def test_kelvin_and_dotted_i_where_re2_used_to_miss(lex, re2_lex):
    """" Ketamine" (KELVIN SIGN) and "MALLAMPATİ" lower to strong spellings."""
    texts = [" " + KELVIN + "ETAMINE given", "MALLAMPAT" + DOTTED_I + " score"]
    assert all(lex.has_strong(t) for t in texts)
    assert re2_lex.strong_screen().screen_texts(texts) == [True, True]
    assert lex.strong_screen().screen_texts(texts) == [True, True]


def test_embedded_sample_and_relevance_results_unchanged(backend_lex):
    _, use = backend_lex
    table = pq.read_table(sample_path(), columns=["text"])
    texts = table.column("text").to_pylist()
    mask = use.strong_screen().screen_array(table.column("text")).tolist()
    assert_superset(use, texts, mask)
    assert sum(mask) < 0.6 * len(texts)  # and it is selective
    # the relevance filter decides exactly as it would without any screen
    step = AnesRelevanceFilter(use)
    unscreened = [step.filter(Document(t, str(i))) for i, t in enumerate(texts)]
    screen = AnesPrescreen(use)
    passed = [Document(t, str(i)) for i, t in enumerate(texts)]
    passed = [d for d in screen.run(iter(passed)) if True]
    screened = {d.id: step.filter(d) for d in passed}
    assert all(screened.get(str(i), (False, "no_strong_term")) == r or r[1] == "no_strong_term"
               for i, r in enumerate(unscreened) if r is not True)
    assert [i for i, r in enumerate(unscreened) if r is True] == [int(k) for k, r in screened.items() if r is True]
    assert sum(r is True for r in unscreened) > 50


def test_real_web_files(reference_data, lex):
    pytest.importorskip("hyperscan")
    texts = []
    for f in sorted((reference_data / "web").glob("*.jsonl.gz")):
        with gzip.open(f, "rt", encoding="utf-8") as fh:
            texts += [json.loads(line)["text"] for line in fh if line.strip()]
    assert texts
    assert_superset(lex, texts, lex.strong_screen().screen_texts(texts))


def test_prescreen_step_drops_only_what_the_filter_drops(lex, tmp_path):
    pytest.importorskip("hyperscan")
    from datatrove.pipeline.readers import ParquetReader

    texts = adversarial_texts(lex)
    path = tmp_path / "adv.parquet"
    pq.write_table(pa.table({"text": pa.array(texts, type=pa.large_string())}), path)
    screen = AnesPrescreen(lex, batch_size=7)  # several batches, one partial
    docs = list(screen.run(ParquetReader(str(tmp_path)).run(None, 0, 1), 0, 1))
    assert [d.text for d in docs if lex.has_strong(d.text)] == [t for t in texts if t and lex.has_strong(t)]
    n_read = sum(1 for t in texts if t)
    assert screen.stats["dropped_no_strong_term"].total == n_read - len(docs)
    assert screen.stats["total"].total == n_read


def test_non_literal_spellings_use_re2(tmp_path):
    """A spelling with a cased non-ASCII letter ("é" <- "É") is left to RE2's Unicode folding."""
    pytest.importorskip("hyperscan")
    f = tmp_path / "fr.txt"
    f.write_text("[strong]\nanesthésie | β-bloquant\n[weak]\nchirurgie\n", encoding="utf-8")
    fr = load_lexicon([f])
    screen = fr.strong_screen()
    assert screen.backend == "re2"
    texts = ["L'ANESTHÉSIE générale", "un Β-BLOQUANT", " β-bloquant", "la chirurgie", "anesthesie"]
    assert [fr.has_strong(t) for t in texts] == [True, True, True, False, False]
    assert screen.screen_texts(texts)[:3] == [True, True, True]


def test_oversized_batch_falls_back_to_re2(lex, monkeypatch):
    """hs_scan takes a 32-bit length: a longer batch is screened by RE2 (which has ``\\b``)."""
    pytest.importorskip("hyperscan")
    texts = ["xpropofol", " propofol", "nothing"]
    assert lex.strong_screen().screen_texts(texts) == [True, True, False]
    monkeypatch.setattr(lexicon_mod, "_MAX_SCAN_BYTES", 10)
    assert lex.strong_screen().screen_texts(texts) == [False, True, False]
