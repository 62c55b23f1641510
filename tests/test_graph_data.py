"""The knowledge graph reproduces the researched CSV (tests/data/exchanges.csv)."""

from __future__ import annotations

import csv
from collections.abc import Iterator

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS
from rdflib.term import Node

from swapgraph.importer import exchange_slug
from swapgraph.load import data_graph
from swapgraph.namespaces import ID, SWAP
from swapgraph.paths import Project
from swapgraph.turtle import check_canonical
from tests.conftest import TEST_DATA

ROWS = list(csv.DictReader((TEST_DATA / "exchanges.csv").open(encoding="utf-8")))
ORG = "https://w3id.org/swapgraph/id/organisation/"


@pytest.fixture(scope="module")
def graph(project: Project) -> Graph:
    return data_graph(project)


def _ex(row_id: str) -> URIRef:
    return ID[f"exchange/{exchange_slug(row_id)}"]


def _state_labels(graph: Graph, cell: str) -> set[str]:
    return {part.split("(")[0].strip() for part in cell.split(";") if part.strip()}


def _transfer(graph: Graph, exchange: URIRef, released: str) -> Node | None:
    for transfer in graph.objects(exchange, SWAP.transfer):
        labels = {str(graph.value(s, RDFS.label)) for s in graph.objects(transfer, SWAP.releasedBy)}
        alts = {
            str(a)
            for s in graph.objects(transfer, SWAP.releasedBy)
            for a in graph.objects(s, RDFS.label)
        }
        if released in labels | alts:
            return transfer
    return None


def _claims(graph: Graph, node: Node) -> Iterator[tuple[str, int, Node | None]]:
    for claim in graph.objects(node, SWAP.claim):
        prop = str(graph.value(claim, SWAP.claimedProperty)).rsplit("#", 1)[1]
        value = graph.value(claim, SWAP.claimedValue)
        yield (
            prop,
            value.toPython() if isinstance(value, Literal) else value,
            graph.value(claim, SWAP.claimedBy),
        )


def test_csv_has_98_rows() -> None:
    assert len(ROWS) == 98


def test_every_graph_file_is_canonical(project: Project) -> None:
    assert [p.name for p in project.graph_files() if not check_canonical(p)] == []


def test_one_exchange_per_row(graph: Graph) -> None:
    # The graph holds every researched row; exchanges added since (the 2026 edition) are
    # checked against their sources in tests/test_data_quality.py.
    exchanges = set(graph.subjects(RDF.type, SWAP.Exchange))
    assert {_ex(row["id"]) for row in ROWS} <= exchanges
    for row in ROWS:
        ex = _ex(row["id"])
        assert graph.value(ex, DCTERMS.identifier) == Literal(row["id"])
        assert str(graph.value(ex, SWAP.date)) == row["date"]
        assert set(graph.objects(ex, DCTERMS.source)), row["id"]


#: Cells of the researched CSV that the 2026 audit corrected, with the source that says so.
#: (row, side of the releasing party, property) -> the graph's value.
CORRECTED_COUNTS: dict[tuple[str, str, str], int] = {
    # Kyiv Independent: "215 prisoners of war, 205 Ukrainians and 10 foreigners"; the 10
    # foreigners are the transfer of part b, received by their own states.
    ("RU-UA-2022-09-21", "a", "peopleCount"): 205,
}
#: Receivers corrected: Turkish authorities, "10 hostages, including two children, were
#: transferred to Russia, 13 hostages to Germany, and three hostages to the US"; Norway,
#: Poland and Slovenia released people but received none, and Belarus received nobody.
CORRECTED_RECEIVERS: dict[tuple[str, str], set[str]] = {
    ("RU-BY-US-DE-2024-08-01", "a"): {"Germany", "United States"},
    ("RU-BY-US-DE-2024-08-01", "b"): {"Russia"},
}


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_counts_per_direction(graph: Graph, row: dict[str, str]) -> None:
    ex = _ex(row["id"])
    for side, other in (("a", "b"), ("b", "a")):
        releasers = _state_labels(graph, row[f"party_{side}"])
        transfer = _transfer(graph, ex, next(iter(sorted(releasers))))
        cells = {
            SWAP.peopleCount: row[f"released_by_{side}"],
            SWAP.militaryCount: row[f"{side}_military"],
            SWAP.civilianCount: row[f"{side}_civilians"],
        }
        if transfer is None:
            # Only a part reported without its counterpart may lack a direction.
            assert not any(cells.values()) and row["id"].endswith("b"), (row["id"], side)
            continue
        released = {
            str(graph.value(s, RDFS.label)) for s in graph.objects(transfer, SWAP.releasedBy)
        }
        received = {
            str(graph.value(s, RDFS.label)) for s in graph.objects(transfer, SWAP.receivedBy)
        }
        assert released == releasers, row["id"]
        expected_receivers = CORRECTED_RECEIVERS.get(
            (row["id"], side), _state_labels(graph, row[f"party_{other}"])
        )
        assert received == expected_receivers, row["id"]
        for prop, cell in cells.items():
            value = graph.value(transfer, prop)
            corrected = CORRECTED_COUNTS.get((row["id"], side, str(prop).rsplit("#", 1)[1]))
            if corrected is not None:
                assert value == Literal(corrected), (row["id"], side, prop)
            elif cell == "":
                assert value is None, (row["id"], side, prop)
            else:
                assert value == Literal(int(cell)), (row["id"], side, prop)


