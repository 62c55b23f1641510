"""The Cytoscape export opened by the real Cytoscape.js (from npm) in Node, headless."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from swapgraph.engine import Engine
from swapgraph.exports import export
from swapgraph.views import VIEWS, build_view
from tests.exports_fixture import small_engine, small_project

__all__ = ["small_engine", "small_project"]

# Loads the document the three ways a user would, and prints the counts each gives.
LOAD = """
const cytoscape = require(process.argv[2]);
const doc = JSON.parse(require("fs").readFileSync(process.argv[3], "utf8"));
const counts = (cy) => [cy.nodes().length, cy.edges().length];
const viaJson = cytoscape({ headless: true });
viaJson.json(doc);
const viaElements = cytoscape({
  headless: true, styleEnabled: true, elements: doc.elements, style: doc.style,
});
const styled = viaElements.edges().filter((e) => e.style("line-style") === "dashed").length;
console.log(JSON.stringify({
  json: counts(viaJson), elements: counts(viaElements), name: viaJson.data("name"),
  dashed: styled,
}));
process.exit(0); // a styled instance keeps timers that would hold Node open
"""


@pytest.fixture(scope="module")
def cytoscape_js(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Install the cytoscape npm package into a temporary folder; skip without npm or network."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are needed to load the export with Cytoscape.js")
    folder = tmp_path_factory.mktemp("cytoscape-js")
    done = subprocess.run(
        [npm, "install", "--prefix", str(folder), "--no-audit", "--no-fund", "cytoscape"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    package = folder / "node_modules" / "cytoscape"
    if done.returncode != 0 or not package.is_dir():
        pytest.skip(f"cannot install cytoscape from npm (offline?): {done.stderr[-300:]}")
    return package


@pytest.mark.slow
@pytest.mark.parametrize("view", VIEWS)
def test_cytoscape_js_loads_every_node_and_edge(
    small_engine: Engine, cytoscape_js: Path, tmp_path: Path, view: str
) -> None:
    document = tmp_path / f"{view}.cyjs"
    document.write_bytes(export(small_engine, "cytoscape", view)[0])
    (tmp_path / "load.js").write_text(LOAD, encoding="utf-8")
    done = subprocess.run(
        ["node", str(tmp_path / "load.js"), str(cytoscape_js), str(document)],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    loaded = json.loads(done.stdout)
    graph = build_view(small_engine, view)
    expected = [graph.number_of_nodes(), graph.number_of_edges()]
    assert loaded["json"] == expected
    assert loaded["elements"] == expected
    assert loaded["name"] == graph.graph["name"]
    if view == "actors":  # the style reads each edge's line from its data
        third_party = sum(1 for *_, d in graph.edges(data=True) if d["kind"] == "third party")
        assert loaded["dashed"] == third_party > 0
