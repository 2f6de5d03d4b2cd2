"""Your own multiple-choice bank: a small field mapping instead of AnesBench's schemas.

Why a mapping rather than more guessing: an in-house bank names its fields freely (``stem``,
``choices: [...]``, ``opa``…``opd``, ``cop: 2``), and a wrong guess silently changes a score.
The user states where the question, the options (letter fields, or one list/dict field) and
the answer (letter, index or option text) are, plus optional level, language and id fields;
every record is validated against that and turned into the same :class:`Item` AnesBench
gives, so prompts, extraction, metrics and reports are shared. Given as YAML
(``--bench-map FILE``) and/or ``--bench-field KEY=VALUE`` flags (flags win).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from anestools.common.anesbench import (
    LANGUAGE_UNKNOWN,
    LANGUAGES,
    LETTERS,
    MAX_OPTION_CHARS,
    MAX_QUESTION_CHARS,
    Item,
    check_distinct,
    check_id,
    check_level,
    check_text,
    object_rows,
)
from anestools.common.langs import normalize_language
from anestools.errors import ConfigError

ANSWER_FORMATS = ("auto", "letter", "index", "text")
KEYS = ("question", "options", "answer", "answer_format", "index_base", "level", "language", "language_field", "id")


@dataclass(frozen=True)
class BenchMapping:
    """Where each part of a question is in a record.

    ``options``: one field holding a list (or a ``{"A": …}`` dict) of option texts, or several
    fields, one per option, in letter order. ``answer_format``: ``letter`` (``B``, ``b``, ``(B)``),
    ``index`` (``index_base`` 0 or 1), ``text`` (equal to one option's text) or ``auto`` (an
    integer is an index, a single letter among the options is a letter, else text).
    ``language``: a constant (``en``/``zh``); ``language_field``: a field holding it; neither:
    a token of the file name (``bank_zh.jsonl``). ``id``: the id field; records without it are
    numbered by row.
    """

    question: str = "question"
    options: str | tuple[str, ...] = "options"
    answer: str = "answer"
    answer_format: str = "auto"
    index_base: int = 0
    level: str | None = None
    language: str | None = None
    language_field: str | None = None
    id: str = "id"

    def __post_init__(self) -> None:
        if self.answer_format not in ANSWER_FORMATS:
            raise ConfigError(f"benchmark mapping: answer_format {self.answer_format!r}: expected one of "
                              f"{', '.join(ANSWER_FORMATS)}")
        if self.index_base not in (0, 1):
            raise ConfigError(f"benchmark mapping: index_base must be 0 or 1, got {self.index_base!r}")
        if isinstance(self.options, tuple) and not 2 <= len(self.options) <= len(LETTERS):
            raise ConfigError(f"benchmark mapping: options: give 2..{len(LETTERS)} option fields (or one list field)")
        if self.language is not None and normalize_language(self.language) not in LANGUAGES:
            raise ConfigError(f"benchmark mapping: language {self.language!r}: expected en or zh")

    @classmethod
    def build(cls, data: Mapping[str, Any], where: str = "benchmark mapping") -> BenchMapping:
        """From a YAML mapping or parsed flags; values are checked, unknown keys refused."""
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            name = str(key).replace("-", "_")
            if name not in KEYS:
                raise ConfigError(f"{where}: unknown key {key!r}; expected {', '.join(KEYS)}")
            if name == "options":
                if isinstance(value, str) and "," in value:
                    value = [v.strip() for v in value.split(",") if v.strip()]
                value = tuple(str(v) for v in value) if isinstance(value, (list, tuple)) else str(value)
            elif name == "index_base":
                try:
                    value = int(value)
                except (TypeError, ValueError) as exc:
                    raise ConfigError(f"{where}: index_base must be 0 or 1, got {value!r}") from exc
            elif value is not None:
                value = str(value)
            kwargs[name] = value
        return cls(**kwargs)

    @classmethod
    def load(cls, path: str | Path | None = None, pairs: Sequence[str] = ()) -> BenchMapping | None:
        """``--bench-map FILE`` and ``--bench-field KEY=VALUE`` (flags override the file); None if neither."""
        if path is None and not pairs:
            return None
        data: dict[str, Any] = {}
        if path is not None:
            import yaml

            try:
                loaded = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
            except (OSError, yaml.YAMLError) as exc:
                raise ConfigError(f"--bench-map {path}: cannot read YAML ({exc})") from exc
            if not isinstance(loaded, dict):
                raise ConfigError(f"--bench-map {path}: expected a mapping such as 'question: stem'")
            data.update(loaded)
        for pair in pairs:
            key, sep, value = pair.partition("=")
            if not sep or not key.strip():
                raise ConfigError(f"--bench-field {pair!r}: expected KEY=VALUE, e.g. question=stem")
            data[key.strip()] = value.strip()
        return cls.build(data, f"--bench-map {path}" if path else "--bench-field")

    def describe(self) -> dict[str, Any]:
        """For ``summary.json``: the mapping a run was scored with."""
        d = asdict(self)
        d["options"] = list(self.options) if isinstance(self.options, tuple) else self.options
        return d

    # -- records -> items ---------------------------------------------------------------------

    def _options(self, rec: Mapping[str, Any], where: str, problems: list[str]) -> dict[str, str]:
        if isinstance(self.options, tuple):
            raw: list[Any] = [rec.get(f) for f in self.options]
            names = list(self.options)
        else:
            value = rec.get(self.options)
            if isinstance(value, Mapping):
                keys = [str(k).strip().upper() for k in value]
                if keys != list(LETTERS[:len(keys)]):
                    problems.append(f"{where}: field '{self.options}' keys {list(value)} are not letters A, B, … in order")
                    return {}
                raw = list(value.values())
            elif isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
                raw = list(value.tolist() if hasattr(value, "tolist") else value)
            else:
                problems.append(f"{where}: field '{self.options}' missing or not a list of options")
                return {}
            names = [f"{self.options}[{i}]" for i in range(len(raw))]
        if not 2 <= len(raw) <= len(LETTERS):
            problems.append(f"{where}: {len(raw)} options; expected 2..{len(LETTERS)}")
            return {}
        opts: dict[str, str] = {}
        for letter, name, value in zip(LETTERS, names, raw):
            text = check_text(value, f"option '{name}'", where, problems, MAX_OPTION_CHARS)
            if text is None:
                return {}
            opts[letter] = text
        label = dict(zip(LETTERS, names))
        return opts if check_distinct(opts, lambda k: f"'{label[k]}'", where, problems) else {}

    def _answer(self, value: Any, options: dict[str, str], where: str, problems: list[str]) -> str | None:
        field = f"field '{self.answer}' = {value!r}"
        if value is None or isinstance(value, bool) or (isinstance(value, str) and not value.strip()):
            problems.append(f"{where}: field '{self.answer}' missing or empty")
            return None
        fmt = self.answer_format
        text = str(value).strip()
        if fmt == "auto":
            if isinstance(value, int) or text.isdigit():
                fmt = "index"
            elif text.strip("().").upper() in options and len(text.strip("().")) == 1:
                fmt = "letter"
            else:
                fmt = "text"
        if fmt == "letter":
            letter = text.strip("().").upper()
            if letter in options:
                return letter
            problems.append(f"{where}: {field} is not one of the letters {''.join(options)}")
            return None
        if fmt == "index":
            try:
                idx = int(text) - self.index_base
            except ValueError:
                problems.append(f"{where}: {field} is not an integer index")
                return None
            if 0 <= idx < len(options):
                return LETTERS[idx]
            problems.append(f"{where}: {field} is outside the {len(options)} options (index_base {self.index_base})")
            return None
        matches = [k for k, v in options.items() if v.casefold() == text.casefold()]
        if len(matches) == 1:
            return matches[0]
        problems.append(f"{where}: {field} " + ("matches several options" if matches else "matches no option text"))
        return None

    def to_items(self, records: Iterable[Mapping[str, Any]], source: str, file_language: str | None,
                 problems: list[str], default_language: str | None = None,
                 assumed: set[str] | None = None) -> Iterator[Item]:
        """Validated items; problems name the file, row and field, and are appended, not raised.

        ``default_language`` (the one ``--lang``) is used when neither the mapping nor the file
        name gives a language; the keys of those items are added to ``assumed``.
        """
        for row, where, rec in object_rows(records, source, problems):
            before = len(problems)
            rid_raw = rec.get(self.id)
            rid = (check_id(rid_raw, f"field '{self.id}'", where, problems)
                   if rid_raw is not None and rid_raw != "" else None) or f"row-{row}"
            where = f"{where} (id {rid})"
            question = check_text(rec.get(self.question), f"field '{self.question}'", where, problems,
                                  MAX_QUESTION_CHARS)
            options = self._options(rec, where, problems)
            answer = self._answer(rec.get(self.answer), options, where, problems) if options else None
            level = None
            if self.level is not None:
                level = check_level(rec.get(self.level), f"field '{self.level}'", where, problems)
            if self.language_field is not None:
                lang = normalize_language(rec.get(self.language_field))
            else:
                lang = normalize_language(self.language) if self.language else file_language
            guessed = lang is None and self.language_field is None and default_language is not None
            lang = default_language if guessed else lang
            if lang not in LANGUAGES:
                if self.language_field is not None and rec.get(self.language_field) is not None:
                    what = f"field '{self.language_field}' = {rec.get(self.language_field)!r}; expected en or zh"
                else:
                    what = (f"{LANGUAGE_UNKNOWN} (" + (f"no field '{self.language_field}'" if self.language_field
                            else "no 'language' in the mapping, no _en/_zh in the file name") + ")")
                problems.append(f"{where}: {what}")
            if len(problems) > before:
                continue
            item = Item(id=rid, language=lang, level=level, question=question, options=options,  # type: ignore[arg-type]
                        answer=answer)  # type: ignore[arg-type]
            if guessed and assumed is not None:
                assumed.add(item.key)
            yield item
