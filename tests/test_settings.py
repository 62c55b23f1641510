"""``serve``'s settings are declared once: flags, server defaults and README come from them."""

from __future__ import annotations

import dataclasses

from swapgraph.cli import build_parser
from swapgraph.server import Settings
from swapgraph.settings import SETTINGS, markdown_table, server_values
from tests.conftest import REPO_ROOT


def _serve_args(*flags: str) -> dict[str, object]:
    return server_values(build_parser().parse_args(["serve", *flags]))


def test_every_server_setting_but_the_project_has_a_flag() -> None:
    fields = {f.name for f in dataclasses.fields(Settings)} - {"project", "named_graphs"}
    assert fields == {s.name for s in SETTINGS if s.server}


def test_without_flags_the_server_gets_its_own_defaults() -> None:
    defaults = {f.name: f.default for f in dataclasses.fields(Settings) if f.name in _serve_args()}
    assert _serve_args() == defaults


def test_flags_become_the_server_settings() -> None:
    values = _serve_args(
        "--max-body-bytes",
        "2048",
        "--worker-memory",
        "0",
        "--cors",
        "https://a.example",
        "--cors",
        "https://b.example",
        "--read-timeout",
        "5",
    )
    assert values["max_body_bytes"] == 2048
    assert values["worker_memory_bytes"] is None
    assert values["cors_origins"] == ("https://a.example", "https://b.example")
    assert values["read_timeout"] == 5.0
    assert _serve_args("--worker-memory", "300")["worker_memory_bytes"] == 300_000_000


def test_the_readme_table_is_the_declared_settings() -> None:
    assert markdown_table() in (REPO_ROOT / "README.md").read_text(encoding="utf-8")
