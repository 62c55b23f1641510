"""The one RDF loader: nothing fetched or opened, and only what every engine can load.

A project's ``.jsonld`` file may name its ``@context`` by URL; rdflib would fetch it (a
request from a CI runner to any address) or open a ``file:`` one. A canary HTTP listener on
127.0.0.1 must see no request from any command run on such a project, and each command must
fail with exit 2 naming the file, never a traceback.
"""

from __future__ import annotations

import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from swapgraph.cli import main
from swapgraph.errors import RDFSyntaxError
from swapgraph.load import parse_file, parse_text
from tests.conftest import REPO_ROOT

COMMANDS = [
    ["validate"],
    ["query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1"],
    ["query", "--engine", "rdflib", "SELECT * WHERE { ?s ?p ?o } LIMIT 1"],
    ["info"],
    ["stats"],
    ["export", "graphml"],
    ["new", "exchange", "--date", "2026-12-01", "--between", "Russia", "Ukraine"],
    ["serve", "--port", "0"],
]


class Canary:
    """An HTTP listener that records every request it gets."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        canary = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                canary.requests.append(self.path)
                body = b'{"@context": {"ex": "https://example.org/"}}'
                self.send_response(200)
                self.send_header("Content-Type", "application/ld+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    listener = Canary()
    yield listener
    listener.server.shutdown()


def hostile_project(root: Path, document: str) -> Path:
    for folder in ("ontology", "shapes", "api"):
        shutil.copytree(REPO_ROOT / folder, root / folder)
    (root / "graph").mkdir()
    shutil.copy(REPO_ROOT / "graph" / "states.ttl", root / "graph" / "states.ttl")
    (root / "graph" / "hostile.jsonld").write_text(document, encoding="utf-8")
    return root


def documents(canary_url: str, secret: Path) -> dict[str, str]:
    node = '"@id": "https://example.org/x", "ex:p": "1"'
    return {
        "remote": f'{{"@context": "{canary_url}/remote", {node}}}',
        "remote-list": (
            f'{{"@context": [{{"ex": "https://example.org/"}}, "{canary_url}/list"], {node}}}'
        ),
        "import": f'{{"@context": {{"@import": "{canary_url}/import"}}, {node}}}',
        "scoped": (
            f'{{"@context": {{"ex": "https://example.org/", "ex:q": {{"@id": "ex:q", '
            f'"@context": "{canary_url}/scoped"}}}}, {node}}}'
        ),
        "file": f'{{"@context": "{secret.as_uri()}", {node}}}',
    }


@pytest.mark.slow
def test_no_command_fetches_a_context(
    canary: Canary, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "secret.jsonld"
    secret.write_text('{"@context": {"ex": "https://example.org/"}}', encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")}
    for name, document in documents(canary.url, secret).items():
        root = hostile_project(tmp_path / name, document)
        for args in COMMANDS:
            if args[0] == "serve":  # in a process of its own: were the data loaded, it would serve
                run = subprocess.run(
                    [sys.executable, "-m", "swapgraph", "--project", str(root), *args],
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=120,
                )
                code, stderr = run.returncode, run.stderr
            else:  # in this process (no cold start), its output caught at the descriptor
                code = main(["--project", str(root), *args])
                stderr = capfd.readouterr().err
            assert code == 2, (name, args, stderr)
            assert "Traceback" not in stderr
            assert "hostile.jsonld" in stderr and "names a context to fetch" in stderr
    assert canary.requests == []


def test_the_loader_refuses_contexts_in_process(canary: Canary, tmp_path: Path) -> None:
    secret = tmp_path / "secret.jsonld"
    secret.write_text("{}", encoding="utf-8")
    for name, document in documents(canary.url, secret).items():
        path = tmp_path / f"{name}.jsonld"
        path.write_text(document, encoding="utf-8")
        with pytest.raises(RDFSyntaxError, match="names a context to fetch"):
            parse_file(path)
    assert canary.requests == []


def test_an_inline_context_is_read(tmp_path: Path) -> None:
    path = tmp_path / "ok.jsonld"
    path.write_text(
        '{"@context": {"ex": "https://example.org/"}, "@id": "ex:x", "ex:p": "1"}',
        encoding="utf-8",
    )
    assert len(parse_file(path)) == 1


@pytest.mark.parametrize("char", [" ", "{", "}", "|", "^", "`"])
def test_an_iri_oxigraph_refuses_is_refused_with_its_line(char: str) -> None:
    text = (
        "@prefix ex: <https://example.org/> .\n\nex:a ex:p 1 .\n"
        f"<https://example.org/b{char}c> ex:p 2 .\n"
    )
    with pytest.raises(RDFSyntaxError) as caught:
        parse_text(text, Path("bad.ttl"))
    assert caught.value.line == 4 and "is not valid" in str(caught.value)
    assert str(caught.value).startswith("bad.ttl:4: ")


def test_a_non_utf8_file_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.ttl"
    path.write_bytes(b'@prefix ex: <https://example.org/> .\n\nex:a ex:p "caf\xe9" .\n')
    with pytest.raises(RDFSyntaxError, match=r"latin1\.ttl:3: not valid RDF: not UTF-8"):
        parse_file(path)
