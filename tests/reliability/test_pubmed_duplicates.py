"""#27 item 5: the same PMID in two MEDLINE files, the same PMC article in three tar members.

Before: two rows and three rows. Now one row each, the newest version (the later file in
PubMed's numbering; the later member of a bundle), with the older versions counted in the
command's summary and in ``corpus stats`` (reason ``duplicate``), also with the files spread
over several tasks and local workers.
"""

from __future__ import annotations

import io
import sys
import tarfile
from pathlib import Path

import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "corpus_pubmed"))
from pubmed_snippets import jats_article, medline_article, medline_file  # noqa: E402

ABSTRACT = "<AbstractText>Spinal anesthesia with bupivacaine for cesarean delivery; phenylephrine after.</AbstractText>"


def test_reissued_pmids_and_repeated_pmc_members_are_one_row_each_counted(cli, tmp_path):
    inp = tmp_path / "in"
    medline_file(inp / "pubmed25n0001.xml", medline_article("7", title="Old version.", abstract=ABSTRACT),
                 medline_article("8", abstract=ABSTRACT))
    medline_file(inp / "pubmed25n0002.xml", medline_article("7", title="New version.", abstract=ABSTRACT))
    with tarfile.open(inp / "bundle.tar.gz", "w:gz") as tar:
        for i in range(3):
            data = jats_article(body=f"<sec><p>Copy {i} on spinal anesthesia.</p></sec>", title=f"Copy {i}").encode()
            info = tarfile.TarInfo(f"PMC123/copy{i}.nxml")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    out = tmp_path / "out"
    code, stdout, err = cli("corpus", "pubmed", str(inp), "-o", str(out), "--select", "all", "--min-words", "1",
                            "--tasks", "3", "--workers", "2")
    assert code == 0, err
    rows = {r["id"]: r for f in out.glob("en/*.parquet") for r in pq.read_table(f).to_pylist()}
    assert sorted(rows) == ["pmc-PMC123", "pubmed-7", "pubmed-8"]
    assert rows["pubmed-7"]["text"].startswith("New version.") and rows["pmc-PMC123"]["text"].startswith("Copy 2")
    assert "records read: 6, older versions of a PMID/PMCID dropped: 3" in stdout
    code, stats, err = cli("corpus", "stats", str(out))
    assert code == 0, err
    assert "PubMed duplicates" in stats and "duplicate 3" in stats
