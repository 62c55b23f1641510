"""DCAT: the releases of a graph project as a catalogue of datasets, one distribution per dump.

``swapgraph release`` writes ``dist/swapgraph-VERSION-DATE.{nt,trig,jsonld}``. This module
describes them the way data catalogues harvest datasets (W3C DCAT 3): each release is a
``dcat:Dataset`` with one ``dcat:Distribution`` per dump, giving its media type, byte size,
SHA-256 checksum (SPDX terms, as DCAT 3 recommends), licence and issue date. The release
writes that description beside its dumps (:func:`release_files`); the server builds the same
description from the files on disk at ``/releases`` (:func:`find_releases`,
:func:`catalog_graph`), so that sizes and checksums are always those of the served bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from swapgraph import formats
from swapgraph.paths import Project

#: The persistent base of every public IRI of the project.
W3ID = "https://w3id.org/swapgraph/"
#: The licence of the data and the vocabulary.
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
#: Who publishes the dataset (the project, as named in its package metadata).
PUBLISHER_NAME = "swapgraph developers"
SPDX = Namespace("http://spdx.org/rdf/terms#")
# rdflib's DCAT namespace predates DCAT 3, which added dcat:version.
_DCAT_VERSION = URIRef(f"{DCAT}version")
_IANA = "https://www.iana.org/assignments/media-types/"

_DUMP_NAME = re.compile(
    r"^swapgraph-(?P<version>\d+\.\d+\.\d+)-(?P<date>\d{4}-\d{2}-\d{2})(?P<suffix>\.[a-z]+)$"
)


@dataclass(frozen=True)
class Dump:
    """One dump file of a release.

    Attributes:
        name: The file name (``swapgraph-0.2.0-2026-12-01.nt``).
        media_type: Its IANA media type.
        size: Its length in bytes.
        sha256: The hex SHA-256 of its bytes.
    """

    name: str
    media_type: str
    size: int
    sha256: str


@dataclass(frozen=True)
class ReleaseFiles:
    """The dumps of one release.

    Attributes:
        version: The release's version.
        issued: The release date (from the dump names).
        dumps: Its dump files, by name.
        paths: Where each dump lies, by name (empty for dumps not written yet).
    """

    version: str
    issued: dt.date
    dumps: tuple[Dump, ...]
    paths: Mapping[str, Path]


def dump_of(name: str, content: bytes) -> Dump | None:
    """Describe a dump by its name and bytes; None if ``name`` is not a dump's name."""
    match = _DUMP_NAME.match(name)
    if match is None or match["suffix"] not in formats.DUMP_TYPES:
        return None
    digest = hashlib.sha256(content).hexdigest()
    return Dump(name, formats.DUMP_TYPES[match["suffix"]], len(content), digest)


def find_releases(project: Project) -> list[ReleaseFiles]:
    """The releases whose dumps are in the project's ``dist/``, newest version first."""
    folder = project.dist_dir
    if not folder.is_dir():
        return []
    found: dict[tuple[str, str], list[tuple[Dump, Path]]] = {}
    for path in sorted(folder.iterdir()):
        match = _DUMP_NAME.match(path.name)
        if match is None or not path.is_file():
            continue
        dump = _describe_file(path)
        if dump is not None:
            found.setdefault((match["version"], match["date"]), []).append((dump, path))
    releases = [
        ReleaseFiles(
            version,
            dt.date.fromisoformat(day),
            tuple(d for d, _ in dumps),
            {d.name: p for d, p in dumps},
        )
        for (version, day), dumps in found.items()
    ]
    return sorted(releases, key=lambda r: (_version_key(r.version), r.issued), reverse=True)


# Hashing a dump reads all of it (hundreds of MB for a large graph): each file is hashed
# once for each size and modification time it has, not on every request.
_DESCRIBED: dict[tuple[Path, int, int], Dump | None] = {}


def _describe_file(path: Path) -> Dump | None:
    status = path.stat()
    key = (path, status.st_size, status.st_mtime_ns)
    if key not in _DESCRIBED:
        match = _DUMP_NAME.match(path.name)
        if match is None or match["suffix"] not in formats.DUMP_TYPES:
            _DESCRIBED[key] = None
        else:
            with path.open("rb") as handle:
                digest = hashlib.file_digest(handle, "sha256").hexdigest()
            _DESCRIBED[key] = Dump(
                path.name, formats.DUMP_TYPES[match["suffix"]], status.st_size, digest
            )
    return _DESCRIBED[key]


def find_release_file(project: Project, version: str, name: str) -> Path | None:
    """A file of release ``version`` in ``dist/``: a dump, its checksums or its DCAT; or None.

    Only names built from the release's own dumps are answered, so no request path can
    reach any other file.
    """
    for found in find_releases(project):
        if found.version != version:
            continue
        if name in found.paths:
            return found.paths[name]
        stem = f"swapgraph-{found.version}-{found.issued.isoformat()}"
        if name in (f"{stem}.sha256", f"{stem}.dcat.ttl"):
            path = project.dist_dir / name
            return path if path.is_file() else None
    return None


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def dataset_iri(version: str) -> URIRef:
    """The IRI of one release as a dataset."""
    return URIRef(f"{W3ID}releases/{version}")


