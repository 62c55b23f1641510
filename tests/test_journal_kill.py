"""Kill -9 at every write step of import-csv, fmt and release: the project stays whole.

``SWAPGRAPH_KILL_AT_STEP=k`` makes the writer SIGKILL itself at its k-th step (staging a
file, committing the journal, replacing a file, removing the journal), as a crash, an OOM
kill or a power loss there would. After each kill the next command (here ``fmt --check``)
must leave the project exactly the old one or exactly the new one, every RDF file must
parse, no staged file, backup, journal or lock may remain, and running the killed command
again must give the new project.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Namespace
from rdflib.namespace import DCAT, DCTERMS

from swapgraph.cli import main
from swapgraph.load import parse_file
from swapgraph.paths import RDF_SUFFIXES
from tests.conftest import REPO_ROOT, TEST_DATA
from tests.versions import NEXT

pytestmark = pytest.mark.slow

REFERENCE = (
    "states",
    "armed-groups",
    "organisations",
    "persons",
    "places",
    "agreements",
    "sources",
)
ROWS = ("RU-UA-2022-03-01", "RU-UA-2022-03-16", "RU-UA-2023-01-08")  # two years' files


def swapgraph(
    root: Path, *args: str, kill_at: int | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")}
    env.pop("SWAPGRAPH_KILL_AT_STEP", None)
    if kill_at is not None:
        env["SWAPGRAPH_KILL_AT_STEP"] = str(kill_at)
    command = [sys.executable, "-m", "swapgraph", "--project", str(root), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


def swapgraph_here(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run a command in this process, as :func:`swapgraph` runs it in a process of its own.

    For the commands after a kill (the check, the re-run): the recovery they do is the
    same in any process, and this one has Python and rdflib loaded already. A bug raises
    (``SWAPGRAPH_DEBUG``) instead of being printed.
    """
    assert "SWAPGRAPH_KILL_AT_STEP" not in os.environ, "the kill switch would stop pytest"
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SWAPGRAPH_DEBUG", "1")
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["--project", str(root), *args])
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


SPDX = Namespace("http://spdx.org/rdf/terms#")


def files(root: Path) -> dict[str, bytes]:
    """Every file of the project, dotfiles included, except git's and the cache's.

    A release dump is compared by its graph (blank node labels differ from run to run)
    and a checksum list by checking it.
    """
    found = {}
    for path in sorted(root.rglob("*")):
        parts = path.relative_to(root).parts
        # The cache (a validation report keyed by content hash) is derived, not the project.
        if not path.is_file() or ".git" in parts or ".swapgraph-cache" in parts:
            continue
        name = path.relative_to(root).as_posix()
        found[name] = path.read_bytes()
        if path.parent.name == "dist" and path.suffix == ".sha256":
            for line in path.read_text(encoding="utf-8").splitlines():
                digest, _, dump = line.partition("  ")
                assert hashlib.sha256((path.parent / dump).read_bytes()).hexdigest() == digest
            found[name] = b"checked"
        elif path.parent.name == "dist" and path.name.endswith(".dcat.ttl"):
            # Like the checksum list: the dumps' bytes (blank node labels) differ from run to
            # run, so the catalogue is checked against the dumps beside it, not compared.
            catalogue = Graph().parse(path, format="turtle")
            described = 0
            for dist in catalogue.subjects(DCTERMS.title, None):
                dump = path.parent / str(catalogue.value(dist, DCTERMS.title))
                if not dump.is_file():
                    continue
                checksum = catalogue.value(dist, SPDX.checksum)
                digest = str(catalogue.value(checksum, SPDX.checksumValue))
                assert hashlib.sha256(dump.read_bytes()).hexdigest() == digest
                size = catalogue.value(dist, DCAT.byteSize)
                assert size is not None and int(size) == dump.stat().st_size
                described += 1
            assert described >= 3, "the catalogue describes every dump"
            found[name] = b"checked"
        elif path.parent.name == "dist":
            found[name] = _dump_content(path)
    return found


def _dump_content(path: Path) -> bytes:
    """A release dump as its graph names and its triples, blank nodes labelled canonically.

    Oxigraph's canonical labels (in Rust) rather than rdflib's: this runs twice per kill.
    """
    quads = ox.parse(path=str(path), format=ox.RdfFormat.from_extension(path.suffix[1:]))
    names, union = set(), ox.Dataset()
    for quad in quads:
        if not isinstance(quad.graph_name, ox.DefaultGraph):
            names.add(str(quad.graph_name))
        union.add(ox.Quad(quad.subject, quad.predicate, quad.object))
    union.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return "\n".join(sorted(names) + sorted(str(quad) for quad in union)).encode()


