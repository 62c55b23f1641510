"""The built wheel, installed in a fresh virtual environment, works from outside the checkout."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT


@pytest.fixture(scope="module")
def installed_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    wheel_dir = work / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheel_dir),
            str(REPO_ROOT),
        ],
        check=True,
    )
    (wheel,) = wheel_dir.glob("swapgraph-*.whl")
    env_dir = work / "venv"
    # System site packages provide the dependencies (no network needed); the wheel itself is
    # installed into the venv, whose site-packages come first on its path.
    venv.EnvBuilder(system_site_packages=True, with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "--no-deps", "-q", str(wheel)], check=True)
    return env_dir


def test_wheel_carries_type_marker_and_no_content_folders(installed_venv: Path) -> None:
    python = installed_venv / "bin" / "python"
    location = subprocess.run(
        [python, "-c", "import swapgraph, pathlib; print(pathlib.Path(swapgraph.__file__).parent)"],
        check=True,
        capture_output=True,
        text=True,
        cwd=installed_venv,
    ).stdout.strip()
    package = Path(location)
    assert package.is_relative_to(installed_venv), "the venv imported swapgraph from elsewhere"
    assert (package / "py.typed").is_file()
    assert not list(package.rglob("*.ttl")), "code folders hold no Turtle"


def test_installed_command_validates_the_checkout_from_outside(
    installed_venv: Path, tmp_path: Path
) -> None:
    command = installed_venv / "bin" / "swapgraph"
    result = subprocess.run(
        [command, "validate", "--project", str(REPO_ROOT)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
