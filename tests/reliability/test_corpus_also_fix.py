"""Issue 19, "also fix" items for the corpus: member bombs, empty results, stale temp files."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from pathlib import Path

import pytest

from anestools.corpus.pubmed.jats import iter_jats
from anestools.corpus.pubmed.sources import iter_tar_members
from anestools.errors import InputError

SAMPLES = Path(__file__).resolve().parents[2] / "anestools" / "resources" / "samples"


def _bomb_tar(path: Path, size: int) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo("PMC1/article.nxml")
        info.size = size
        tar.addfile(info, io.BytesIO(b"<" + b" " * (size - 1)))
    return path


def test_tar_member_larger_than_the_cap_is_refused_before_it_is_read(tmp_path):
    bomb = _bomb_tar(tmp_path / "bomb.tar.gz", 8 * 2**20)  # 8 MB of spaces, a few KB compressed
    assert bomb.stat().st_size < 100_000
    with pytest.raises(InputError, match="larger than 1 MB"):
        list(iter_tar_members(bomb, limit=2**20))


def test_gzip_jats_bomb_is_capped_and_reported_by_the_cli(cli, tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "bomb.nxml.gz").write_bytes(gzip.compress(b"<article>" + b" " * (3 * 2**20) + b"</article>"))
    (inputs / "ok.xml").write_bytes((SAMPLES / "pubmed_sample.xml").read_bytes())
    code, _, err = cli("-q", "corpus", "pubmed", str(inputs), "-o", str(tmp_path / "o"), "--max-member-mb", "1")
    assert code == 2 and "bomb.nxml.gz: decompresses to more than 1 MB" in err


def test_lxml_size_limits_stay_on_unless_asked():
    text = "x" * (11 * 2**20)  # one text node over lxml's 10 MB limit
    doc = f"<article><front><article-meta><title-group><article-title>{text}</article-title></title-group>" \
          "</article-meta></front></article>".encode()
    with pytest.raises(Exception, match="(?i)huge|too large|xmlSAX2Characters|Resource limit"):
        list(iter_jats(doc))
    assert len(list(iter_jats(doc, huge_tree=True))) == 1


def test_nothing_kept_is_exit_2_for_build_and_pubmed(cli, tmp_path):
    web = tmp_path / "web.jsonl"
    web.write_text(json.dumps({"id": "1", "text": "A page about gardening and tomatoes."}) + "\n")
    code, _, err = cli("-q", "corpus", "build", str(web), "-o", str(tmp_path / "b"))
    assert code == 2 and "no document was kept" in err
    assert (tmp_path / "b" / "_SUCCESS").is_file()  # the run itself finished
    code, _, err = cli("-q", "corpus", "pubmed", str(SAMPLES / "pubmed_sample.xml"), "-o", str(tmp_path / "p"),
                       "--languages", "zh")
    assert code == 2 and "no document was kept" in err
    assert (tmp_path / "p" / "_SUCCESS").is_file()


def test_stale_temp_files_of_a_killed_run_are_removed(cli, tmp_path):
    out = tmp_path / "o"
    code, _, err = cli("-q", "corpus", "pubmed", str(SAMPLES / "pubmed_sample.xml"), "-o", str(out))
    assert code == 0, err
    # the names atomic_open gives its temporary files (.NAME.XXXXXXXX.tmp), at any depth
    stale = [out / "_logs" / ".run.json.x1y2z3w4.tmp", out / "_logs" / "3-pubmed" / "pubmed_errors" / ".00000.jsonl.ab_cd123.tmp",
             out / "._SUCCESS.abc12345.tmp"]
    for f in stale:
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text("half")
    code, _, err = cli("-q", "corpus", "pubmed", str(SAMPLES / "pubmed_sample.xml"), "-o", str(out))
    assert code == 0, err
    assert not any(f.exists() for f in stale)
    keep = out / "_logs" / "notes.tmp"  # not one of our temp names: a user's file is left alone
    keep.write_text("mine")
    code, _, err = cli("-q", "corpus", "pubmed", str(SAMPLES / "pubmed_sample.xml"), "-o", str(out))
    assert code == 0 and keep.read_text() == "mine"
