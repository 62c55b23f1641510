"""The CI workflow and the pre-commit hooks call swapgraph commands that exist, as written."""

from __future__ import annotations

import shlex
from typing import Any

import pytest
import yaml

from swapgraph.cli import build_parser
from tests.conftest import REPO_ROOT


def _swapgraph_argv(command: str) -> list[str]:
    words = shlex.split(command.replace("${{ github.base_ref }}", "main"))
    assert words[0] == "swapgraph", command
    return words[1:]


def _parses(argv: list[str]) -> None:
    try:
        build_parser().parse_args(argv)
    except SystemExit as error:  # argparse exits on an unknown command or option
        pytest.fail(f"swapgraph {' '.join(argv)}: rejected by the command line ({error})")


def test_pre_commit_hooks_run_real_commands_on_the_whole_project() -> None:
    hooks: list[dict[str, Any]] = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {hook["id"] for hook in hooks} == {"swapgraph-validate", "swapgraph-fmt"}
    for hook in hooks:
        _parses(_swapgraph_argv(hook["entry"]))
        # Shapes relate nodes across files, so a hook checks the project, not the files.
        assert hook["pass_filenames"] is False
        assert hook["language"] == "python"


def test_workflow_steps_run_real_commands() -> None:
    workflow = yaml.safe_load((REPO_ROOT / ".github" / "workflows" / "validate.yml").read_text())
    runs = [
        step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step
    ]
    commands = [run for run in runs if run.startswith("swapgraph")]
    assert {_swapgraph_argv(c)[0] for c in commands} == {"validate", "fmt", "diff"}
    for command in commands:
        _parses(_swapgraph_argv(command))
    assert "swapgraph validate --format github" in commands
    assert any(run.startswith("python -m pytest") for run in runs)
