"""The project's prefixes as plain strings: the one table every other module builds on.

It imports nothing, so that a query worker can bind the default prefixes of a query without
loading rdflib (about 20 MiB per worker); :mod:`swapgraph.namespaces` builds rdflib's
namespaces from it.
"""

from __future__ import annotations

#: Base of every instance IRI.
ID = "https://w3id.org/swapgraph/id/"

#: Prefix to namespace IRI, in the order written into every Turtle file, so that files stay
#: comparable.
PREFIXES: dict[str, str] = {
    "swap": "https://w3id.org/swapgraph/ontology#",
    "state": f"{ID}state/",
    "group": f"{ID}armed-group/",
    "org": f"{ID}organisation/",
    "person": f"{ID}person/",
    "place": f"{ID}place/",
    "agreement": f"{ID}agreement/",
    "exchange": f"{ID}exchange/",
    "source": f"{ID}source/",
    "dct": "http://purl.org/dc/terms/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "https://schema.org/",
    "sem": "http://semanticweb.cs.vu.nl/2009/11/sem/",
    "sh": "http://www.w3.org/ns/shacl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "wd": "http://www.wikidata.org/entity/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "swapsh": "https://w3id.org/swapgraph/shapes#",
}
