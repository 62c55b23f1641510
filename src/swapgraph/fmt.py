"""Keep every file of ``graph/`` in canonical Turtle (``swapgraph fmt``)."""

from __future__ import annotations

from pathlib import Path

from swapgraph.errors import SwapgraphError
from swapgraph.load import parse_file
from swapgraph.namespaces import bind_prefixes
from swapgraph.paths import Project
from swapgraph.turtle import serialize, write_files

__all__ = ["format_project"]


def format_project(project: Project, check: bool = False) -> list[Path]:
    """Rewrite the Turtle files of ``graph/`` canonically, all or nothing.

    Only ``.ttl`` files are formatted; other RDF files are left as they are.

    Args:
        project: The graph project.
        check: Write nothing; only report which files are not canonical.

    Returns:
        The files that changed (or, with ``check``, that would change), sorted.

    Raises:
        RDFSyntaxError: If a file does not parse; nothing is written.
        SwapgraphError: If a file cannot be read or written; nothing is changed.
    """
    changed: dict[Path, str] = {}
    for path in project.graph_files():
        if path.suffix.lower() != ".ttl":
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise SwapgraphError(f"{path}: cannot read: {exc.strerror or exc}") from exc
        canonical = serialize(bind_prefixes(parse_file(path)))
        if canonical != text:
            changed[path] = canonical
    if changed and not check:
        write_files(changed)
    return sorted(changed)
