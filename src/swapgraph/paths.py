"""The one module that knows how a graph project is laid out on disk.

A graph project is a directory holding four content folders:

* ``ontology/``: the vocabulary (OWL 2 in Turtle);
* ``shapes/``: the data contract (SHACL in Turtle);
* ``graph/``: the curated knowledge graph (Turtle or TriG);
* ``api/``: one named SPARQL query per ``.rq`` file.

Nothing else in the engine builds these paths.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from swapgraph.errors import ProjectError

#: File suffixes read as RDF content, with the rdflib / Oxigraph format of each.
RDF_SUFFIXES: dict[str, str] = {
    ".ttl": "turtle",
    ".trig": "trig",
    ".nt": "nt",
    ".jsonld": "json-ld",
}


def rdf_format(path: Path) -> str:
    """Return the rdflib format name for an RDF file, by its suffix.

    Args:
        path: A file path.

    Returns:
        The rdflib parser name.

    Raises:
        ProjectError: If the suffix is not one swapgraph reads.
    """
    try:
        return RDF_SUFFIXES[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(RDF_SUFFIXES))
        raise ProjectError(f"{path}: unknown RDF file type (expected one of {known})") from None


@dataclass(frozen=True)
class Project:
    """A graph project rooted at ``root``.

    Use :meth:`open` to get one: it checks that the folders exist.
    """

    root: Path

    @classmethod
    def open(cls, root: Path | str = ".") -> Project:
        """Open the project at ``root`` and check its layout.

        Args:
            root: The project directory (default: the current directory).

        Returns:
            The project.

        Raises:
            ProjectError: If the directory or one of its content folders is missing.
        """
        path = Path(root).resolve()
        if not path.is_dir():
            raise ProjectError(f"{path}: no such project directory")
        project = cls(path)
        for folder in (project.ontology_dir, project.shapes_dir, project.graph_dir):
            if not folder.is_dir():
                raise ProjectError(
                    f"{folder}: missing; a swapgraph project needs ontology/, shapes/ and graph/"
                )
        return project

    @property
    def ontology_dir(self) -> Path:
        """The folder of the vocabulary."""
        return self.root / "ontology"

    @property
    def shapes_dir(self) -> Path:
        """The folder of the SHACL shapes."""
        return self.root / "shapes"

    @property
    def graph_dir(self) -> Path:
        """The folder of the curated knowledge graph."""
        return self.root / "graph"

    @property
    def api_dir(self) -> Path:
        """The folder of the named SPARQL queries."""
        return self.root / "api"

    @property
    def changelog(self) -> Path:
        """The project's CHANGELOG."""
        return self.root / "CHANGELOG.md"

    @property
    def dist_dir(self) -> Path:
        """Where release dumps are written (generated output, never content)."""
        return self.root / "dist"

    @property
    def cache_dir(self) -> Path:
        """Results derived from the content and reused while it is unchanged (never content).

        Everything in it is named by a hash of what it was computed from, so it can be
        deleted at any time; ``.gitignore`` keeps it out of the repository.
        """
        return self.root / ".swapgraph-cache"

    @property
    def validation_cache_file(self) -> Path:
        """The last validation report, with the hash of the content it was computed from."""
        return self.cache_dir / "validation.json"

    def store_cache_dir(self, key: str) -> Path:
        """An on-disk Oxigraph store of the dataset whose files hash to ``key``."""
        return self.cache_dir / f"store-{key[:32]}"

    def dump_cache_file(self, key: str) -> Path:
        """The dataset, as one N-Quads file, of the files that hash to ``key``."""
        return self.cache_dir / f"dataset-{key[:32]}.nq"

    @property
    def ontology_file(self) -> Path:
        """The main ontology file, which carries ``owl:versionInfo``."""
        return self.ontology_dir / "swapgraph.ttl"

    def ontology_files(self) -> list[Path]:
        """Return the ontology's RDF files, sorted."""
        return _rdf_files(self.ontology_dir)

    def shape_files(self) -> list[Path]:
        """Return the SHACL files, sorted."""
        return _rdf_files(self.shapes_dir)

    def graph_files(self) -> list[Path]:
        """Return the knowledge graph's RDF files, sorted."""
        return _rdf_files(self.graph_dir)

    def query_files(self) -> list[Path]:
        """Return the named queries (``api/*.rq``), sorted; none if ``api/`` is absent."""
        if not self.api_dir.is_dir():
            return []
        return sorted(self.api_dir.glob("*.rq"))

    def data_files(self) -> list[Path]:
        """Return every file loaded into the queryable dataset: ontology and graph."""
        return self.ontology_files() + self.graph_files()


def _rdf_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in RDF_SUFFIXES)
