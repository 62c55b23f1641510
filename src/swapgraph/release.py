"""``swapgraph release VERSION``: stamp a version on the project and publish its dumps.

A release of a graph project is one version number for its vocabulary and its data:

1. ``ontology/swapgraph.ttl`` gets ``owl:versionInfo "VERSION"``, ``owl:versionIRI
   <ONTOLOGY/VERSION>`` and ``owl:priorVersion`` the previous version IRI. The file is
   written by hand, with comments and sections, so only those lines are edited; the result
   is parsed and must differ from the original by exactly those triples.
2. ``dist/swapgraph-VERSION-DATE.{nt,trig,jsonld}`` hold the ontology and the knowledge
   graph (in TriG as two named graphs, the ontology under its version IRI and the data
   under ``https://w3id.org/swapgraph/graph/VERSION``), and
   ``dist/swapgraph-VERSION-DATE.sha256`` their checksums in ``sha256sum`` format.
3. ``CHANGELOG.md`` gets a new entry, newest first, with an "Ontology" and a "Data" section
   built from the semantic diff (:mod:`swapgraph.diff`) since the previous release. The
   previous release is the git tag ``v<prior version>``: tags are what a repository's
   readers see, and ``dist/`` is generated output that a clean checkout does not have.
   Without that tag (a first release, or a project outside git) the entry summarises the
   graph instead; ``since`` names another revision to compare with.

Everything is computed first and written in one all-or-nothing step, which a crash cannot
split (:mod:`swapgraph.journal`). Running the same release again once it is complete (say,
after a kill whose transaction the next command finished) reports it and writes nothing.

The version is the project's, not the engine's: a project is released with whatever
``swapgraph`` is installed, so release neither reads nor writes the package version. Where
a repository ships both (as swapgraph's own does), its tests hold the two equal, and the
release commit bumps ``swapgraph.__version__`` too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF

from swapgraph import dcat, jsonld_context
from swapgraph.diff import (
    ProjectDiff,
    diff_graphs,
    diff_project_graphs,
    has_revision,
    materialise_revision,
)
from swapgraph.errors import RDFSyntaxError, SwapgraphError
from swapgraph.journal import fingerprint, project_lock
from swapgraph.load import data_graph, ontology_graph, parse_file
from swapgraph.namespaces import bind_prefixes
from swapgraph.paths import Project
from swapgraph.turtle import parse_text, write_files

__all__ = ["Release", "release"]

_VERSION = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
#: The named graph of the data in the TriG dump, by version.
DATA_GRAPH = "https://w3id.org/swapgraph/graph/{version}"


@dataclass(frozen=True)
class Release:
    """What :func:`release` wrote.

    Attributes:
        version: The new version.
        prior: The version it follows.
        written: Every file written.
        baseline: The git revision the CHANGELOG entry compares with, or None.
        changelog_entry: The entry added to the CHANGELOG.
        already: True if the release was already complete (a re-run): nothing was written.
    """

    version: str
    prior: str
    written: tuple[Path, ...]
    baseline: str | None
    changelog_entry: str
    already: bool = False


def release(
    project: Project, version: str, date: dt.date | None = None, since: str | None = None
) -> Release:
    """Release the project as ``version``.

    Args:
        project: The graph project.
        version: ``MAJOR.MINOR.PATCH``, greater than the ontology's current version.
        date: The release date (default: today, UTC); it names the dumps.
        since: The git revision to build the CHANGELOG entry from (default: the tag
            ``v<prior version>``).

    Returns:
        What was written.

    Raises:
        SwapgraphError: If the version is malformed or not greater than the current one,
            the ontology's version lines cannot be found, a file does not parse, the
            baseline revision is unknown, or the files cannot be written. Nothing is
            written then.
    """
    day = date or dt.datetime.now(dt.UTC).date()
    if not _VERSION.match(version):
        raise SwapgraphError(f"version {version!r} is not MAJOR.MINOR.PATCH (e.g. 0.2.0)")
    # Locking first also finishes a release that a crash interrupted after its commit point
    # (swapgraph.journal), so that running the same release again finds it complete.
    with project_lock(project.root):
        return _release(project, version, day, since)


def _release(project: Project, version: str, day: dt.date, since: str | None) -> Release:
    path = project.ontology_file
    seen = {path: fingerprint(path), project.changelog: fingerprint(project.changelog)}
    seen.update({shapes: fingerprint(shapes) for shapes in project.shape_files()})
    text = _read(path)
    # Each file is parsed once per release (parsing is most of a release's time): the
    # graphs below are handed to every step that needs them.
    current = parse_file(path)
    ontology, prior, prior_iri = _ontology_node(path, current)
    if version == prior:
        done = _completed(project, version, current)
        if done is not None:
            return done
    if _key(version) <= _key(prior):
        raise SwapgraphError(f"version {version} is not greater than the current {prior}")
    new_iri = URIRef(f"{ontology}/{version}")
    ontology_text, bumped = _bump(path, text, current, ontology, prior, prior_iri, version, new_iri)

    tag = f"refs/tags/v{prior}"
    baseline = since if since is not None else (tag if has_revision(project, tag) else None)
    others = [parse_file(other) for other in project.ontology_files() if other != path]
    data = data_graph(project)
    entry = _changelog_entry(project, version, day, prior, baseline, _union(current, others), data)
    changelog = _read(project.changelog) if project.changelog.exists() else "# Changelog\n"

    new_ontology = bumped
    for graph in others:
        new_ontology += graph
    dumps = _dumps(project, new_ontology, data, new_iri, version, day)
    files = {
        path: ontology_text,
        project.changelog: _insert_entry(changelog, entry),
        **_bumped_shapes(project, prior, version),
        **dumps,
        **dcat.release_files(project, version, day, dumps),
    }
    created_dist = not project.dist_dir.exists()
    try:
        project.dist_dir.mkdir(exist_ok=True)
    except OSError as exc:
        raise SwapgraphError(f"{project.dist_dir}: cannot create: {exc.strerror or exc}") from exc
    expected = {**{p: fingerprint(p) for p in dumps}, **seen}
    try:
        # The ontology's text was parsed by _bump and the dumps checked by _dumps.
        write_files(files, root=project.root, expected=expected, checked={path, *dumps})
    except SwapgraphError:
        if created_dist:
            with contextlib.suppress(OSError):
                project.dist_dir.rmdir()  # left empty by write_files
        raise
    return Release(version, prior, tuple(sorted(files)), baseline, entry)


def _union(first: Graph, others: list[Graph]) -> Graph:
    """The triples of several graphs, in a new graph unless there is only ``first``."""
    if not others:
        return first
    union = bind_prefixes(Graph())
    for graph in (first, *others):
        union += graph
    return union


def _completed(project: Project, version: str, ontology: Graph) -> Release | None:
    """The release ``version`` if it is already complete (CHANGELOG entry, verified dumps).

    ``ontology`` is the parsed ontology file, which names the version the release follows.
    """
    changelog = _read(project.changelog) if project.changelog.exists() else ""
    match = re.search(rf"^## {re.escape(version)} \N{{EM DASH}} .*?(?=^## |\Z)", changelog,
                      flags=re.MULTILINE | re.DOTALL)  # fmt: skip
    sums = sorted(project.dist_dir.glob(f"swapgraph-{version}-*.sha256"))
    if match is None or not sums:
        return None
    for line in _read(sums[-1]).splitlines():
        digest, _, name = line.partition("  ")
        dump = project.dist_dir / name
        if not dump.is_file() or hashlib.sha256(dump.read_bytes()).hexdigest() != digest:
            return None
    prior_iri = ontology.value(None, OWL.priorVersion)
    prior = str(prior_iri).rsplit("/", 1)[-1] if prior_iri is not None else version
    return Release(version, prior, (), None, match.group(0), already=True)


# --------------------------------------------------------------------------- ontology


def _key(version: str) -> tuple[int, ...]:
    match = _VERSION.match(version)
    if match is None:
        raise SwapgraphError(f"current version {version!r} is not MAJOR.MINOR.PATCH")
    return tuple(int(part) for part in match.groups())


def _ontology_node(path: Path, graph: Graph) -> tuple[URIRef, str, URIRef]:
    nodes = [n for n in graph.subjects(RDF.type, OWL.Ontology) if isinstance(n, URIRef)]
    if len(nodes) != 1:
        raise SwapgraphError(f"{path}: expected one owl:Ontology, found {len(nodes)}")
    [node] = nodes
    info = graph.value(node, OWL.versionInfo)
    iri = graph.value(node, OWL.versionIRI)
    if info is None or not isinstance(iri, URIRef):
        raise SwapgraphError(f"{path}: <{node}> lacks owl:versionInfo or owl:versionIRI")
    return node, str(info), iri


def _bump(
    path: Path,
    text: str,
    before: Graph,
    ontology: URIRef,
    prior: str,
    prior_iri: URIRef,
    version: str,
    new_iri: URIRef,
) -> tuple[str, Graph]:
    """Edit the three version lines of the hand-written file, and check the result.

    Args:
        path: The ontology file, for errors.
        text: Its text.
        before: Its graph, parsed from ``text``.
        ontology: The ``owl:Ontology`` node.
        prior: The current version.
        prior_iri: The current version IRI, which becomes the prior version.
        version: The new version.
        new_iri: The new version IRI.

    Returns:
        The edited text and its graph.
    """
    edits = (
        (rf'(owl:versionInfo\s+)"{re.escape(prior)}"', rf'\g<1>"{version}"'),
        (rf"(owl:versionIRI\s+)<{re.escape(str(prior_iri))}>", rf"\g<1><{new_iri}>"),
    )
    for pattern, replacement in edits:
        text, count = re.subn(pattern, replacement, text)
        if count != 1:
            raise SwapgraphError(f"{path}: cannot find the line to edit ({pattern!r})")
    prior_line = re.compile(r"owl:priorVersion\s+<[^>]*>")
    if prior_line.search(text):
        text = prior_line.sub(f"owl:priorVersion <{prior_iri}>", text, count=1)
    else:
        text = re.sub(
            r"^(\s*)(owl:versionIRI\s)",
            rf"\g<1>owl:priorVersion <{prior_iri}> ;\n\g<1>\g<2>",
            text,
            count=1,
            flags=re.MULTILINE,
        )
    expected = Graph()
    for triple in before:
        expected.add(triple)
    expected.remove((ontology, OWL.priorVersion, None))
    expected.set((ontology, OWL.versionInfo, Literal(version)))
    expected.set((ontology, OWL.versionIRI, new_iri))
    expected.add((ontology, OWL.priorVersion, prior_iri))
    after = parse_text(text, path)
    if not isomorphic(after, expected):
        raise SwapgraphError(f"{path}: editing the version lines changed more than the version")
    return text, after


def _bumped_shapes(project: Project, prior: str, version: str) -> dict[Path, str]:
    """The shapes files whose ``owl:versionInfo`` is the prior version, set to ``version``.

    The shapes are the data contract of a release as much as the ontology is, so they carry
    the same version; a shapes file that states none, or another one, is left alone.
    """
    pattern = re.compile(rf'(owl:versionInfo\s+)"{re.escape(prior)}"')
    bumped = {}
    for shapes in project.shape_files():
        text, count = pattern.subn(rf'\g<1>"{version}"', _read(shapes), count=1)
        if count:
            bumped[shapes] = text
    return bumped


# --------------------------------------------------------------------------- dumps


def _dumps(
    project: Project,
    ontology: Graph,
    data: Graph,
    ontology_iri: URIRef,
    version: str,
    day: dt.date,
) -> dict[Path, str]:
    stem = project.dist_dir / f"swapgraph-{version}-{day.isoformat()}"
    everything = bind_prefixes(Graph())
    everything += ontology
    everything += data
    dataset = Dataset()
    bind_prefixes(dataset)
    for graph, name in (
        (ontology, ontology_iri),
        (data, URIRef(DATA_GRAPH.format(version=version))),
    ):
        named = dataset.graph(name)
        for triple in graph:
            named.add(triple)
    # N-Triples sorted, so that two dumps of one graph compare line by line.
    lines = everything.serialize(format="nt").splitlines()
    dumps = {
        Path(f"{stem}.nt"): "\n".join(sorted(line for line in lines if line)) + "\n",
        Path(f"{stem}.trig"): dataset.serialize(format="trig"),
        Path(f"{stem}.jsonld"): jsonld_context.to_text(
            everything, jsonld_context.context(ontology)
        ),
    }
    _check_dumps(dumps, len(everything), len(ontology) + len(data))
    sums = "".join(
        f"{hashlib.sha256(text.encode('utf-8')).hexdigest()}  {path.name}\n"
        for path, text in sorted(dumps.items())
    )
    return {**dumps, Path(f"{stem}.sha256"): sums}


def _check_dumps(dumps: Mapping[Path, str], triples: int, quads: int) -> None:
    """Check that each dump parses and holds every statement of the release.

    Oxigraph's parser rather than :mod:`swapgraph.load`'s: the dumps are serialised from
    graphs that were parsed and checked already, so what is left to check is the serialiser's
    output, and rdflib would take longer to read the three dumps than the rest of the release.
    The TriG dump states a triple of both graphs twice, once in each.

    Raises:
        RDFSyntaxError: If a dump does not parse.
        SwapgraphError: If a dump holds other than the expected number of statements.
    """
    for path, text in dumps.items():
        fmt = ox.RdfFormat.from_extension(path.suffix[1:])
        assert fmt is not None, path  # the suffixes are this module's own
        try:
            found = len(set(ox.parse(text.encode("utf-8"), format=fmt)))
        except SyntaxError as error:
            raise RDFSyntaxError(path, f"release would write an invalid dump: {error}") from None
        want = quads if fmt == ox.RdfFormat.TRIG else triples
        if found != want:
            raise SwapgraphError(f"{path}: release would write {found} statements, not {want}")


# --------------------------------------------------------------------------- changelog


def _changelog_entry(
    project: Project,
    version: str,
    day: dt.date,
    prior: str,
    baseline: str | None,
    ontology: Graph,
    data: Graph,
) -> str:
    """The CHANGELOG entry: the diff since ``baseline``, or a summary of the graph.

    ``ontology`` and ``data`` are the project's current (not yet bumped) graphs.
    """
    heading = f"## {version} \N{EM DASH} {day.isoformat()}\n"
    if baseline is None:
        added = diff_graphs(Graph(), data, data + ontology, set())
        counts = Counter(entity.kind for entity in added)
        summary = ", ".join(
            f"{n} \N{MULTIPLICATION SIGN} {kind}" for kind, n in sorted(counts.items())
        )
        return (
            f"{heading}\n### Ontology\n- Version {version} (follows {prior}).\n\n"
            f"### Data\n- {summary or 'No entities'} (no release v{prior} to compare with).\n"
        )
    with materialise_revision(project, baseline) as old:
        changes: ProjectDiff = diff_project_graphs(
            ontology_graph(old), ontology, data_graph(old), data
        )
    sections = [heading]
    for title, entities in (("Ontology", changes.ontology), ("Data", changes.data)):
        items = [f"- {entity}" for entity in entities] or ["- No changes."]
        sections.append(f"\n### {title}\n" + "\n".join(items) + "\n")
    return "".join(sections)


def _insert_entry(changelog: str, entry: str) -> str:
    """Put the entry above the newest one, below the file's introduction.

    Hand-written notes under ``## Unreleased`` become the start of the entry, above the
    generated term-by-term sections, and that section goes: they describe this release.
    """
    unreleased = re.search(
        r"^## Unreleased[^\n]*\n(.*?)(?=^## |\Z)", changelog, flags=re.MULTILINE | re.DOTALL
    )
    if unreleased is not None:
        heading, _, generated = entry.partition("\n")
        notes = unreleased.group(1).strip("\n")
        if notes:
            entry = f"{heading}\n\n{notes}\n{generated}"
        changelog = changelog[: unreleased.start()] + changelog[unreleased.end() :]
    match = re.search(r"^## ", changelog, flags=re.MULTILINE)
    if match is None:
        return changelog.rstrip("\n") + "\n\n" + entry
    return changelog[: match.start()] + entry + "\n" + changelog[match.start() :]


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SwapgraphError(f"{path}: cannot read: {exc.strerror or exc}") from exc
