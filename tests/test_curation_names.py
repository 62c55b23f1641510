"""``new`` and ``import-csv`` resolve names with the one resolver (resolve.py), as queries do.

Issue 10/11: "Republic of Turkiye", "Türkiye", "TR", "Q43" and ``state:turkey`` all name
Turkey, as a party and as a mediator, in both commands; an unknown name in a CSV row is
reported with its line and the close matches.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from rdflib.namespace import RDF

from swapgraph.importer import import_csv
from swapgraph.load import parse_file
from swapgraph.namespaces import ID, SWAP
from swapgraph.new import new_exchange
from swapgraph.paths import Project
from tests.conftest import REPO_ROOT
from tests.test_importer import ROWS, no_shapes, write_csv

TURKEY = ID["state/turkey"]
NAMES = ["Republic of Turkiye", "Türkiye", "TR", "Q43", "state:turkey", "turkey", "TUR"]
SOURCE = "https://example.org/2026/12/01/exchange/"


@pytest.fixture
def project(tmp_path: Path) -> Project:
    for folder in ("ontology", "shapes", "graph"):
        shutil.copytree(REPO_ROOT / folder, tmp_path / folder)
    return Project.open(tmp_path)


def _parties(path: Path, exchange: object) -> set[object]:
    graph = parse_file(path)
    return {
        actor
        for transfer in graph.objects(exchange, SWAP.transfer)  # type: ignore[arg-type]
        for actor in graph.objects(transfer, SWAP.releasedBy)
    }


@pytest.mark.parametrize("name", NAMES)
def test_new_exchange_resolves_every_name_of_turkey(project: Project, name: str) -> None:
    made = new_exchange(project, dt.date(2026, 12, 1), ["Russia", name], [], [SOURCE])
    assert _parties(project.graph_dir / "exchanges-2026.ttl", made.iri) == {
        ID["state/russia"],
        TURKEY,
    }


@pytest.mark.parametrize("name", NAMES)
def test_new_exchange_resolves_every_name_of_turkey_as_mediator(
    project: Project, name: str
) -> None:
    made = new_exchange(project, dt.date(2026, 12, 1), ["Russia", "Ukraine"], [name], [SOURCE])
    graph = parse_file(project.graph_dir / "exchanges-2026.ttl")
    [mediation] = graph.objects(made.iri, SWAP.mediation)
    assert graph.value(mediation, SWAP.actor) == TURKEY


def test_import_resolves_every_name_of_turkey(project: Project, tmp_path: Path) -> None:
    base = ROWS["RU-UA-2024-01-31"]
    rows = [
        {
            **base,
            "id": f"RU-UA-2019-01-{n + 10:02d}",
            "date": f"2019-01-{n + 10:02d}",
            "mediators": name,
            "agreement": "",
            "agreement_date": "",
            "agreement_place": "",
            "source": f"https://example.org/2019/01/{n + 10:02d}/x/",
        }
        for n, name in enumerate(NAMES)
    ]
    report = import_csv(project, write_csv(tmp_path / "in.csv", rows), validator=no_shapes)
    assert report.ok, report.errors
    assert not [u for u in report.unmapped if u.column == "mediators"]
    graph = parse_file(project.graph_dir / "exchanges-2019.ttl")
    mediators = {
        graph.value(m, SWAP.actor)
        for exchange in graph.subjects(RDF.type, SWAP.Exchange)
        for m in graph.objects(exchange, SWAP.mediation)
    }
    assert mediators == {TURKEY}


@pytest.mark.parametrize("name", NAMES)
def test_import_resolves_every_name_of_turkey_as_party(
    project: Project, tmp_path: Path, name: str
) -> None:
    row = {
        **ROWS["RU-UA-2024-01-31"],
        "id": "RU-TR-2019-01-10",
        "date": "2019-01-10",
        "party_b": name,
        "mediators": "",
        "named_individuals": "",
        "source": "https://example.org/2019/01/10/x/",
    }
    report = import_csv(project, write_csv(tmp_path / "in.csv", [row]), validator=no_shapes)
    assert report.ok, report.errors
    exchange = ID["exchange/2019-01-10-ru-tr"]
    assert _parties(project.graph_dir / "exchanges-2019.ttl", exchange) == {
        ID["state/russia"],
        TURKEY,
    }


def test_import_names_the_line_and_close_matches(project: Project, tmp_path: Path) -> None:
    rows = [ROWS["RU-UA-2024-01-31"], {**ROWS["RU-UA-2024-02-08"], "party_b": "Turky"}]
    report = import_csv(project, write_csv(tmp_path / "in.csv", rows), validator=no_shapes)
    [error] = report.errors
    assert error.line == 3
    assert "unknown actor 'Turky'" in error.message
    assert "Turkey (state:turkey)" in error.message
