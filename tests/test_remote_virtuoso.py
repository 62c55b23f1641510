"""The remote engine against Virtuoso Open Source: every named query answers as embedded.

Virtuoso (Debian's ``virtuoso-opensource``, installed by ``.ci/run``) runs as a plain process
on free ports of 127.0.0.1 with a database in a temporary folder; the project's data is
loaded as N-Triples with ``DB.DBA.TTLP_MT`` through ``isql-vt``. The test skips, saying
why, where Virtuoso is not installed.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator

import httpx
import pyoxigraph
import pytest

from swapgraph.engine import Engine, OxigraphEngine, RemoteEngine, SelectResult, open_engine
from swapgraph.named_queries import NamedQuery, load_named_queries
from swapgraph.paths import Project
from swapgraph.results import to_json
from tests.conftest import REPO_ROOT
from tests.serving import free_port

#: The graph the data is loaded into; Virtuoso's default dataset is the union of its graphs.
GRAPH = "urn:swapgraph:test"

INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DirsAllowed = ., {dir}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
CheckpointInterval = 0
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 4
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
DefaultQuery = ASK {{}}
"""


def _isql(port: int, statement: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["isql-vt", f"127.0.0.1:{port}", "dba", "dba", f"exec={statement}"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def virtuoso(project: Project, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Virtuoso serving the project's dataset; yields its SPARQL endpoint."""
    if shutil.which("virtuoso-t") is None or shutil.which("isql-vt") is None:
        pytest.skip("Virtuoso is not installed (Debian: apt-get install virtuoso-opensource)")
    folder = tmp_path_factory.mktemp("virtuoso")
    dump = folder / "dataset.nt"
    OxigraphEngine.from_project(project).store.dump(
        str(dump), format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=pyoxigraph.DefaultGraph()
    )
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(INI.format(dir=folder, sql_port=sql_port, http_port=http_port))
    process = subprocess.Popen(
        ["virtuoso-t", "-f", "-c", str(ini)],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while _isql(sql_port, "status();").returncode != 0:
            if process.poll() is not None or time.monotonic() > deadline:
                log = folder / "virtuoso.log"
                pytest.fail(f"Virtuoso did not start: {log.read_text()[-2000:]}")
            time.sleep(0.5)
        loaded = _isql(
            sql_port, f"DB.DBA.TTLP_MT(file_to_string_output('{dump}'), '', '{GRAPH}', 0);"
        )
        assert loaded.returncode == 0 and "Error" not in loaded.stdout, loaded.stdout
        _isql(sql_port, "checkpoint;")
        endpoint = f"http://127.0.0.1:{http_port}/sparql"
        assert httpx.get(endpoint, params={"query": "ASK {}"}, timeout=30).status_code == 200
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _rows(query: NamedQuery, engine: Engine) -> list[dict[str, str]]:
    result = query.run(engine, {})
    assert isinstance(result, SelectResult)
    return [
        {name: cell["value"] for name, cell in binding.items()}
        for binding in to_json(result)["results"]["bindings"]
    ]


def _sorted(rows: list[dict[str, str]]) -> list[list[tuple[str, str]]]:
    return sorted(sorted(row.items()) for row in rows)


#: Named queries whose answers from Virtuoso 7.2 still differ from the embedded engine's, as
#: seen on this machine (issue 14); each must fail until fixed (strict: a fix shows as XPASS).
VIRTUOSO_DIFFERS: dict[str, str] = {
    "returned-running-total": "the day/month/year sums: no answer within 60 s on this machine",
}
#: Seconds a query gets from Virtuoso: a query known to differ gets less, since waiting the
#: full minute for it only makes the suite slower.
TIMEOUT, TIMEOUT_KNOWN_TO_DIFFER = 60, 15


def _cases() -> list[object]:
    return [
        pytest.param(name, marks=pytest.mark.xfail(reason=VIRTUOSO_DIFFERS[name], strict=True))
        if name in VIRTUOSO_DIFFERS
        else name
        # Those that differ run last: Virtuoso keeps running a query its client gave up on.
        for name in sorted(load_named_queries(Project.open(REPO_ROOT)), key=_differs_last)
    ]


def _differs_last(name: str) -> tuple[bool, str]:
    return (name in VIRTUOSO_DIFFERS, name)


@pytest.mark.slow
@pytest.mark.parametrize("name", _cases())
def test_named_query_answers_as_the_embedded_engine(
    project: Project, virtuoso: str, name: str
) -> None:
    query = load_named_queries(project)[name]
    expected = _rows(query, open_engine(project))
    timeout = TIMEOUT_KNOWN_TO_DIFFER if name in VIRTUOSO_DIFFERS else TIMEOUT
    got = _rows(query, RemoteEngine(virtuoso, timeout=timeout))
    assert _sorted(got) == _sorted(expected), f"{len(got)} rows against {len(expected)}"
    assert got == expected, "same rows, another order"
