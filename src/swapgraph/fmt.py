"""Keep every file of ``graph/`` in canonical Turtle (``swapgraph fmt``)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from swapgraph.errors import SwapgraphError
from swapgraph.journal import project_lock
from swapgraph.namespaces import bind_prefixes
from swapgraph.paths import Project
from swapgraph.turtle import parse_text, serialize, write_files

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
        SwapgraphError: If a file cannot be read or written, or changed while being
            formatted; nothing is changed.
    """
    if check:
        return sorted(_canonical(project)[0])
    with project_lock(project.root):
        changed, seen = _canonical(project)
        if changed:
            write_files(changed, root=project.root, expected=seen)
    return sorted(changed)


def _canonical(project: Project) -> tuple[dict[Path, str], dict[Path, str | None]]:
    """The canonical text of each file that is not canonical, and the hash of what was read."""
    changed: dict[Path, str] = {}
    seen: dict[Path, str | None] = {}
    for path in project.graph_files():
        if path.suffix.lower() != ".ttl":
            continue
        try:
            raw = path.read_bytes()
            text = raw.decode("utf-8")
        except OSError as exc:
            raise SwapgraphError(f"{path}: cannot read: {exc.strerror or exc}") from exc
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            raise SwapgraphError(f"{path}:{line}: not UTF-8 (byte {exc.start})") from exc
        canonical = serialize(bind_prefixes(parse_text(text, path)))
        if canonical != text:
            changed[path] = canonical
            seen[path] = hashlib.sha256(raw).hexdigest()
    return changed, seen
