"""The ontology's versions: each version IRI's content, and the history from the CHANGELOG.

Every ``owl:versionIRI`` (``https://w3id.org/swapgraph/ontology/0.1.0``) must resolve to that
version of the vocabulary: the current file if it is that version, else the ontology graph
of that release's TriG dump in ``dist/`` (the dump keeps it under its version IRI).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph
from rdflib.namespace import OWL, RDF

from swapgraph.dcat import find_releases
from swapgraph.paths import Project

_HEADING = re.compile(r"^## +(?P<version>\d+\.\d+\.\d+)\s*(?:[\u2014\u2013-]+\s*(?P<note>.*))?$")
_SECTION = re.compile(r"^### +(?P<title>.+)$")
_ITEM = re.compile(r"^[-*] +(?P<text>.*)$")


@dataclass
class VersionEntry:
    """One version in the CHANGELOG.

    Attributes:
        version: ``MAJOR.MINOR.PATCH``.
        note: What follows the version in the heading: its date, or ``unreleased``.
        sections: Each section's title and its items, as written (Markdown text).
    """

    version: str
    note: str
    sections: list[tuple[str, list[str]]] = field(default_factory=list)


def version_of(ontology: Graph) -> str | None:
    """The ``owl:versionInfo`` of the ontology's header, if any."""
    for header in ontology.subjects(RDF.type, OWL.Ontology):
        info = ontology.value(header, OWL.versionInfo)
        if info is not None:
            return str(info)
    return None


def ontology_at(project: Project, current: Graph, version: str) -> Graph | None:
    """The ontology as it was in ``version``; None if neither the file nor a dump has it.

    Args:
        project: The project (its ``dist/`` holds the release dumps).
        current: The ontology as loaded now.
        version: The version asked for.
    """
    if version_of(current) == version:
        return current
    for release in find_releases(project):
        if release.version != version:
            continue
        for name, path in release.paths.items():
            if name.endswith(".trig"):
                return _ontology_graph_of(path, version)
    return None


def _ontology_graph_of(dump: Path, version: str) -> Graph | None:
    dataset = Dataset()
    dataset.parse(dump, format="trig")
    # The dump keeps the ontology as a named graph of its own (under its version IRI).
    for graph in dataset.graphs():
        if version_of(graph) == version:
            copy = Graph()
            for triple in graph:
                copy.add(triple)
            return copy
    return None


def history(changelog: Path) -> list[VersionEntry]:
    """The versions listed in a CHANGELOG, newest first as written; none if it is absent."""
    if not changelog.is_file():
        return []
    entries: list[VersionEntry] = []
    for line in changelog.read_text(encoding="utf-8").splitlines():
        heading = _HEADING.match(line)
        if heading:
            entries.append(VersionEntry(heading["version"], (heading["note"] or "").strip()))
            continue
        if not entries:
            continue
        section = _SECTION.match(line)
        if section:
            entries[-1].sections.append((section["title"].strip(), []))
            continue
        item = _ITEM.match(line)
        if item and entries[-1].sections:
            entries[-1].sections[-1][1].append(item["text"].strip())
        elif line.startswith("  ") and entries[-1].sections and entries[-1].sections[-1][1]:
            items = entries[-1].sections[-1][1]
            items[-1] = f"{items[-1]} {line.strip()}"
    return entries
