"""``serve``'s settings are declared once: flags, server defaults and README come from them."""

from __future__ import annotations

import dataclasses

import pytest

from swapgraph.cli import build_parser
from swapgraph.errors import SettingError
from swapgraph.paths import Project
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


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--workers", "0"),
        ("--workers", "two"),
        ("--max-pending", "-1"),
        ("--timeout", "0"),
        ("--timeout", "-1"),
        ("--timeout", "nan"),
        ("--read-timeout", "0"),
        ("--read-timeout", "inf"),
        ("--keep-alive", "-5"),
        ("--grace", "-1"),
        ("--worker-memory", "-1"),
        ("--max-body-bytes", "0"),
        ("--max-result-bytes", "0"),
        ("--results-in-flight-bytes", "-3"),
        ("--port", "65536"),
        ("--port", "-1"),
    ],
)
def test_a_value_no_server_can_run_with_is_refused_naming_the_flag(
    flag: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Accepted before: --workers 0 served with no worker, --read-timeout 0 answered every
    # request 408, --timeout -1 stopped every query at once.
    with pytest.raises(SystemExit) as stopped:
        build_parser().parse_args(["serve", flag, value])
    assert stopped.value.code == 2
    said = capsys.readouterr().err
    assert f"argument {flag}" in said and repr(value) in said


def test_a_zero_that_means_something_is_accepted() -> None:
    values = _serve_args("--worker-memory", "0", "--keep-alive", "0")
    assert values["worker_memory_bytes"] is None and values["keep_alive"] == 0.0
    args = build_parser().parse_args(["serve", "--grace", "0", "--port", "0"])
    assert (args.grace, args.port) == (0.0, 0)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("workers", 0),
        ("workers", 2.0),
        ("workers", True),
        ("max_pending", -1),
        ("timeout", 0),
        ("timeout", float("nan")),
        ("read_timeout", float("inf")),
        ("keep_alive", -5.0),
        ("worker_memory_bytes", 0),
        ("max_body_bytes", 0),
        ("results_in_flight_bytes", "400"),
    ],
)
def test_settings_made_in_python_refuse_what_the_flags_refuse(name: str, value: object) -> None:
    # create_app(Settings(project, workers=0)) served with no worker: the flags' readers
    # guarded the command line only.
    project = Project.open(REPO_ROOT)
    with pytest.raises(SettingError, match=f"^{name}: "):
        Settings(project, **{name: value})  # type: ignore[arg-type]


def test_settings_made_in_python_keep_the_zeros_and_nones_that_mean_something() -> None:
    project = Project.open(REPO_ROOT)
    settings = Settings(project, keep_alive=0, worker_memory_bytes=None, timeout=5)
    assert (settings.keep_alive, settings.worker_memory_bytes, settings.timeout) == (0, None, 5)
