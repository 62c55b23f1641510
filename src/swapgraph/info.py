"""What a project holds: triples, entities per class, ontology version, dates covered."""

from __future__ import annotations

from dataclasses import dataclass

from swapgraph.engine import Engine, select
from swapgraph.paths import Project

_CLASS_COUNTS = """
PREFIX swap: <https://w3id.org/swapgraph/ontology#>
SELECT ?class (COUNT(DISTINCT ?entity) AS ?count) WHERE {
  ?entity a ?class .
  FILTER(STRSTARTS(STR(?class), STR(swap:)))
  FILTER(isBlank(?entity) || !STRSTARTS(STR(?entity), STR(swap:)))
} GROUP BY ?class ORDER BY ?class
"""

_SUMMARY = """
PREFIX swap: <https://w3id.org/swapgraph/ontology#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT ?triples ?version ?first ?last WHERE {
  { SELECT (COUNT(*) AS ?triples) WHERE { ?s ?p ?o } }
  OPTIONAL { ?ontology a owl:Ontology ; owl:versionInfo ?version }
  {
    SELECT (MIN(?date) AS ?first) (MAX(?date) AS ?last)
    WHERE { ?e a swap:Exchange ; swap:date ?date }
  }
}
"""


@dataclass
class ProjectInfo:
    """A summary of a loaded project."""

    triples: int
    ontology_version: str | None
    first_exchange: str | None
    last_exchange: str | None
    entities: dict[str, int]


def project_info(project: Project, engine: Engine) -> ProjectInfo:
    """Summarise the project loaded into ``engine``."""
    summary = select(engine, _SUMMARY)[0]
    entities = {
        str(row["class"]).rsplit("#", 1)[-1]: int(row["count"])  # type: ignore[arg-type]
        for row in select(engine, _CLASS_COUNTS)
    }

    def text(key: str) -> str | None:
        value = summary.get(key)
        return None if value is None else str(value)

    return ProjectInfo(
        triples=int(summary["triples"]),  # type: ignore[arg-type]
        ontology_version=text("version"),
        first_exchange=text("first"),
        last_exchange=text("last"),
        entities=entities,
    )
