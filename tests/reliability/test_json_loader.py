"""#27 item 9: one JSON loader (depth limit, decoding errors as input errors naming file and line),
used wherever user JSON/JSONL is read; pyarrow's JSON reader in convert checked like parquet."""

from __future__ import annotations

import json

import pytest

from anestools.common import jsonio
from anestools.errors import InputError

DEEP = "[" * 100_000 + "]" * 100_000


def _one_line(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.strip() and not ln.startswith(("engine:", "⠋"))]
    assert lines and lines[-1].startswith("error:") and "Traceback" not in stderr, stderr
    return lines[-1]


def test_loader_names_file_line_and_reason(tmp_path):
    bad = tmp_path / "bank.jsonl"
    bad.write_bytes(b'{"a": 1}\n\n{"a": "caf\xe9"}\n')
    with pytest.raises(InputError, match=r"bank.jsonl line 3: not UTF-8 text \(byte 0xe9\)"):
        list(jsonio.iter_jsonl(bad))
    deep = tmp_path / "deep.json"
    deep.write_text(DEEP)
    with pytest.raises(InputError, match=rf"deep.json line 1 column \d+: nested deeper than {jsonio.MAX_DEPTH}"):
        jsonio.read_json(deep)
    doc = tmp_path / "doc.json"
    doc.write_bytes(b'{\n  "a": [1,\n  2,,]\n}')
    with pytest.raises(InputError, match=r"doc.json line 3 column \d+: invalid JSON"):
        jsonio.read_json(doc)
    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + json.dumps({"ok": True}).encode())
    assert jsonio.read_json(bom) == {"ok": True}
    with pytest.raises(InputError, match="cannot read"):
        jsonio.read_json(tmp_path)


def test_convert_of_jsonl_with_invalid_utf8_is_one_line_naming_file_and_row(cli, tmp_path):
    src = tmp_path / "nonutf8.jsonl"
    src.write_bytes(b'{"text": "propofol induction", "language": "en"}\n'
                    b'{"text": "bad \xff\xfe bytes", "language": "en"}\n')
    code, _, stderr = cli("convert", "--lang", "all", str(src), "-o", str(tmp_path / "out"))
    line = _one_line(stderr)
    assert code == 2 and "nonutf8.jsonl" in line and "row 2" in line and "'text'" in line
    assert not (tmp_path / "out" / "dataset_info.json").exists()


def test_eval_of_a_benchmark_nested_100k_deep_is_one_line(cli, tmp_path):
    bench = tmp_path / "b_deep.json"
    bench.write_text(DEEP)
    code, _, stderr = cli("eval", "--benchmark", str(bench), "--model", "m", "--engine", "openai",
                          "--base-url", "http://127.0.0.1:9/v1", "-o", str(tmp_path / "run"))
    assert code == 2 and "b_deep.json line 1" in _one_line(stderr) and "nested deeper than" in stderr


def test_eval_of_a_jsonl_benchmark_with_invalid_utf8_names_the_line(cli, tmp_path):
    bench = tmp_path / "bank_en.jsonl"
    bench.write_bytes(b'{"id": "1", "question": "q\xc3", "A": "a", "B": "b", "target": "A", "category": 1}\n')
    code, _, stderr = cli("eval", "--benchmark", str(bench), "--model", "m", "--engine", "openai",
                          "--base-url", "http://127.0.0.1:9/v1", "-o", str(tmp_path / "run"))
    assert code == 2 and "bank_en.jsonl line 1: not UTF-8 text" in _one_line(stderr)


def test_eval_report_of_a_deep_summary_is_one_line(cli, tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "summary.json").write_text(DEEP)
    code, _, stderr = cli("eval", "report", str(run))
    assert code == 2 and "summary.json line 1" in _one_line(stderr)


def test_convert_with_a_deep_dataset_info_is_one_line(cli, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"text": "propofol", "language": "en"}) + "\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "dataset_info.json").write_text('{"x": ' + DEEP + "}")
    code, _, stderr = cli("convert", "--lang", "all", str(src), "-o", str(out))
    assert code == 2 and "dataset_info.json line 1" in _one_line(stderr) and "nested deeper" in stderr