def add_release(graph: Graph, release: ReleaseFiles, site: str) -> URIRef:
    """Describe one release and its dumps in ``graph``.

    Args:
        graph: Where the triples go.
        release: The release.
        site: The base URL the dumps are downloaded from (``.../`` of ``releases/...``).

    Returns:
        The release's dataset IRI.
    """
    dataset = dataset_iri(release.version)
    issued = Literal(release.issued.isoformat(), datatype=XSD.date)
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.title, Literal(f"swapgraph {release.version}", lang="en")))
    graph.add(
        (
            dataset,
            DCTERMS.description,
            Literal(
                "The swapgraph knowledge graph of state-to-state prisoner exchanges and its "
                f"vocabulary, as released in version {release.version}.",
                lang="en",
            ),
        )
    )
    graph.add((dataset, _DCAT_VERSION, Literal(release.version)))
    graph.add((dataset, DCTERMS.issued, issued))
    graph.add((dataset, DCTERMS.license, LICENSE))
    graph.add((dataset, DCTERMS.isVersionOf, URIRef(W3ID)))
    graph.add((dataset, DCTERMS.publisher, publisher(graph)))
    for dump in release.dumps:
        url = URIRef(f"{site}releases/{release.version}/{dump.name}")
        distribution = URIRef(f"{dataset}/{dump.name}")
        graph.add((dataset, DCAT.distribution, distribution))
        graph.add((distribution, RDF.type, DCAT.Distribution))
        graph.add((distribution, DCTERMS.title, Literal(dump.name)))
        graph.add((distribution, DCAT.downloadURL, url))
        graph.add((distribution, DCAT.accessURL, url))
        graph.add((distribution, DCAT.mediaType, URIRef(_IANA + dump.media_type)))
        graph.add(
            (distribution, DCAT.byteSize, Literal(dump.size, datatype=XSD.nonNegativeInteger))
        )
        graph.add((distribution, DCTERMS.license, LICENSE))
        graph.add((distribution, DCTERMS.issued, issued))
        checksum = BNode()
        graph.add((distribution, SPDX.checksum, checksum))
        graph.add((checksum, RDF.type, SPDX.Checksum))
        graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        graph.add((checksum, SPDX.checksumValue, Literal(dump.sha256, datatype=XSD.hexBinary)))
    return dataset


def publisher(graph: Graph) -> URIRef:
    """Add the publisher (the project) to ``graph`` and return its IRI."""
    node = URIRef(f"{W3ID}#publisher")
    graph.add((node, RDF.type, FOAF.Organization))
    graph.add((node, FOAF.name, Literal(PUBLISHER_NAME)))
    return node


def catalog_graph(releases: Iterable[ReleaseFiles], site: str) -> Graph:
    """A ``dcat:Catalog`` of the releases, downloadable under ``{site}releases/``."""
    graph = bind(Graph())
    catalog = URIRef(f"{W3ID}releases/")
    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add((catalog, DCTERMS.title, Literal("swapgraph releases", lang="en")))
    graph.add((catalog, DCTERMS.license, LICENSE))
    graph.add((catalog, DCTERMS.publisher, publisher(graph)))
    for release in releases:
        graph.add((catalog, DCAT.dataset, add_release(graph, release, site)))
    return graph


def bind(graph: Graph) -> Graph:
    """Bind the prefixes DCAT descriptions use."""
    for prefix, namespace in (
        ("dcat", DCAT),
        ("dct", DCTERMS),
        ("foaf", FOAF),
        ("spdx", SPDX),
        ("xsd", XSD),
    ):
        graph.bind(prefix, namespace)
    return graph


def release_files(
    project: Project, version: str, day: dt.date, files: Mapping[Path, str]
) -> dict[Path, str]:
    """What a release writes beside its dumps: their DCAT description, and CITATION.cff.

    Args:
        project: The project released.
        version: The new version.
        day: The release date.
        files: The dumps about to be written, by path (other files are ignored).

    Returns:
        ``dist/swapgraph-VERSION-DATE.dcat.ttl`` and, if the project has one, its
        ``CITATION.cff`` with the new version and date.
    """
    dumps = [
        dump
        for path, text in sorted(files.items())
        if (dump := dump_of(path.name, text.encode("utf-8"))) is not None
    ]
    release = ReleaseFiles(version, day, tuple(dumps), {})
    graph = bind(Graph())
    add_release(graph, release, W3ID)
    stem = project.dist_dir / f"swapgraph-{version}-{day.isoformat()}"
    written = {Path(f"{stem}.dcat.ttl"): graph.serialize(format="turtle")}
    citation = project.root / "CITATION.cff"
    if citation.is_file():
        written[citation] = cite_release(citation.read_text(encoding="utf-8"), version, day)
    return written


def cite_release(text: str, version: str, day: dt.date) -> str:
    """``CITATION.cff`` text with its ``version`` and ``date-released`` set."""
    for key, value in (("version", version), ("date-released", f"'{day.isoformat()}'")):
        line = re.compile(rf"^{key}:.*$", flags=re.MULTILINE)
        if line.search(text):
            text = line.sub(f"{key}: {value}", text, count=1)
        else:
            text = text.rstrip("\n") + f"\n{key}: {value}\n"
    return text
