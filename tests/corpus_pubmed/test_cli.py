"""End to end: ``anestools corpus pubmed`` -> shards -> ``anestools convert`` accepts them."""

from __future__ import annotations

import gzip
import json

import pyarrow.parquet as pq
from pubmed_snippets import SAMPLES, medline_article, medline_file

SAMPLE_INPUTS = [str(SAMPLES / "pubmed_sample.xml"), str(SAMPLES / "pmc_sample.nxml")]


def _rows(out):
    return sorted(
        (r["id"], r["source"], r["language"])
        for f in sorted(out.glob("en/*.parquet"))
        for r in pq.read_table(f).to_pylist()
    )


def test_samples_to_shards_then_convert(tmp_path, cli):
    out = tmp_path / "corpus"
    code, stdout, err = cli("corpus", "pubmed", *SAMPLE_INPUTS, "-o", str(out), "--tasks", "2", "--workers", "1")
    assert code == 0, err
    assert sorted(p.name for p in out.glob("en/*.parquet")) == ["00000.parquet", "00001.parquet"]
    assert _rows(out) == [
        ("pmc-PMC90000011", "pmc", "en"),
        ("pubmed-90000001", "pubmed", "en"),
        ("pubmed-90000002", "pubmed", "en"),
        ("pubmed-90000003", "pubmed", "en"),
    ]
    assert "kept documents: en: 4" in stdout and "retracted" in stdout and "PubMed selection" in stdout
    rec = {r["id"]: r for f in out.glob("en/*.parquet") for r in pq.read_table(f).to_pylist()}
    r1 = rec["pubmed-90000001"]
    assert r1["pmid"] == "90000001" and r1["journal"] == "Anesthesia and analgesia" and r1["year"] == 2024
    assert r1["selected_by"] == ["mesh", "journal", "lexicon"] and r1["anes_score"] > 0 and r1["matched_terms"]
    assert "Anesthesia, Spinal" in r1["mesh_terms"] and "D000775" in r1["mesh_uis"]
    assert rec["pubmed-90000002"]["selected_by"] == ["journal", "lexicon"]
    assert rec["pubmed-90000003"]["selected_by"] == ["lexicon"]
    assert "example.org" not in rec["pubmed-90000002"]["text"] and "Copyright" not in rec["pubmed-90000002"]["text"]

    code, stdout, err = cli("corpus", "stats", str(out))  # the shared stats reader understands our run
    assert code == 0, err
    assert "pubmed" in stdout and "pmc" in stdout and "PubMed selection" in stdout and "not_selected" in stdout

    data = tmp_path / "data"
    code, _, err = cli("convert", str(out), "--output", str(data))
    assert code == 0, err
    info = json.loads((data / "dataset_info.json").read_text())
    (name,) = info
    lines = (data / info[name]["file_name"]).read_text().splitlines()
    assert len(lines) == 4 and all(json.loads(x)["text"] for x in lines)


def test_resume_settings_change_and_overwrite(tmp_path, cli):
    out = tmp_path / "corpus"
    assert cli("-q", "corpus", "pubmed", *SAMPLE_INPUTS, "-o", str(out))[0] == 0
    before = _rows(out)
    code, stdout, err = cli("corpus", "pubmed", *SAMPLE_INPUTS, "-o", str(out))
    assert code == 0, err
    assert "nothing to do" in stdout and _rows(out) == before
    code, _, err = cli("-q", "corpus", "pubmed", *SAMPLE_INPUTS, "-o", str(out), "--select", "all")
    assert code == 3 and "other settings (differs: select)" in err and "--overwrite" in err
    code, _, err = cli("-q", "corpus", "pubmed", *SAMPLE_INPUTS, "-o", str(out), "--select", "all", "--overwrite")
    assert code == 0, err
    assert len(_rows(out)) == 5  # + the non-anesthesia psoriasis record


def test_bad_files_fail_after_the_others_unless_skip_bad(tmp_path, cli):
    good = medline_file(tmp_path / "in" / "good.xml", medline_article("1", abstract=(
        "<AbstractText>Spinal anesthesia with bupivacaine and fentanyl for cesarean delivery; "
        "phenylephrine treated hypotension and ondansetron reduced nausea in the parturients.</AbstractText>")))
    (tmp_path / "in" / "bad.xml.gz").write_bytes(gzip.compress(good.read_bytes())[:60])
    (tmp_path / "in" / "other.xml").write_text("<html><body>not pubmed</body></html>")
    out = tmp_path / "corpus"
    args = ("corpus", "pubmed", str(tmp_path / "in"), "-o", str(out), "--min-words", "10")
    code, _, err = cli("-q", *args)
    assert code == 2
    assert "2 input file(s) failed" in err and "bad.xml.gz: truncated or corrupt gzip" in err
    assert "other.xml: root element <html>" in err
    assert _rows(out) == [("pubmed-1", "pubmed", "en")]  # the good file was still processed
    code, _, err = cli(*args, "--skip-bad")
    assert code == 0, err
    assert "skipped" in err and "bad.xml.gz" in err and "other.xml" in err


def test_help_and_option_errors(tmp_path, cli):
    code, out, _ = cli("corpus", "pubmed", "--help")
    assert code == 0 and "Examples" in out and "--skip-bad" in out and "--keep-captions" in out
    code, _, err = cli("corpus", "pubmed", *SAMPLE_INPUTS, "-o", str(tmp_path / "o"), "--sections", "body")
    assert code == 2 and "--sections 'body'" in err
    code, _, err = cli("corpus", "pubmed", str(tmp_path / "missing.xml"), "-o", str(tmp_path / "o"))
    assert code == 2 and "missing.xml: no such file" in err
    assert not (tmp_path / "o").exists()


def test_token_counts_with_a_local_tokenizer(tmp_path, cli):
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    tok = Tokenizer(models.WordLevel(unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.train_from_iterator(["spinal anesthesia propofol airway"] * 10, trainers.WordLevelTrainer(special_tokens=["[UNK]"]))
    tok.save(str(tmp_path / "tokenizer.json"))
    out = tmp_path / "corpus"
    code, _, err = cli("-q", "corpus", "pubmed", SAMPLE_INPUTS[0], "-o", str(out), "--tokenizer",
                       str(tmp_path / "tokenizer.json"), "--format", "jsonl")
    assert code == 0, err
    rows = [json.loads(x) for f in out.glob("en/*.jsonl.gz") for x in gzip.decompress(f.read_bytes()).splitlines()]
    assert len(rows) == 3 and all(r["token_count"] > 50 for r in rows)
