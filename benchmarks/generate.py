"""Generate a synthetic swapgraph project of a given size, for benchmarks.

The output is a complete graph project: ``ontology/``, ``shapes/`` and ``api/`` copied from
a source project (by default this repository), and ``graph/`` holding the source project's
states, organisations, persons and places (``reference.ttl``) plus synthetic Turtle in the
same model: exchanges with nested transfers and mediations, agreements carried out in
stages, disputed figures kept as claims, sources, and more places, agencies, persons and
states (with real ISO 3166 codes from pycountry; no Wikidata ids, which would be
invented). Every synthetic node is labelled as such.

The synthetic part grows exchange by exchange until the dataset that is served (ontology
plus graph) reaches the requested number of triples. The same seed and source project give
the same files, byte for byte.

Usage::

    python benchmarks/generate.py --triples 100000 --out /tmp/swapgraph-bench/100k
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import shutil
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pycountry
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from swapgraph.errors import SwapgraphError
from swapgraph.load import data_graph, ontology_graph
from swapgraph.namespaces import PREFIXES, SWAP, bind_prefixes
from swapgraph.paths import Project
from swapgraph.turtle import serialize

REPO_ROOT = Path(__file__).resolve().parent.parent
#: Content folders copied verbatim from the source project.
COPIED_FOLDERS = ("ontology", "shapes", "api")
#: The classes whose instances are kept from the source project's graph.
REFERENCE_CLASSES = (SWAP.State, SWAP.Organisation, SWAP.Person, SWAP.Place)
#: How many states take part, real ones included.
STATE_COUNT = 60
PLACES_PER_STATE = 3
#: Share of exchanges dated 2022-2025, as most of the curated graph is; the rest spread over
#: 1990-2021 so that year filters stay selective.
RECENT_SHARE = 0.6
PUBLISHERS = ("Example Wire", "Example Daily", "Example Broadcasting", "Ministry Bulletin")
ROLES = ("MediatorRole", "FacilitatorRole", "HostRole", "GuarantorRole", "TransitStateRole")


@dataclass
class Node:
    """A subject's predicate-object pairs, in the order they are written.

    An object is Turtle text, or a nested node written inline as a blank node ``[ ... ]``.
    """

    pairs: list[tuple[str, str | Node]] = field(default_factory=list)

    def add(self, predicate: str, *objects: str | Node) -> Node:
        for obj in objects:
            self.pairs.append((predicate, obj))
        return self

    def triples(self) -> int:
        return sum(1 + (o.triples() if isinstance(o, Node) else 0) for _, o in self.pairs)


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _date(day: dt.date) -> str:
    return f'"{day.isoformat()}"^^xsd:date'


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _turtle_node(node: Node, indent: str) -> str:
    lines = []
    for predicate, obj in node.pairs:
        written = obj if isinstance(obj, str) else _turtle_blank(obj, indent + "    ")
        lines.append(f"{indent}{predicate} {written}")
    return " ;\n".join(lines)


def _turtle_blank(node: Node, indent: str) -> str:
    return "[\n" + _turtle_node(node, indent + "    ") + f"\n{indent}]"


@dataclass
class TurtleFile:
    """Subjects collected for one file of ``graph/``."""

    subjects: list[tuple[str, Node]] = field(default_factory=list)

    def add(self, subject: str, node: Node) -> int:
        """Add a subject and return how many triples it holds."""
        self.subjects.append((subject, node))
        return node.triples()

    def text(self) -> str:
        prefixes = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items())
        body = "\n".join(
            f"{subject}\n{_turtle_node(node, '    ')} .\n" for subject, node in self.subjects
        )
        return prefixes + "\n" + body


@dataclass(frozen=True)
class State:
    """A state that synthetic exchanges name."""

    term: str
    alpha2: str
    places: tuple[str, ...]
    agency: str


class Generator:
    """Builds the synthetic part of a graph, one exchange at a time."""

    def __init__(self, rng: random.Random, real_states: dict[str, str]) -> None:
        self.rng = rng
        self.files: dict[str, TurtleFile] = {}
        self.triples = 0
        self.states = self._states(real_states)
        # Zipf-like weights: a few pairs of states exchange often, as Russia and Ukraine do.
        self.weights = [1 / (rank + 1) for rank in range(len(self.states))]
        self.sources = 0
        self.persons = 0
        self.labels = 0
        self.slugs: set[str] = set()
        self.sequence: dict[tuple[str, str], int] = {}

    def _emit(self, file: str, subject: str, node: Node) -> None:
        self.triples += self.files.setdefault(file, TurtleFile()).add(subject, node)

    def _states(self, real_states: dict[str, str]) -> list[State]:
        """Real states first (busiest first), then pycountry countries, to ``STATE_COUNT``."""
        codes = dict(real_states)
        others = sorted(
            (c for c in pycountry.countries if c.alpha_2 not in codes), key=lambda c: c.alpha_2
        )
        for country in self.rng.sample(others, max(0, STATE_COUNT - len(codes))):
            name = getattr(country, "common_name", None) or country.name
            term = f"state:{_slug(name)}"
            codes[country.alpha_2] = term
            node = Node().add("a", "swap:State").add("rdfs:label", _string(name))
            node.add("swap:iso3166Alpha2", _string(country.alpha_2))
            node.add("swap:iso3166Alpha3", _string(country.alpha_3))
            self._emit("synthetic-states.ttl", term, node)
        states = []
        for alpha2, term in codes.items():
            slug = alpha2.lower()
            places = tuple(f"place:synthetic-{slug}-{n}" for n in range(1, PLACES_PER_STATE + 1))
            for number, place in enumerate(places, 1):
                node = Node().add("a", "swap:Place")
                node.add("rdfs:label", _string(f"Synthetic place {number} in {alpha2}"))
                node.add("swap:country", term)
                self._emit("synthetic-places.ttl", place, node)
            agency = f"org:synthetic-{slug}-agency"
            node = Node().add("a", "swap:Organisation")
            node.add("rdfs:label", _string(f"Synthetic agency of {alpha2}")).add(
                "swap:country", term
            )
            self._emit("synthetic-organisations.ttl", agency, node)
            states.append(State(term, alpha2, places, agency))
        return states

    def _day(self) -> dt.date:
        if self.rng.random() < RECENT_SHARE:
            start, end = dt.date(2022, 1, 1), dt.date(2025, 12, 31)
        else:
            start, end = dt.date(1990, 1, 1), dt.date(2021, 12, 31)
        return start + dt.timedelta(days=self.rng.randrange((end - start).days + 1))

    def _source(self, day: dt.date) -> str:
        self.sources += 1
        # As in the curated graph, a source is named by its web address.
        term = f"<https://example.org/reports/{day.year}/{self.sources:07d}>"
        node = Node().add("a", "swap:Source")
        node.add("swap:publisherName", _string(self.rng.choice(PUBLISHERS)))
        node.add("dct:issued", _date(day))
        self._emit(f"synthetic-sources-{day.year}.ttl", term, node)
        return term

    def _pair(self, count: int) -> list[State]:
        chosen: list[State] = []
        while len(chosen) < count:
            state = self.rng.choices(self.states, self.weights)[0]
            if state not in chosen:
                chosen.append(state)
        return chosen

    def _person(self, state: State, year: int) -> str:
        self.persons += 1
        term = f"person:synthetic-{self.persons:07d}"
        node = Node().add("a", "swap:Person")
        node.add("rdfs:label", _string(f"Synthetic released person {self.persons}"))
        node.add("swap:country", state.term)
        self._emit(f"synthetic-persons-{year}.ttl", term, node)
        return term

    def _transfer(self, released_by: State, received_by: State, year: int) -> Node:
        military = self.rng.choice((0, 1, 2, 5, 10, 50, 95, 150, 300))
        civilians = self.rng.choice((0, 0, 1, 2, 5, 15))
        others = self.rng.choice((0, 0, 0, 0, 3))
        people = max(1, military + civilians + others)
        military = people - civilians - others
        node = Node().add("a", "swap:Transfer")
        node.add("swap:releasedBy", released_by.term).add("swap:receivedBy", received_by.term)
        node.add("swap:peopleCount", str(people))
        node.add("swap:militaryCount", str(military)).add("swap:civilianCount", str(civilians))
        if others:
            node.add("swap:otherCount", str(others))
        if self.rng.random() < 0.05:
            node.add("swap:releasedPerson", self._person(received_by, year))
        return node

    def _mediation(self, actor: State, sources: list[str], day: dt.date) -> Node:
        node = Node().add("a", "swap:Mediation")
        node.add("swap:actor", actor.term).add("swap:role", f"swap:{self.rng.choice(ROLES)}")
        node.add("swap:creditedIn", sources[0])
        if self.rng.random() < 0.05:
            node.add("swap:deniedIn", self._source(day))
        return node

    def _slug_for(self, day: dt.date, parties: list[State]) -> str:
        base = f"{day.isoformat()}-" + "-".join(s.alpha2.lower() for s in parties[:2])
        slug, suffix = base, 1
        while slug in self.slugs:
            suffix += 1
            slug = f"{base}-{suffix}"
        self.slugs.add(slug)
        return slug

    def agreement(self) -> None:
        """Add an agreement and the one to four exchanges (its stages) that carry it out."""
        day = self._day()
        parties = self._pair(2)
        slug = self._slug_for(day, parties)
        term = f"agreement:synthetic-{slug}"
        promised = self.rng.choice((10, 50, 100, 300, 1000))
        node = Node().add("a", "swap:Agreement")
        node.add("rdfs:label", _string(f"Synthetic agreement {slug}"))
        node.add("swap:date", _date(day)).add("swap:venue", self.rng.choice(parties[0].places))
        node.add("swap:party", parties[0].term, parties[1].term)
        node.add("swap:promisedCount", str(promised))
        node.add("dct:source", self._source(day))
        self._emit(f"synthetic-agreements-{day.year}.ttl", term, node)
        for stage in range(1, self.rng.randint(1, 4) + 1):
            stage_day = day + dt.timedelta(days=self.rng.randrange(1, 30) * stage)
            self.exchange(stage_day, parties, (term, stage))

    def exchange(
        self,
        day: dt.date | None = None,
        parties: list[State] | None = None,
        stage: tuple[str, int] | None = None,
    ) -> None:
        """Add one exchange: transfers each way, mediations, sources, maybe claims."""
        day = day or self._day()
        multiparty = parties is None and self.rng.random() < 0.05
        parties = parties or self._pair(4 if multiparty else 2)
        slug = self._slug_for(day, parties)
        term = f"exchange:synthetic-{slug}"
        file = f"synthetic-exchanges-{day.year}.ttl"
        sources = [self._source(day) for _ in range(self.rng.randint(1, 3))]
        node = Node().add("a", "swap:Exchange")
        node.add("rdfs:label", _string(f"Synthetic exchange {slug}"))
        node.add("dct:identifier", _string(f"SYN-{len(self.slugs):07d}"))
        if self.rng.random() < 0.3:
            node.add("rdfs:comment", _string("Synthetic note: figures differ between sources."))
        # A stage keeps its exact day: rounding it down could date it before its agreement.
        precise = stage is not None or self.rng.random() < 0.9
        node.add("swap:date", _date(day if precise else day.replace(day=1)))
        if not precise:
            node.add("swap:datePrecision", "swap:MonthPrecision")
        confidence = "High" if self.rng.random() < 0.8 else "Low"
        node.add("swap:confidence", f"swap:{confidence}Confidence")
        node.add("dct:source", *sources)
        node.add("swap:supportingQuote", _string(f"Quote {self.sources} about {slug}."))
        node.add("swap:handoverPlace", self.rng.choice(self.rng.choice(parties).places))
        pair = (parties[0].term, parties[1].term)
        self.sequence[pair] = self.sequence.get(pair, 0) + 1
        node.add("swap:officialSequenceNumber", str(self.sequence[pair]))
        transfers = []
        # Multi-party exchanges release from the first half to the second and back.
        half = len(parties) // 2
        for released_by, received_by in zip(parties[:half], parties[half:], strict=True):
            transfers.append(self._transfer(released_by, received_by, day.year))
            transfers.append(self._transfer(received_by, released_by, day.year))
        if self.rng.random() < 0.08:
            # A disputed total: the transfer's claims point back at it, so it gets a label.
            self.labels += 1
            label = f"_:synthetic-transfer-{self.labels}"
            self._claims(label, transfers[0], day)
            node.add("swap:transfer", label, *transfers[1:])
            self._emit(file, label, transfers[0])
        else:
            node.add("swap:transfer", *transfers)
        third_parties = [s for s in self._pair(len(parties) + 2) if s not in parties]
        mediators = third_parties[: self.rng.choice((0, 0, 1, 1, 2))]
        if mediators:
            node.add("swap:mediation", *(self._mediation(m, sources, day) for m in mediators))
        elif self.rng.random() < 0.3:
            node.add("swap:directNegotiation", "true")
        if stage is not None:
            node.add("swap:implements", stage[0]).add("swap:stageNumber", str(stage[1]))
        self._emit(file, term, node)

    def _claims(self, label: str, transfer: Node, day: dt.date) -> None:
        """Nest two claims by different sources on the transfer's total in the transfer."""
        people = int(next(str(o) for p, o in transfer.pairs if p == "swap:peopleCount"))
        for delta in (0, self.rng.randint(1, 12)):
            claim = Node().add("a", "swap:Claim").add("swap:claimAbout", label)
            claim.add("swap:claimedProperty", "swap:peopleCount")
            claim.add("swap:claimedValue", str(people + delta))
            claim.add("dct:source", self._source(day))
            claim.add("swap:claimedBy", self.rng.choice(self.states).agency)
            transfer.add("swap:claim", claim)


