"""One row per PMID / PMCID across the run, the newest version kept (#27 item 5).

The files are spread over several datatrove tasks (and local workers), so a duplicate and its
newer version are read by different tasks: the decision is made across the whole run.
"""

from __future__ import annotations

import io
import tarfile

import pyarrow.parquet as pq
import pytest
from pubmed_snippets import SAMPLES, jats_article, medline_article, medline_file

from anestools.corpus.executors import ExecutorOptions
from anestools.corpus.pubmed.dedup import newest_last
from anestools.corpus.pubmed.pipeline import PubmedOptions, run_pubmed

ABSTRACT = ('<AbstractText>Spinal anesthesia with bupivacaine for cesarean delivery; phenylephrine treats '
            'hypotension after the block. {v}</AbstractText>')


def _rows(out) -> dict[str, dict]:
    rows = [r for f in sorted(out.glob("*/*.parquet")) for r in pq.read_table(f).to_pylist()]
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), f"duplicate ids in the shards: {ids}"
    return {r["id"]: r for r in rows}


def _run(inputs, out, tasks=3, workers=2, **kw):
    kw = {"select": "all", "min_words": 1, **kw}
    opts = PubmedOptions(inputs=[str(p) for p in inputs], output=out,
                         executor=ExecutorOptions(tasks=tasks, workers=workers), **kw)
    return run_pubmed(opts)


def test_newest_last_compares_the_numbers_in_names_as_numbers(tmp_path):
    names = ["pubmed25n1300.xml.gz", "pubmed25n0002.xml.gz", "pubmed24n1500.xml.gz", "upd9.xml", "upd10.xml"]
    got = [p.name for p in newest_last([tmp_path / "b" / n for n in names[:2]] + [tmp_path / "a" / n for n in names[2:]])]
    assert got == ["pubmed24n1500.xml.gz", "pubmed25n0002.xml.gz", "pubmed25n1300.xml.gz", "upd9.xml", "upd10.xml"]


def test_a_pmid_reissued_by_later_update_files_is_kept_once_in_its_newest_version(tmp_path):
    inp = tmp_path / "in"
    # the baseline, then two updates that revise PMID 7; the folder names sort the other way round
    medline_file(inp / "z-baseline" / "pubmed25n0001.xml",
                 medline_article("7", title="Version one.", abstract=ABSTRACT.format(v="first")),
                 medline_article("8", title="Untouched.", abstract=ABSTRACT.format(v="eight")))
    medline_file(inp / "a-updates" / "pubmed25n1275.xml",
                 medline_article("7", title="Version two.", abstract=ABSTRACT.format(v="second")))
    medline_file(inp / "a-updates" / "pubmed25n1302.xml",
                 medline_article("9", title="Another.", abstract=ABSTRACT.format(v="nine")),
                 medline_article("7", title="Version three.", abstract=ABSTRACT.format(v="third")))
    out = tmp_path / "out"
    result = _run([inp], out)
    rows = _rows(out)
    assert sorted(rows) == ["pubmed-7", "pubmed-8", "pubmed-9"]
    assert rows["pubmed-7"]["text"].startswith("Version three.") and "third" in rows["pubmed-7"]["text"]
    assert result.records == 5 and result.duplicates == 2 and result.dropped["duplicate"] == 2
    assert result.total_written == 3

    rerun = _run([inp], out)  # the same command: complete, same counts from the stats
    assert rerun.already_complete and rerun.duplicates == 2 and sorted(_rows(out)) == sorted(rows)


def test_the_newest_version_decides_even_when_it_is_dropped(tmp_path):
    """An older version never stands in for a newer one that was retracted."""
    inp = tmp_path / "in"
    medline_file(inp / "pubmed25n0001.xml", medline_article("7", title="Fine at first.",
                                                            abstract=ABSTRACT.format(v="a")))
    medline_file(inp / "pubmed25n0002.xml", medline_article("7", title="Retracted now.",
                                                            abstract=ABSTRACT.format(v="b"),
                                                            pub_types=("Retracted Publication",)))
    medline_file(inp / "pubmed25n0003.xml", medline_article("8", abstract=ABSTRACT.format(v="c")))
    result = _run([inp], tmp_path / "out")
    assert sorted(_rows(tmp_path / "out")) == ["pubmed-8"]
    assert result.duplicates == 1 and result.dropped["retracted"] == 1


def _tar(path, members: list[tuple[str, str]]):
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as tar:
        for name, text in members:
            data = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _jats(title: str) -> str:
    return jats_article(body=f"<sec><title>Methods</title><p>{title} spinal anesthesia body text.</p></sec>",
                        title=title)


@pytest.mark.parametrize("tasks", [1, 2])
def test_the_same_pmc_article_in_three_tar_members_is_one_row_the_last_member(tmp_path, tasks):
    inp = tmp_path / "in"
    _tar(inp / "oa_comm_xml.PMC000.baseline.tar.gz", [("a/one.nxml", _jats("First copy")),
                                                    ("b/two.nxml", _jats("Second copy"))])
    _tar(inp / "oa_comm_xml.PMC000.incr.tar.gz", [("c/three.nxml", _jats("Third copy"))])
    out = tmp_path / "out"
    result = _run([inp], out, tasks=tasks)
    rows = _rows(out)
    assert list(rows) == ["pmc-PMC123"]
    assert rows["pmc-PMC123"]["text"].startswith("Third copy")
    assert result.records == 3 and result.duplicates == 2

    single = tmp_path / "single"
    _tar(single / "bundle.tar.gz", [("x/1.nxml", _jats("Old")), ("x/2.nxml", _jats("Newer")),
                                    ("x/3.nxml", _jats("Newest"))])
    result = _run([single], tmp_path / "out2", tasks=1, workers=1)
    assert _rows(tmp_path / "out2")["pmc-PMC123"]["text"].startswith("Newest") and result.duplicates == 2


def test_the_embedded_samples_have_no_duplicates_and_keep_their_rows(tmp_path):
    result = _run([SAMPLES / "pubmed_sample.xml", SAMPLES / "pmc_sample.nxml"], tmp_path / "out", tasks=2, workers=1,
                  select="mesh,journal,lexicon", min_words=50)  # the CLI's defaults, as in test_cli.py
    assert result.duplicates == 0
    assert sorted(_rows(tmp_path / "out")) == ["pmc-PMC90000011", "pubmed-90000001", "pubmed-90000002",
                                               "pubmed-90000003"]
