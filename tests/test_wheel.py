"""The built wheel, installed in a fresh virtual environment, works from outside the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.slow


def _dependency_dirs() -> list[str]:
    """The folders the running interpreter imports installed packages from.

    Whether the tests run in a user's venv or in the system Python, the dependencies sit in
    the ``site-packages`` (or Debian ``dist-packages``) folders on ``sys.path``; the checkout's
    ``src`` (an editable install or ``PYTHONPATH``) is not among them.
    """
    return [
        entry
        for entry in sys.path
        if Path(entry).name in {"site-packages", "dist-packages"} and Path(entry).is_dir()
    ]


def _clean_env() -> dict[str, str]:
    """The environment without ``PYTHONPATH``, which would put the checkout's code first."""
    return {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}


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
    # A venv of its own, without system site packages: those would be the *base*
    # interpreter's, which lack the dependencies when the tests run in a user's venv. The
    # dependencies come from the running interpreter instead, through a .pth file listing its
    # package folders (appended after the venv's own site-packages, so the wheel comes first).
    # No network, no second copy of the dependencies, and pip itself is found the same way.
    venv.EnvBuilder(system_site_packages=False, with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
        env=_clean_env(),
    ).stdout.strip()
    assert purelib != sysconfig.get_path("purelib")
    (Path(purelib) / "_dependencies.pth").write_text("\n".join(_dependency_dirs()) + "\n")
    subprocess.run(
        [python, "-m", "pip", "install", "--no-deps", "--disable-pip-version-check", "-q", wheel],
        check=True,
        env=_clean_env(),
    )
    return env_dir


def test_wheel_carries_type_marker_and_no_content_folders(installed_venv: Path) -> None:
    python = installed_venv / "bin" / "python"
    location = subprocess.run(
        [python, "-c", "import swapgraph, pathlib; print(pathlib.Path(swapgraph.__file__).parent)"],
        check=True,
        capture_output=True,
        text=True,
        cwd=installed_venv,
        env=_clean_env(),
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
        env=_clean_env(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
