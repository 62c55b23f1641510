"""Where a report places a node: the file and line of the block its subject opens."""

from __future__ import annotations

from pathlib import Path

from rdflib import URIRef

from swapgraph.locate import SubjectIndex

TEXT = (
    "@prefix ex: <https://example.org/> .\n"  # 1
    "  PREFIX sw:<https://example.org/sw/>\n"  # 2: SPARQL-style, indented
    "\n"  # 3
    "ex:a a ex:Thing ;\r\n"  # 4: a Windows line ending
    '    ex:label "a label with a line separator \u2028 inside" .\n'  # 5
    "\n"  # 6
    "<https://example.org/full> ex:p ex:a .\n"  # 7
    "sw:b\\.c ex:p [\n"  # 8: an escaped dot in the local name
    "    ex:q ex:d\n"  # 9
    "] .\n"  # 10
    "  ex:indented ex:p ex:a .\n"  # 11: not a block's start
    "ex:e ex:p ex:a.\n"  # 12: the final dot ends the statement
)


def test_subjects_are_placed_at_the_line_an_editor_shows(tmp_path: Path) -> None:
    file = tmp_path / "data.ttl"
    file.write_bytes(TEXT.encode("utf-8"))
    index = SubjectIndex([file])
    lines = {
        "https://example.org/a": 4,
        "https://example.org/full": 7,
        "https://example.org/sw/b.c": 8,
        "https://example.org/e": 12,
    }
    for iri, line in lines.items():
        found = index.locate(URIRef(iri))
        assert found is not None, iri
        assert (found.path, found.line) == (file, line), iri
    assert index.locate(URIRef("https://example.org/indented")) is None
    assert index.locate(URIRef("https://example.org/d")) is None


def test_the_first_file_that_opens_a_block_wins(tmp_path: Path) -> None:
    first, second = tmp_path / "1.ttl", tmp_path / "2.ttl"
    first.write_text("<urn:x:a> <urn:x:p> 1 .\n", encoding="utf-8")
    second.write_text("\n<urn:x:a> <urn:x:p> 2 .\n", encoding="utf-8")
    found = SubjectIndex([first, second]).locate(URIRef("urn:x:a"))
    assert found is not None and (found.path, found.line) == (first, 1)
