"""The project's validation report, computed once per content and kept in the project's cache.

Validating a large graph costs minutes and gigabytes (rdflib parsing plus pyshacl), and the
answer depends only on the content of the ontology, shapes and graph files and on the
versions of swapgraph and pyshacl. :func:`checked_report` hashes exactly those, and returns
the report stored under that hash if there is one: a report can therefore never be stale,
only missing. A cache file that cannot be read (truncated, edited, from another format) is
ignored and rewritten.

When the report must be computed, it can be computed in a child process (``spawn``), so that
the parsed graphs and pyshacl's working memory are returned to the system when the child
exits instead of staying in a long-lived server for its whole life.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Sequence
from dataclasses import asdict
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from swapgraph import __version__
from swapgraph.child import run as run_in_child
from swapgraph.paths import Project
from swapgraph.report import ValidationReport, ValidationResult

log = logging.getLogger("swapgraph.checked")

#: Bumped whenever the layout of the cached report changes.
_FORMAT = 1
#: Bytes of a file hashed at a time.
_PIECE = 1 << 20


def content_key(project: Project, engine: str = "fast") -> str:
    """Return the hash that names one validation: content of every input, and tool versions.

    Args:
        project: The graph project.
        engine: The validator (see :data:`swapgraph.validate.ENGINES`), also hashed.

    Returns:
        A hex SHA-256 over the validator and the versions of swapgraph, pyshacl, rdflib and
        pyoxigraph and, for every
        ontology, shapes and graph file, its path within the project and its bytes.
    """
    files = [*project.ontology_files(), *project.shape_files(), *project.graph_files()]
    key = files_key(project, files, ("pyshacl", "rdflib", "pyoxigraph"))
    return hashlib.sha256(f"{engine}\n{key}".encode()).hexdigest()


def files_key(project: Project, files: Sequence[Path], packages: Sequence[str]) -> str:
    """Return a hex SHA-256 over files (path in the project and bytes) and package versions.

    Args:
        project: The project the files belong to (their names are taken relative to it).
        files: The inputs, in a stable order.
        packages: The distributions whose version changes the result computed from them.
    """
    digest = hashlib.sha256()
    digest.update(f"format {_FORMAT}\nswapgraph {__version__}\n".encode())
    for package in packages:
        digest.update(f"{package} {_package_version(package)}\n".encode())
    for path in files:
        name = path.relative_to(project.root).as_posix()
        # Read a piece at a time: a server hashes its files on every start, and reading the
        # 5M project's whole files (up to 28 MB each) left a process 27 MiB larger, at a
        # peak 53 MiB above where it began (1 MiB a piece: 2 MiB).
        with path.open("rb") as file:
            size = os.fstat(file.fileno()).st_size
            # Name and length first, so that moving bytes from one file to the next changes
            # the key.
            digest.update(f"{name}\0{size}\0".encode())
            while piece := file.read(_PIECE):
                digest.update(piece)
    return digest.hexdigest()


def checked_report(
    project: Project, use_cache: bool = True, child: bool = False, engine: str = "fast"
) -> ValidationReport:
    """Return the project's validation report, from the cache when its content is unchanged.

    Args:
        project: The graph project.
        use_cache: Read and write the report in the project's cache folder; when false,
            always validate and leave the cache alone.
        child: Validate (on a cache miss) in a child process, whose memory is returned when
            it exits; for long-lived callers such as the server.
        engine: The validator (see :data:`swapgraph.validate.ENGINES`).

    Returns:
        The report, identical to what :func:`swapgraph.validate.validate_project` returns.

    Raises:
        ProjectError: If a file is missing or the shapes cannot be used.
        RDFSyntaxError: If a file is not well-formed RDF.
    """
    key = content_key(project, engine) if use_cache else ""
    if use_cache:
        cached = _read(project.validation_cache_file, key)
        if cached is not None:
            log.info("validation report reused from %s", project.validation_cache_file)
            return cached
    if child:
        report = run_in_child(f"{project.root}: validation", _validate_here, project, engine)
    else:
        report = _validate_here(project, engine)
    if use_cache:
        _write(project.validation_cache_file, key, report)
    return report


def _validate_here(project: Project, engine: str = "fast") -> ValidationReport:
    from swapgraph.validate import validate_project

    return validate_project(project, engine=engine)


def _read(path: Path, key: str) -> ValidationReport | None:
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        if stored["key"] != key:
            return None
        return ValidationReport(
            results=tuple(ValidationResult(**result) for result in stored["results"]),
            shapes=tuple(str(shape) for shape in stored["shapes"]),
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, KeyError) as error:
        # A cache is never worth failing for: validate again and overwrite it.
        log.warning("%s: unreadable validation cache ignored (%s)", path, error)
        return None


def _write(path: Path, key: str, report: ValidationReport) -> None:
    stored = {
        "key": key,
        "results": [asdict(result) for result in report.results],
        "shapes": list(report.shapes),
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside then renamed: a reader sees the old file or the new one, never half.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".validation-")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(stored, out)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:  # a read-only project still validates, it just cannot cache
        log.warning("%s: validation report not cached (%s)", path, error)


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"
