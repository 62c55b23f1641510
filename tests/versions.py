"""Release versions for tests that release a copy of the project.

The copy starts at the project's own ontology version, so a test that hard-coded the next
version would fail once the project itself is released under that number ("not greater than
the current"). Tests take their versions from here instead: each is the current version with
its minor part bumped, as a release after the real one would be.
"""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.namespace import OWL

from swapgraph.load import parse_file
from swapgraph.paths import Project
from tests.conftest import REPO_ROOT

ONTOLOGY = URIRef("https://w3id.org/swapgraph/ontology")


def ontology_version(project: Project) -> str:
    """Return the project's ``owl:versionInfo``."""
    value = parse_file(project.ontology_file).value(ONTOLOGY, OWL.versionInfo)
    assert isinstance(value, Literal), value
    return str(value)


def bump(version: str, part: str = "minor") -> str:
    """Return ``version`` with its ``minor`` (or ``patch``) part raised by one."""
    major, minor, patch = (int(n) for n in version.split("."))
    if part == "patch":
        return f"{major}.{minor}.{patch + 1}"
    assert part == "minor", part
    return f"{major}.{minor + 1}.0"


#: The repository's ontology version when the tests run, and the two releases after it.
CURRENT = ontology_version(Project.open(REPO_ROOT))
NEXT = bump(CURRENT)
AFTER_NEXT = bump(NEXT)
