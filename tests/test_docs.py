"""The README documents every command and carries the generated data dictionary unchanged."""

from __future__ import annotations

from pathlib import Path

from flows.cli import build_parser
from schemas.docs import BEGIN, END, data_dictionary

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_data_dictionary_is_generated() -> None:
    """The section between the markers equals `python -m schemas.docs` output."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index(BEGIN): text.index(END) + len(END)]
    assert section == data_dictionary(), "README data dictionary drifted: run `python -m schemas.docs` and paste it"


def test_every_command_documented() -> None:
    """Each CLI subcommand appears in the README and has an Example in its help."""
    text = README.read_text(encoding="utf-8")
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for name, parser in sub.choices.items():
        assert f"eventpipe {name}" in text, f"README does not show `eventpipe {name}`"
        assert "Example:" in (sub._choices_actions[list(sub.choices).index(name)].help or "")
