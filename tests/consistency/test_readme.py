"""The README's promises: the two set-up commands, and every command it shows exists."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from nearhome.cli import app

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_gives_the_two_setup_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert "make demo" in text and "make test" in text


def test_every_command_in_the_readme_exists() -> None:
    text = README.read_text(encoding="utf-8")
    blocks = "\n".join(re.findall(r"```bash\n(.*?)```", text, flags=re.DOTALL))
    commands = set(
        re.findall(
            r"bin/nearhome ((?:[a-z-]+ )*[a-z-]+)(?= |$)", blocks, flags=re.MULTILINE
        )
    )
    runner = CliRunner()
    checked = 0
    for command in commands:
        words = command.split()
        while words:
            result = runner.invoke(app, [*words, "--help"])
            if result.exit_code == 0:
                checked += 1
                break
            words = words[:-1]
        assert words, f"README shows `nearhome {command}`, which does not exist"
    assert checked >= 3
