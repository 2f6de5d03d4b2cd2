"""Unit tests: language tokens and splits, schema detection, dataset_info merge, atomic writes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from anestools.common.atomic import atomic_open, atomic_path
from anestools.common.dataset_info import merge_dataset_info, read_dataset_info
from anestools.common.langs import canonical_split, language_from_path, normalize_language, split_to_languages
from anestools.convert.core import detect_kind
from anestools.errors import InputError, OutputExistsError


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("AnesCorpus_en.parquet", "en"),
        ("anescorpus-zh-00001.parquet", "zh"),
        ("AnesQA_cn.parquet", "zh"),
        ("corpus/en/00000.parquet", "en"),
        ("corpus/zh/00000.parquet", "zh"),
        ("data/english.parquet", "en"),
        # The paper's substring trap: 'en' inside other words is not a language.
        ("AnesCorpus_train.parquet", None),
        ("general_medicine.parquet", None),
        ("often-seen.parquet", None),
        ("chinese_and_english_en_zh.parquet", None),  # both languages named: ambiguous
        ("screen.parquet", None),
    ],
)
def test_language_from_path_uses_delimited_tokens(path, expected):
    assert language_from_path(path) == expected


def test_splits():
    assert split_to_languages("en") == {"en"}
    assert split_to_languages("cn") == {"zh"}
    assert split_to_languages("zh") == {"zh"}
    assert split_to_languages("all") == {"en", "zh"}
    assert canonical_split("zh") == "cn"
    with pytest.raises(InputError, match="unknown split 'fr'"):
        split_to_languages("fr")


def test_normalize_language():
    assert normalize_language("zh-CN") == "zh"
    assert normalize_language("en") == "en"
    assert normalize_language("fr") is None
    assert normalize_language(None) is None


def test_detect_kind():
    assert detect_kind(["id", "text", "language"], "f") == "corpus"
    assert detect_kind(["question", "answer"], "f") == "qa"
    with pytest.raises(InputError) as exc:
        detect_kind(["prompt", "completion"], "x.parquet")
    msg = str(exc.value)
    assert "x.parquet" in msg and "'completion'" in msg and "'text'" in msg and "'question'" in msg


ORIGINAL_INFO = """{
    "alpaca_en_demo": {"file_name": "alpaca_en_demo.json"},
    "mine":   {
        "file_name": "mine.jsonl",   "columns": {"prompt": "text"}
    },
    "unicode": {"file_name": "\\u4e2d.json"}
}
"""


def test_dataset_info_merge_keeps_other_entries_byte_for_byte(tmp_path):
    info = tmp_path / "dataset_info.json"
    info.write_text(ORIGINAL_INFO)
    actions = merge_dataset_info(tmp_path, {"anescorpus_en": {"file_name": "AnesCorpus_en.jsonl",
                                                              "columns": {"prompt": "text"}}})
    assert actions == {"anescorpus_en": "added"}
    text = info.read_text()
    # every original entry's text is still there verbatim
    for snippet in ('"alpaca_en_demo": {"file_name": "alpaca_en_demo.json"}',
                    '"mine":   {\n        "file_name": "mine.jsonl",   "columns": {"prompt": "text"}\n    }',
                    '"unicode": {"file_name": "\\u4e2d.json"}'):
        assert snippet in text
    data = json.loads(text)
    assert list(data) == ["alpaca_en_demo", "mine", "unicode", "anescorpus_en"]
    # same definition again: unchanged, file untouched
    before = info.read_bytes()
    assert merge_dataset_info(tmp_path, {"anescorpus_en": data["anescorpus_en"]}) == {"anescorpus_en": "unchanged"}
    assert info.read_bytes() == before


def test_dataset_info_conflict_needs_overwrite(tmp_path):
    info = tmp_path / "dataset_info.json"
    info.write_text(ORIGINAL_INFO)
    new = {"mine": {"file_name": "other.jsonl"}}
    with pytest.raises(OutputExistsError, match="'mine' exists with a different definition"):
        merge_dataset_info(tmp_path, new)
    assert info.read_text() == ORIGINAL_INFO  # refused merge changes nothing
    assert merge_dataset_info(tmp_path, new, overwrite=True) == {"mine": "replaced"}
    text = info.read_text()
    assert '"alpaca_en_demo": {"file_name": "alpaca_en_demo.json"}' in text
    assert '"unicode": {"file_name": "\\u4e2d.json"}' in text
    assert read_dataset_info(tmp_path)["mine"] == {"file_name": "other.jsonl"}


def test_dataset_info_created_and_invalid(tmp_path):
    merge_dataset_info(tmp_path, {"a": {"file_name": "a.jsonl"}})
    assert read_dataset_info(tmp_path) == {"a": {"file_name": "a.jsonl"}}
    (tmp_path / "dataset_info.json").write_text("{not json")
    with pytest.raises(InputError, match="invalid JSON"):
        merge_dataset_info(tmp_path, {"b": {"file_name": "b.jsonl"}})


def test_atomic_failure_leaves_no_file(tmp_path):
    target = tmp_path / "out.jsonl"
    with pytest.raises(RuntimeError), atomic_open(target) as fh:
        fh.write(b"partial\n")
        raise RuntimeError("boom")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_atomic_refuses_existing_without_overwrite(tmp_path):
    target = tmp_path / "out.jsonl"
    target.write_text("user data")
    with pytest.raises(OutputExistsError), atomic_path(target):
        pass
    assert target.read_text() == "user data"
    with atomic_open(target, overwrite=True) as fh:
        fh.write(b"new")
    assert target.read_text() == "new"
    assert oct(target.stat().st_mode & 0o777) != oct(0o600)  # normal permissions, not mkstemp's


def test_kill_mid_write_leaves_no_final_file(tmp_path):
    """SIGKILL a real writer process mid-write: the final name never appears."""
    target = tmp_path / "big.jsonl"
    code = (
        "import sys, time\n"
        "from anestools.common.atomic import atomic_open\n"
        f"with atomic_open({str(target)!r}) as fh:\n"
        "    fh.write(b'x' * 1000 + b'\\n'); fh.flush()\n"
        "    print('writing', flush=True)\n"
        "    time.sleep(60)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    time.sleep(0.1)
    assert not target.exists()
    leftovers = [p.name for p in tmp_path.iterdir()]
    assert all(n.startswith(".") and n.endswith(".tmp") for n in leftovers)


def test_encode_texts_matches_per_record_encoding():
    """The fast path must be byte-identical to one orjson.dumps per record, for nasty strings."""
    import random

    from anestools.convert.writers import encode_records, encode_texts

    rng = random.Random(7)
    alphabet = ['"', ",", "\\", "\n", "\t", "\x00", "\x1f", "a", "b", " ", "中", "}", "{", "\u2028", "é"]
    cases = [["a\\", "b"], ['a",', '"b'], ['","'], ['\\","'], [""], ["x"] * 3]
    for _ in range(2000):
        cases.append(["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
                      for _ in range(rng.randint(1, 5))])
    for texts in cases:
        for fmt in ("jsonl", "json"):
            assert encode_texts(texts, "text", fmt) == encode_records([{"text": t} for t in texts], fmt), texts


def test_background_writer_reraises_write_errors():
    """A full disk in the writer thread surfaces in the caller, and close() still returns."""
    import errno

    from anestools.convert.writers import BackgroundFileWriter

    class FullDisk:
        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

    bg = BackgroundFileWriter(FullDisk(), depth=1)
    bg.write(b"x")
    with pytest.raises(OSError, match="No space left"):
        for _ in range(100):  # the error is seen on a later write or at the latest on close
            bg.write(b"y")
        bg.close()


def test_conversion_does_not_import_pandas(tmp_path):
    """pyarrow imports pandas on the first Python->Arrow conversion; the hot path avoids those."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    src = tmp_path / "c.parquet"
    pq.write_table(pa.table({"text": ["a", "", None, " ", "b"], "language": ["en", "en", None, "zh", "fr"]}), src)
    code = (
        "import sys\n"
        "from anestools.convert.core import convert\n"
        f"res = convert([{str(src)!r}], {str(tmp_path / 'out')!r}, split='all')\n"
        "print(res.outputs[0].rows, 'pandas' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["1", "False"]  # only "a": empty, whitespace, null and "fr" rows are not written


def test_lang_option_values():
    from anestools.common.langs import parse_languages
    from anestools.errors import ConfigError

    assert parse_languages("cn,en") == ("zh", "en") and parse_languages(" en , english ") == ("en",)
    assert parse_languages("all") == ("en", "zh") == parse_languages("en,all")
    with pytest.raises(ConfigError, match="unknown language 'fr'"):
        parse_languages("en,fr")
    with pytest.raises(ConfigError, match="at least one"):
        parse_languages(" , ")
