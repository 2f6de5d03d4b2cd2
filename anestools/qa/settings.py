"""The teacher's settings: the runtime's engine options plus the teacher's model and sampling.

Each field is its command-line option (``runtime.options.opt``): ``qa generate`` and ``qa
translate`` take them all with ``@cli_options("teacher", TeacherSettings)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from anestools.errors import ConfigError
from anestools.runtime.options import AtLeast, opt
from anestools.runtime.settings import EngineSettings


@dataclass
class TeacherSettings(EngineSettings):
    """The teacher: the runtime's engine options (same meaning as in eval) plus its sampling."""

    model: str = opt("", "Teacher: checkpoint dir or Hub id (served model name with --base-url).",
                     flags=("--model", "-m"), show_default=False)
    temperature: float = opt(0.7, "Sampling temperature of the teacher.", check=AtLeast(0))
    max_new_tokens: int = opt(2048, "Maximum tokens per reply.", check=AtLeast(1))
    parse_retries: int = opt(2, "Re-asks when a reply is not the expected JSON.", check=AtLeast(0))

    def validate(self) -> None:
        if not self.model:
            raise ConfigError("--model is required (the teacher model, or the served name with --base-url)")
        super().validate()

    def describe(self) -> dict[str, Any]:
        return {"model": self.model, "engine": self.engine, "engine_reason": self.engine_reason,
                "base_url": self.base_url,
                "api_key_env": self.api_key_env,  # the variable's name only, never its value
                "temperature": self.temperature, "max_new_tokens": self.max_new_tokens,
                "concurrency": self.in_flight, "retries": self.retries, "parse_retries": self.parse_retries}
