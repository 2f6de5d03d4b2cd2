"""One CLI: global -q/-v after the subcommand, --lang everywhere (old names hidden but working),
positional inputs, convert's zh = cn."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import typer
from test_root_cli import _all_commands, _context

from anestools.cli import app, hoist_global_flags
from anestools.common import console as con


def _command(path: list[str]):
    cmd = typer.main.get_command(app)
    for name in path:
        cmd = cmd.get_command(_context(cmd), name)
    return cmd


def _visible_options(path: list[str]) -> set[str]:
    return {o for p in _command(path).params if not getattr(p, "hidden", False) and p.param_type_name == "option"
            for o in p.opts}


def _qa_parquet(path, rows=(("What reverses rocuronium?", "Sugammadex.", "zh"),
                            ("What treats malignant hyperthermia?", "Dantrolene.", "en"))):
    pq.write_table(pa.table({"question": [r[0] for r in rows], "answer": [r[1] for r in rows],
                             "language": [r[2] for r in rows]}), path)
    return path


def test_hoist_moves_global_flags_to_the_front_but_not_after_double_dash():
    assert hoist_global_flags(["corpus", "stats", "D", "-q"]) == ["-q", "corpus", "stats", "D"]
    assert hoist_global_flags(["eval", "--model", "m", "-vv", "--verbose"]) == ["-vv", "--verbose", "eval", "--model", "m"]
    assert hoist_global_flags(["train", "cpt", "--", "-q"]) == ["train", "cpt", "--", "-q"]
    assert hoist_global_flags(["convert", "--set", "x=-q"]) == ["convert", "--set", "x=-q"]


def test_no_subcommand_defines_its_own_q_or_v():
    """The hoisting is only safe while -q/-v belong to the root alone."""
    for path in _all_commands():
        if path:
            opts = {o for p in _command(path).params for o in p.opts}
            assert not opts & {"-q", "-v", "--quiet", "--verbose"}, path


@pytest.mark.parametrize("flag, level", [("-q", -1), ("-v", 1), ("-vv", 2)])
def test_global_flag_after_the_subcommand_is_applied(cli, tmp_path, flag, level):
    src = _qa_parquet(tmp_path / "qa.parquet")
    code, out, err = cli("convert", str(src), "--output", str(tmp_path / "data"), flag)
    assert code == 0, err
    assert con.verbosity() == level
    con.set_verbosity(0, False)


def test_verbose_is_a_counted_flag_shown_without_a_value(cli):
    code, out, _ = cli("--help")
    assert code == 0
    line = next(line for line in out.splitlines() if "--verbose" in line)
    assert "-v" in line and "<int>" not in line and "[default: 0]" not in out
    assert "<bool>" not in next(line for line in out.splitlines() if "--quiet" in line)


def test_languages_are_lang_everywhere_and_old_names_are_hidden():
    for path in _all_commands():
        if not path:
            continue
        opts = _visible_options(path)
        assert not opts & {"--languages", "--split"}, path
    for path in (["corpus", "build"], ["corpus", "pubmed"], ["convert"], ["qa", "generate"], ["eval"]):
        assert "--lang" in _visible_options(path), path


def test_old_languages_name_still_works_and_a_disagreement_is_refused(cli, tmp_path):
    code, _, err = cli("corpus", "build", "--languages", "en,fr", "--output", str(tmp_path / "o1"))
    assert code == 2 and "unknown language fr" in err and "--lang" in err
    code, _, err = cli("corpus", "build", "--lang", "en", "--languages", "zh", "--output", str(tmp_path / "o2"))
    assert code == 2 and "disagree" in err and not (tmp_path / "o2").exists()
    code, _, err = cli("corpus", "pubmed", str(tmp_path / "none.xml"), "--lang", "en", "--languages", "zh",
                       "--output", str(tmp_path / "o3"))
    assert code == 2 and "disagree" in err


def test_convert_split_zh_is_lang_cn(cli, tmp_path):
    src = _qa_parquet(tmp_path / "qa.parquet")
    outs = {}
    for args in (("--split", "zh"), ("--lang", "zh"), ("--lang", "cn")):
        out = tmp_path / "_".join(args).strip("-")
        code, _, err = cli("convert", str(src), "--output", str(out), *args)
        assert code == 0, err
        info = json.loads((out / "dataset_info.json").read_text())
        assert list(info) == ["anesqa_cn"]
        outs[args] = (out / info["anesqa_cn"]["file_name"]).read_text()
    assert len(set(outs.values())) == 1 and "Sugammadex" in outs[("--lang", "cn")]
    assert "Dantrolene" not in outs[("--lang", "cn")]


def test_inputs_are_positional_and_input_is_only_an_alias():
    for path in _all_commands():
        if not path:
            continue
        params = _command(path).params
        if any("--input" in p.opts for p in params):
            assert any(p.param_type_name == "argument" for p in params), path
    for path in (["corpus", "build"], ["corpus", "pubmed"], ["convert"], ["qa", "generate"], ["qa", "translate"],
                 ["corpus", "stats"]):
        assert any(p.param_type_name == "argument" for p in _command(path).params), path


def test_corpus_build_input_alias_and_positional_agree(cli, tmp_path):
    missing = str(tmp_path / "missing")
    for args in ((missing,), ("--input", missing)):
        code, _, err = cli("corpus", "build", *args, "--output", str(tmp_path / "o"))
        assert code == 2 and "no such file or directory" in err
