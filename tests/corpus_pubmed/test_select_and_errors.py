"""Selection (MeSH / journal / lexicon), drop rules, and per-file error handling of the reader."""

from __future__ import annotations

import gzip
import io
import tarfile

import pytest
from pubmed_snippets import SAMPLES, jats_article, medline_article, medline_file

from anestools.corpus.pubmed.select import JournalList, MeshList, Selector, parse_select
from anestools.corpus.pubmed.sources import detect_format
from anestools.corpus.pubmed.steps import PubmedFilter, PubmedReader, read_errors
from anestools.errors import ConfigError, InputError

LONG = " ".join(["The patients were followed for outcomes over twelve months in the clinic."] * 8)


def _run(files, **filter_kw):
    selector = Selector.build(parse_select(filter_kw.pop("select", "mesh,journal,lexicon")))
    reader = PubmedReader(files)
    flt = PubmedFilter(selector, **filter_kw)
    out = {}
    for doc in reader.run():
        res = flt.filter(doc)
        out[doc.id] = (res if isinstance(res, tuple) else (res, None), doc.metadata.get("selected_by"))
    return out


def test_parse_select():
    assert parse_select("mesh, journal") == ("mesh", "journal")
    assert parse_select("all") == ()
    with pytest.raises(ConfigError, match="--select"):
        parse_select("mesh,magic")


def test_mesh_by_ui_or_name_and_journal_normalisation(tmp_path):
    mesh = MeshList.load()
    assert mesh.matches(["D000775"], ["renamed descriptor"]) == ["renamed descriptor"]
    assert mesh.matches(["D999999"], ["Anesthesia, General"]) == ["Anesthesia, General"]
    assert mesh.matches(["D006801"], ["Humans"]) == []
    journals = JournalList.load()
    assert journals.matches("Br J Anaesth.") and journals.matches("", "ANESTHESIA AND ANALGESIA")
    assert not journals.matches("N Engl J Med", "The New England journal of medicine")
    bad = tmp_path / "mesh.tsv"
    bad.write_text("X123\tSomething\n")
    with pytest.raises(InputError, match=r"mesh.tsv:1: 'X123' is not a MeSH descriptor UI"):
        MeshList.load(bad)


def test_selection_reasons_and_drop_rules(tmp_path):
    f = medline_file(
        tmp_path / "m.xml",
        # MeSH only: general journal, text without anesthesia words
        medline_article("1", title="A cohort.", abstract=f"<AbstractText>{LONG}</AbstractText>",
                        journal="Some journal", abbrev="Some J"),
        # journal only
        medline_article("2", title="A cohort.", abstract=f"<AbstractText>{LONG}</AbstractText>", mesh=()),
        # lexicon only
        medline_article("3", title="Airway management under general anesthesia.",
                        abstract="<AbstractText>Rapid sequence induction with propofol and rocuronium, "
                        "videolaryngoscopy, sugammadex reversal of neuromuscular blockade and "
                        f"postoperative nausea. {LONG}</AbstractText>",
                        journal="Some journal", abbrev="Some J", mesh=()),
        # nothing
        medline_article("4", title="Psoriasis.", abstract=f"<AbstractText>{LONG}</AbstractText>",
                        journal="J Dermatol", abbrev="J Dermatol", mesh=(("D011565", "Psoriasis"),)),
        medline_article("5", pub_types=("Journal Article", "Retracted Publication"),
                        abstract=f"<AbstractText>{LONG}</AbstractText>"),
        medline_article("6", pub_types=("Published Erratum",), abstract=f"<AbstractText>{LONG}</AbstractText>"),
        medline_article("7", pub_types=("Comment", "Letter"), abstract=f"<AbstractText>{LONG}</AbstractText>"),
        medline_article("8", abstract=""),
        medline_article("9", language="fre", abstract=f"<AbstractText>{LONG}</AbstractText>"),
        medline_article("10", abstract="<AbstractText>Too short.</AbstractText>"),
    )
    out = _run([str(f)])
    assert out["pubmed-1"] == ((True, None), ["mesh"])
    assert out["pubmed-2"] == ((True, None), ["journal"])
    assert out["pubmed-3"] == ((True, None), ["lexicon"])
    assert out["pubmed-4"] == ((False, "not_selected"), [])
    assert out["pubmed-5"][0] == (False, "retracted")
    assert out["pubmed-6"][0] == (False, "erratum")
    assert out["pubmed-7"][0] == (False, "comment")
    assert out["pubmed-8"][0] == (False, "no_abstract")
    assert out["pubmed-9"][0] == (False, "language")
    assert out["pubmed-10"][0] == (False, "too_short")
    # --select all keeps the non-anesthesia record; a single criterion narrows the selection
    assert _run([str(f)], select="all")["pubmed-4"][0] == (True, None)
    only_journal = _run([str(f)], select="journal")
    assert only_journal["pubmed-1"][0] == (False, "not_selected")
    assert only_journal["pubmed-2"][0] == (True, None)
    # languages can be widened (French is not a shard language, so stays out even then)
    assert _run([str(f)], languages=("en", "zh"))["pubmed-9"][0] == (False, "language")


