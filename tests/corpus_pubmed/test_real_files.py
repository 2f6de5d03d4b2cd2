"""Real MEDLINE and PMC JATS files from ../shared/reference-data/pubmed (skipped when absent)."""

from __future__ import annotations

import re

import pyarrow.parquet as pq
import pytest

from anestools.corpus.pubmed.steps import PubmedReader

TAG = re.compile(r"</?[A-Za-z][\w:.-]*(?:\s[^<>]*)?/?>")
BRACKET_CITE = re.compile(r"\[\d+(?:\s*[,\u2013\-]\s*\d+)*\]")


@pytest.fixture()
def pubmed_dir(reference_data):
    d = reference_data / "pubmed"
    if not d.is_dir():
        pytest.skip(f"{d} not found")
    return d


def _docs(paths):
    return {d.id: d for d in PubmedReader([str(p) for p in paths]).run()}


def test_real_medline_record(pubmed_dir):
    (doc,) = _docs([pubmed_dir / "pubmed-29768149.xml"]).values()
    assert doc.id == "pubmed-29768149"
    paras = doc.text.split("\n\n")
    assert paras[0] == "Inhaled Combined Budesonide-Formoterol as Needed in Mild Asthma."
    assert [p.split(":")[0] for p in paras[1:]] == ["BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"]
    assert "fast-acting β2-agonist" in doc.text  # entity + <sub> across pretty-print whitespace
    assert "95% confidence interval [CI]" in doc.text  # not a citation marker
    md = doc.metadata
    assert (md["journal_abbrev"], md["year"], md["language"]) == ("N Engl J Med", 2018, "en")
    assert "Asthma" in md["mesh_terms"] and "D001249" in md["mesh_uis"]
    assert "Randomized Controlled Trial" in md["publication_types"]
    assert not TAG.search(doc.text)


@pytest.mark.parametrize("name", ["pone.0046493.nxml", "mds526.nxml"])
def test_real_jats_is_clean_prose(pubmed_dir, name):
    (doc,) = _docs([pubmed_dir / name]).values()
    text = doc.text
    raw = (pubmed_dir / name).read_text(encoding="utf-8")
    assert not TAG.search(text), TAG.search(text)
    assert not BRACKET_CITE.search(text), BRACKET_CITE.search(text)
    # No reference list: the first cited reference's title must not leak into the text.
    first_ref = re.search(r"<article-title>([^<]{30,})</article-title>", raw.split("<ref-list", 1)[1]).group(1)
    assert first_ref not in text
    # No table cells, figure captions or supplementary captions.
    for cap in re.findall(r"<caption><title>([^<]{15,})</title>", raw):
        assert cap not in text, cap
    assert "References" not in text.split("\n\n")
    paras = text.split("\n\n")
    abstract_start = re.sub(r"<[^>]+>", "", re.search(r"<abstract[^>]*>.*?<p>(.{40})", raw, re.S).group(1))
    assert any(abstract_start[:30] in p for p in paras[:6]), "abstract missing near the top"
    assert "Introduction" in paras and ("Discussion" in paras or "Results" in paras or "Methods" in paras)
    assert "http" not in text and "@" not in text and "©" not in text
    assert doc.metadata["source"] == "pmc" and doc.metadata["pmcid"].startswith("PMC")


def test_real_oncology_articles_not_selected_by_default_but_with_all(pubmed_dir, tmp_path, cli):
    inputs = [str(pubmed_dir / "pone.0046493.nxml"), str(pubmed_dir / "mds526.nxml")]
    code, _, err = cli("-q", "corpus", "pubmed", *inputs, "-o", str(tmp_path / "default"))
    assert code == 2
    assert "no document was kept from 2 record(s)" in err and "not_selected: 2" in err
    assert not list((tmp_path / "default").glob("*/*.parquet"))
    code, out, err = cli("-q", "corpus", "pubmed", *inputs, "-o", str(tmp_path / "all"), "--select", "all")
    assert code == 0, err
    table = pq.read_table(tmp_path / "all" / "en")  # one task per input file by default: 2 shards
    assert sorted(table.column("source").to_pylist()) == ["pmc", "pmc"]
    assert sorted(table.column("pmcid").to_pylist()) == ["PMC3460867", "PMC3574550"]
    assert all(sb == [] for sb in table.column("selected_by").to_pylist())


def test_real_records_reissued_in_later_files_are_kept_once(pubmed_dir, tmp_path, cli):
    """#27 item 5 on real files: a MEDLINE record in a baseline file and an update file, a PMC
    article in two bundles; one row each, the later file's, the duplicates counted."""
    import shutil
    import tarfile

    inp = tmp_path / "in"
    (inp / "updatefiles").mkdir(parents=True)
    (inp / "baseline").mkdir()
    shutil.copy(pubmed_dir / "pubmed-29768149.xml", inp / "baseline" / "pubmed25n0001.xml")
    raw = (pubmed_dir / "pubmed-29768149.xml").read_text(encoding="utf-8")
    revised = raw.replace("Inhaled Combined Budesonide-Formoterol as Needed in Mild Asthma.",
                          "Inhaled Combined Budesonide-Formoterol as Needed in Mild Asthma (revised).")
    (inp / "updatefiles" / "pubmed25n1300.xml").write_text(revised, encoding="utf-8")
    for name in ("oa_comm_xml.PMC003.baseline.2025-06-18.tar.gz", "oa_comm_xml.incr.2025-06-20.tar.gz"):
        with tarfile.open(inp / name, "w:gz") as tar:
            tar.add(pubmed_dir / "pone.0046493.nxml", arcname="PLoS_One/pone.0046493.nxml")
    code, out, err = cli("-q", "corpus", "pubmed", str(inp), "-o", str(tmp_path / "o"), "--select", "all",
                         "--tasks", "3")
    assert code == 0, err
    rows = pq.read_table(tmp_path / "o" / "en").to_pylist()
    assert sorted(r["id"] for r in rows) == ["pmc-PMC3460867", "pubmed-29768149"]
    (medline,) = [r for r in rows if r["source"] == "pubmed"]
    assert medline["text"].startswith("Inhaled Combined Budesonide-Formoterol as Needed in Mild Asthma (revised).")
    assert "older versions of a PMID/PMCID dropped: 2" in out