def _real_states(graph: Graph) -> dict[str, str]:
    """The source graph's states with an ISO code, as code to written term.

    They are ordered by how many transfers they take part in, busiest first, so that the
    pairs that dominate the curated graph also dominate the synthetic one.
    """
    activity = Counter(
        actor for prop in (SWAP.releasedBy, SWAP.receivedBy) for actor in graph.objects(None, prop)
    )
    states = {}
    for state in graph.subjects(RDF.type, SWAP.State):
        code = graph.value(state, SWAP.iso3166Alpha2)
        if isinstance(state, URIRef) and code is not None:
            states[str(code)] = (-activity[state], f"<{state}>")
    return {code: term for code, (_, term) in sorted(states.items(), key=lambda kv: kv[1])}


def _reference_entities(graph: Graph) -> Graph:
    """The states, organisations, persons and places of a graph, with their own triples."""
    entities = bind_prefixes(Graph())
    for kind in REFERENCE_CLASSES:
        for subject in graph.subjects(RDF.type, kind):
            for triple in graph.triples((subject, None, None)):
                entities.add(triple)
    return entities


def generate_project(out: Path, triples: int, seed: int = 0, source: Path = REPO_ROOT) -> int:
    """Write a synthetic graph project of about ``triples`` triples to ``out``.

    The source project's states, organisations, persons and places are kept (so that the
    named queries' default parameters, such as ``state:russia``, name something), its
    exchanges, agreements and sources are not: every exchange is synthetic.

    Args:
        out: The directory to create; it must not exist yet.
        triples: The target size of the served dataset (ontology plus graph).
        seed: The seed of the pseudo-random choices.
        source: The project whose ontology, shapes, queries and actors are copied.

    Returns:
        The number of triples in the generated dataset.

    Raises:
        FileExistsError: If ``out`` exists.
    """
    project = Project.open(source)
    real = data_graph(project)
    reference = _reference_entities(real)
    out.mkdir(parents=True)
    for folder in COPIED_FOLDERS:
        if (project.root / folder).is_dir():
            shutil.copytree(project.root / folder, out / folder)
    (out / "graph").mkdir()
    (out / "graph" / "reference.ttl").write_text(serialize(reference), encoding="utf-8")
    fixed = len(ontology_graph(project)) + len(reference)
    generator = Generator(random.Random(seed), _real_states(real))
    while fixed + generator.triples < triples:
        if generator.rng.random() < 0.2:
            generator.agreement()
        else:
            generator.exchange()
    for name, content in sorted(generator.files.items()):
        (out / "graph" / name).write_text(content.text(), encoding="utf-8")
    return fixed + generator.triples


def parse_size(text: str) -> int:
    """Read a triple count written as ``100000``, ``100k`` or ``1M``."""
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:].lower(), 1)
    number = text[:-1] if scale > 1 else text
    if not number.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r}: expected a number such as 100000, 100k or 1M")
    return int(number) * scale


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--triples", required=True, type=parse_size, help="target size: 100000, 100k, 1M"
    )
    parser.add_argument("--out", required=True, type=Path, help="directory to create")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--source", type=Path, default=REPO_ROOT, help="project to copy")
    args = parser.parse_args()
    if args.out.exists():
        print(f"{args.out}: already exists; give a new directory", file=sys.stderr)
        return 2
    try:
        count = generate_project(args.out, args.triples, args.seed, args.source)
    except SwapgraphError as error:
        print(error, file=sys.stderr)
        return 2
    print(f"{args.out}: {count} triples")
    return 0


if __name__ == "__main__":
    sys.exit(main())