def csv_lines(path: Path, ids: tuple[str, ...]) -> Path:
    with (TEST_DATA / "exchanges.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = [row for row in reader if row["id"] in ids]
        columns = list(reader.fieldnames or [])
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small project: the real ontology, shapes and reference nodes, one exchange."""
    root = tmp_path_factory.mktemp("base") / "project"
    for folder in ("ontology", "shapes", "api"):
        shutil.copytree(REPO_ROOT / folder, root / folder)
    (root / "graph").mkdir()
    for name in REFERENCE:
        shutil.copy(REPO_ROOT / "graph" / f"{name}.ttl", root / "graph" / f"{name}.ttl")
    shutil.copy(REPO_ROOT / "CHANGELOG.md", root / "CHANGELOG.md")
    first = csv_lines(root.parent / "first.csv", ("RU-UA-2022-03-24",))
    assert swapgraph(root, "import-csv", str(first)).returncode == 0
    return root


def prepare_import(root: Path) -> list[str]:
    return ["import-csv", str(csv_lines(root.parent / "rows.csv", ROWS))]


def prepare_fmt(root: Path) -> list[str]:
    # Three files out of canonical form: reversed lines of prefixes, blank lines removed.
    for name in ("states", "places", "agreements"):
        path = root / "graph" / f"{name}.ttl"
        path.write_text(path.read_text(encoding="utf-8").replace("\n\n", "\n"), encoding="utf-8")
    return ["fmt"]


def prepare_release(root: Path) -> list[str]:
    return ["release", NEXT, "--date", "2026-11-26"]


def fresh_project(
    base: Path, folder: Path, prepare: Callable[[Path], list[str]]
) -> tuple[Path, list[str]]:
    """A copy of ``base`` (with its CSV beside it) in ``folder``, and the command's arguments."""
    root = folder / "project"
    shutil.copytree(base, root)
    shutil.copy(base.parent / "first.csv", root.parent / "first.csv")
    return root, prepare(root)


#: RDF texts that :func:`check_whole` has parsed, by suffix and SHA-256: the same bytes
#: parse the same way, and most kills leave the same old or new files.
_PARSED: set[tuple[str, str]] = set()


def check_whole(root: Path, old: dict[str, bytes], new: dict[str, bytes]) -> str:
    now = files(root)  # parses every file of dist/ (the dumps with Oxigraph), checks sums
    for name in now:
        path = root / name
        if path.suffix not in RDF_SUFFIXES or path.parent.name == "dist":
            continue
        key = (path.suffix, hashlib.sha256(path.read_bytes()).hexdigest())
        if key not in _PARSED:
            parse_file(path)
            _PARSED.add(key)
    stray = [n for n in now if Path(n).name.startswith(".")]
    assert stray == [], f"leftover files: {stray}"
    assert now in (old, new), "a mixed project"
    return "old" if now == old else "new"


@pytest.mark.parametrize(
    "prepare", [prepare_import, prepare_fmt, prepare_release], ids=["import-csv", "fmt", "release"]
)
def test_kill_at_every_write_step(
    base: Path, tmp_path: Path, prepare: Callable[[Path], list[str]]
) -> None:
    def fresh(name: str) -> tuple[Path, list[str]]:
        return fresh_project(base, tmp_path / name, prepare)

    reference, args = fresh("reference")
    old = files(reference)
    done = swapgraph(reference, *args)
    assert done.returncode == 0, done.stderr
    new = files(reference)
    assert new != old

    outcomes: list[str] = []
    step = 0
    while True:
        step += 1
        assert step < 100, "the command never completed"
        root, args = fresh(f"kill-{step}")
        killed = swapgraph(root, *args, kill_at=step)
        if killed.returncode == 0:
            break  # past the last step: the command ran through
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        after = swapgraph_here(root, "fmt", "--check")
        assert "Traceback" not in after.stderr
        outcomes.append(check_whole(root, old, new))
        again = swapgraph_here(root, *args)
        assert again.returncode == 0, again.stderr
        assert files(root) == new, f"re-running after a kill at step {step} did not complete"
        shutil.rmtree(root.parent)
    print(f"{args[0]}: {len(outcomes)} write steps killed: {outcomes}")
    # Before the journal's commit the old project survives, after it the new one.
    assert outcomes[0] == "old" and outcomes[-1] == "new"
    assert outcomes == sorted(outcomes, key=lambda o: o == "new")