def test_embedded_samples_selection(samples):
    out = _run([str(SAMPLES / "pubmed_sample.xml"), str(SAMPLES / "pmc_sample.nxml")])
    kept = sorted(k for k, ((ok, _), _) in out.items() if ok)
    assert kept == ["pmc-PMC90000011", "pubmed-90000001", "pubmed-90000002", "pubmed-90000003"]
    assert out["pubmed-90000004"][0] == (False, "not_selected")


# -- bad inputs ---------------------------------------------------------------------------


def _bad_files(tmp_path):
    good = medline_file(tmp_path / "good.xml", *(medline_article(str(i)) for i in range(5)))
    raw = good.read_bytes()
    trunc = tmp_path / "trunc.xml.gz"
    trunc.write_bytes(gzip.compress(raw * 1)[: len(gzip.compress(raw)) // 2])
    malformed = tmp_path / "malformed.xml"
    malformed.write_bytes(raw.replace(b"</PMID>", b"</PMIDX>", 3))
    other = tmp_path / "other.xml"
    other.write_text("<?xml version='1.0'?>\n<!-- x -->\n<rss><channel/></rss>\n")
    empty = tmp_path / "empty.xml"
    empty.write_text("")
    return good, trunc, malformed, other, empty


def test_detect_format_and_other_schema(tmp_path):
    good, trunc, malformed, other, empty = _bad_files(tmp_path)
    assert detect_format(good) == "medline"
    assert detect_format(SAMPLES / "pmc_sample.nxml") == "jats"
    with pytest.raises(InputError, match=r"other.xml: root element <rss> is neither MEDLINE"):
        detect_format(other)
    with pytest.raises(InputError, match="empty file"):
        detect_format(empty)


def test_reader_reports_each_bad_file_and_goes_on(tmp_path):
    good, trunc, malformed, other, empty = _bad_files(tmp_path)
    errors_dir = tmp_path / "errors"
    reader = PubmedReader([str(trunc), str(malformed), str(good), str(other), str(empty)], errors_dir=errors_dir)
    docs = list(reader.run(rank=0, world_size=1))
    # all 5 records of the good file, plus whatever preceded the faults
    assert sum(d.metadata["file_path"] == str(good) for d in docs) == 5
    errors = {e["file"]: e["error"] for e in read_errors(errors_dir)}
    assert set(errors) == {str(trunc), str(malformed), str(other), str(empty)}
    assert "truncated or corrupt gzip" in errors[str(trunc)]
    assert "malformed" in errors[str(malformed)] and "line" in errors[str(malformed)]
    assert "neither MEDLINE" in errors[str(other)]
    assert "empty file" in errors[str(empty)]


def test_tar_bundle_with_a_bad_member(tmp_path):
    bundle = tmp_path / "oa.tar.gz"
    with tarfile.open(bundle, "w:gz") as tar:
        for name, data in [
            ("PMC1/a.nxml", jats_article(abstract=f"<p>{LONG}</p>").encode()),
            ("PMC2/b.nxml", b"<article><front>broken"),
            ("PMC3/readme.txt", b"not xml, ignored"),
        ]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    reader = PubmedReader([str(bundle)], errors_dir=tmp_path / "err")
    docs = list(reader.run())
    assert [d.id for d in docs] == ["pmc-PMC123"]
    (err,) = read_errors(tmp_path / "err")
    assert err["file"].endswith("oa.tar.gz:PMC2/b.nxml") and "malformed" in err["error"]


def test_pmc_full_text_without_abstract_is_kept(tmp_path):
    f = tmp_path / "a.nxml"
    f.write_text(jats_article(abstract="", body=f"<sec><title>Case</title><p>{LONG}</p></sec>"))
    out = _run([str(f)], select="all")
    assert out["pmc-PMC123"][0] == (True, None)
    f.write_text(jats_article(abstract="", body=""))
    assert _run([str(f)], select="all")["pmc-PMC123"][0] == (False, "no_abstract")