def test_counts_are_plain_integers(graph: Graph) -> None:
    for prop in (SWAP.peopleCount, SWAP.militaryCount, SWAP.civilianCount, SWAP.otherCount):
        for value in graph.objects(None, prop):
            assert isinstance(value, Literal) and value.datatype == Literal(1).datatype


def test_stages_of_the_1000_for_1000_agreement(graph: Graph) -> None:
    agreement = ID["agreement/2025-05-16-istanbul"]
    assert graph.value(agreement, SWAP.promisedCount) == Literal(1000)
    stages = sorted(
        (int(graph.value(ex, SWAP.stageNumber)), ex)  # type: ignore[arg-type]
        for ex in graph.subjects(SWAP.implements, agreement)
    )
    assert [n for n, _ in stages] == [1, 2, 3]
    assert [str(ex).rsplit("/", 1)[1] for _, ex in stages] == [
        "2025-05-23-ru-ua",
        "2025-05-24-ru-ua",
        "2025-05-25-ru-ua",
    ]
    for released in ("Russia", "Ukraine"):
        total = sum(
            int(graph.value(_transfer(graph, ex, released), SWAP.peopleCount))  # type: ignore[arg-type]
            for _, ex in stages
        )
        assert total == 1000


def test_stages_of_the_2_june_agreement(graph: Graph) -> None:
    agreement = ID["agreement/2025-06-02-istanbul"]
    assert graph.value(agreement, SWAP.promisedCount) is None
    stages = {
        int(graph.value(ex, SWAP.stageNumber)) for ex in graph.subjects(SWAP.implements, agreement)
    }  # type: ignore[arg-type]
    assert stages == set(range(1, 10))


def test_part_of_and_sequence_numbers(graph: Graph) -> None:
    assert graph.value(_ex("RU-UA-2022-09-21b"), SWAP.partOf) == _ex("RU-UA-2022-09-21")
    assert graph.value(_ex("RU-UA-2024-01-31"), SWAP.officialSequenceNumber) == Literal(50)
    assert graph.value(_ex("RU-UA-2025-08-24"), SWAP.officialSequenceNumber) == Literal(68)
    assert graph.value(_ex("IR-US-2023-09-18"), SWAP.alsoExchanged) is not None


@pytest.mark.parametrize(
    ("row_id", "released", "prop", "values"),
    [
        ("RU-UA-2024-01-31", "Russia", "peopleCount", {195, 207}),
        ("RU-UA-2024-12-30", "Russia", "peopleCount", {150, 189}),
        ("RU-UA-2022-09-21", "Russia", "peopleCount", {215, 205}),
        ("RU-UA-2022-09-21", "Ukraine", "militaryCount", {55, 87}),
        ("RU-BY-US-DE-2024-08-01", "United States", "peopleCount", {8, 10}),
        ("RU-UA-2025-01-15", "Russia", "militaryCount", {24, 25}),
        ("VE-SV-US-2025-07-18", "United States", "peopleCount", {238, 252}),
        ("RU-UA-2023-07-06", "Russia", "peopleCount", {45, 47}),
        ("IR-BE-2023-05-26", "Iran", "peopleCount", {1, 4}),
    ],
)
def test_disputed_figures_are_claims(
    graph: Graph, row_id: str, released: str, prop: str, values: set[int]
) -> None:
    transfer = _transfer(graph, _ex(row_id), released)
    assert transfer is not None
    claimed = {v for p, v, _ in _claims(graph, transfer) if p == prop}
    assert values <= claimed
    assert graph.value(transfer, SWAP[prop]) is not None or prop != "peopleCount"


def test_claims_name_who_and_where(graph: Graph) -> None:
    transfer = _transfer(graph, _ex("RU-UA-2024-01-31"), "Russia")
    by = {v: who for _, v, who in _claims(graph, transfer)}  # type: ignore[arg-type]
    assert by[195] == URIRef(ORG + "russian-ministry-of-defence")
    assert by[207] == ID["state/ukraine"]
    for claim in graph.subjects(RDF.type, SWAP.Claim):
        sources = list(graph.objects(claim, DCTERMS.source))
        assert sources and all((s, RDF.type, SWAP.Source) in graph for s in sources)


def test_every_dispute_in_the_notes_is_recorded(graph: Graph) -> None:
    # Disagreements that are not about a figure (where guardsmen were captured; whether
    # France confirmed; promised against delivered wounded) stay in the comments.
    not_figures = {"RU-UA-2022-11-23", "IR-FR-2025-11-04", "RU-UA-2025-03-19", "RU-US-2022-12-08"}
    # Notes that were research notes ("OUTSIDE the requested window"): the public comment says
    # the dispute in plain words, and the claims carry each figure with its source.
    rewritten = {"RU-UA-2026-02-05"}
    for row in ROWS:
        if "DISPUTE" not in row["notes"] and "DISAGREEMENT" not in row["notes"]:
            continue
        ex = _ex(row["id"])
        if row["id"] not in rewritten:
            assert Literal(row["notes"]) in set(graph.objects(ex, RDFS.comment))
        if row["id"] in not_figures:
            continue
        nodes = [ex, *graph.objects(ex, SWAP.transfer)]
        assert any(True for n in nodes for _ in _claims(graph, n)), row["id"]


def test_griner_bout_mediation_claimed_and_denied(graph: Graph) -> None:
    ex = _ex("RU-US-2022-12-08")
    disputed = {
        graph.value(m, SWAP.actor)
        for m in graph.objects(ex, SWAP.mediation)
        if graph.value(m, SWAP.role) == SWAP.MediatorRole
        and graph.value(m, SWAP.deniedIn) is not None
        and graph.value(m, SWAP.creditedIn) is not None
    }
    assert disputed == {ID["state/united-arab-emirates"], ID["state/saudi-arabia"]}
    assert graph.value(ex, SWAP.handoverPlace) == ID["place/abu-dhabi-international-airport"]


def test_named_people_on_the_transfer_that_freed_them(graph: Graph) -> None:
    transfer = _transfer(graph, _ex("RU-US-2022-12-08"), "Russia")
    assert (transfer, SWAP.releasedPerson, ID["person/brittney-griner"]) in graph
    transfer = _transfer(graph, _ex("RU-US-2022-12-08"), "United States")
    assert (transfer, SWAP.releasedPerson, ID["person/viktor-bout"]) in graph


def test_states_have_codes_and_only_verified_wikidata_ids(graph: Graph) -> None:
    # Every id was checked against the row of the state's ISO 3166 codes in the public file
    # packages/@ourworldindata/grapher/src/mapCharts/CountriesRegions.ts of owid/owid-grapher
    # (commit c7402d12e25bd1d45f5bd7d66cfc083342a1ed96), which maps ISO codes to Wikidata.
    verified = {
        "russia": "Q159",
        "ukraine": "Q212",
        "united-states": "Q30",
        "united-arab-emirates": "Q878",
        "turkey": "Q43",
        "belarus": "Q184",
        "saudi-arabia": "Q851",
        "qatar": "Q846",
        "vatican-city": "Q237",
        "afghanistan": "Q889",
        "armenia": "Q399",
        "azerbaijan": "Q227",
        "belgium": "Q31",
        "china": "Q148",
        "croatia": "Q224",
        "el-salvador": "Q792",
        "france": "Q142",
        "germany": "Q183",
        "india": "Q668",
        "iran": "Q794",
        "morocco": "Q1028",
        "norway": "Q20",
        "oman": "Q842",
        "pakistan": "Q843",
        "poland": "Q36",
        "slovenia": "Q215",
        "sweden": "Q34",
        "united-kingdom": "Q145",
        "venezuela": "Q717",
        "switzerland": "Q39",
        "austria": "Q40",
        "denmark": "Q35",
        "egypt": "Q79",
        "israel": "Q801",
        "italy": "Q38",
        "sudan": "Q1049",
        "syria": "Q858",
        "yemen": "Q805",
        "philippines": "Q928",
        "thailand": "Q869",
    }
    for state in graph.subjects(RDF.type, SWAP.State):
        slug = str(state).rsplit("/", 1)[1]
        assert graph.value(state, SWAP.iso3166Alpha2) is not None, slug
        assert graph.value(state, SWAP.iso3166Alpha3) is not None, slug
    wikidata = {
        str(s).rsplit("/", 1)[1]: str(o).rsplit("/", 1)[1]
        for s, o in graph.subject_objects(URIRef("http://www.w3.org/2004/02/skos/core#exactMatch"))
    }
    assert wikidata == verified
    assert graph.value(ID["state/russia"], SWAP.iso3166Alpha3) == Literal("RUS")


def test_every_cited_address_is_a_source(graph: Graph) -> None:
    for prop in (DCTERMS.source, SWAP.creditedIn, SWAP.deniedIn):
        for source in graph.objects(None, prop):
            assert (source, RDF.type, SWAP.Source) in graph, source
