"""State-to-state is one filter across views, exports and statistics.

Armed groups (swap:ArmedGroup: Hamas, the Houthis) are parties to exchanges since the 2026
edition. Nothing that counted states may count them, and every statistic and export can leave
their exchanges out, as the named queries' ``states_only`` does.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse
from fastapi.testclient import TestClient

from swapgraph.cli import main
from swapgraph.engine import Engine
from swapgraph.errors import SwapgraphError
from swapgraph.namespaces import ID
from swapgraph.paths import Project
from swapgraph.server import deps, routes_export
from swapgraph.server.app import status_of
from swapgraph.stats import compute_stats, select_tables
from swapgraph.views import Filters, load_facts
from tests.exports_fixture import real_engine

__all__ = ["real_engine"]

#: The exchanges between a state and an armed group in the graph, as the sources give them:
#: Yemen's government and Saudi Arabia with the Houthis (14-16 April 2023), and the Israel-Hamas
#: exchanges of the seven days of the November 2023 truce, of the January 2025 ceasefire's
#: first phase (19 January to 15 February) and of 13 October 2025.
ARMED_GROUP_EXCHANGES = {
    "2023-04-14-ye-houthis",
    "2023-11-24-il-hamas",
    "2023-11-25-il-hamas",
    "2023-11-26-il-hamas",
    "2023-11-27-il-hamas",
    "2023-11-28-il-hamas",
    "2023-11-29-il-hamas",
    "2023-11-30-il-hamas",
    "2025-01-19-il-hamas",
    "2025-01-25-il-hamas",
    "2025-02-01-il-hamas",
    "2025-02-08-il-hamas",
    "2025-02-15-il-hamas",
    "2025-10-13-il-hamas",
}


def _ids(iris: set[object]) -> set[str]:
    return {str(iri).rsplit("/", 1)[1] for iri in iris}


def test_armed_groups_are_actors_of_their_own_type(real_engine: Engine) -> None:
    facts = load_facts(real_engine)
    assert facts.actor(ID["armed-group/hamas"]).type == "armed group"
    assert facts.actor(ID["armed-group/houthis"]).type == "armed group"
    centrality = select_tables(compute_stats(real_engine), ["centrality"])[0]
    types = {r["actor"]: r["type"] for r in centrality.records()}
    assert (types["Hamas"], types["Houthis"], types["Israel"]) == (
        "armed group",
        "armed group",
        "state",
    )


def test_state_to_state_leaves_out_exactly_the_armed_group_exchanges(
    real_engine: Engine,
) -> None:
    facts = load_facts(real_engine)
    kept = Filters.parse(state_to_state=True).select(facts)
    assert _ids(set(facts.exchanges) - kept) == ARMED_GROUP_EXCHANGES
    assert not Filters.parse(state_to_state=True).is_empty()
    # The other filters still apply beside it: every exchange of Israel's is with Hamas.
    assert Filters.parse(states=["Israel"], state_to_state=True).select(facts) == set()


def test_statistics_count_no_armed_group_once_filtered(real_engine: Engine) -> None:
    every = {r["year"]: r for r in compute_stats(real_engine)[0].records()}
    states = {
        r["year"]: r for r in compute_stats(real_engine, Filters(state_to_state=True))[0].records()
    }
    # Eight armed-group exchanges in 2023 (Yemen in April, Israel-Hamas on 24-30 November) and
    # six in 2025 (Israel-Hamas, 19 and 25 January, 1, 8 and 15 February, 13 October).
    left_out = {
        y: int(str(every[y]["exchanges"])) - int(str(states[y]["exchanges"])) for y in every
    }
    assert left_out == {2022: 0, 2023: 8, 2024: 0, 2025: 6, 2026: 0}
    tables = compute_stats(real_engine, Filters(state_to_state=True))
    labels = json.dumps([t.records() for t in tables], default=str)
    assert "Hamas" not in labels and "Houthis" not in labels


def test_cli_and_export_take_the_filter(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    root = str(project.root)
    assert main(["export", "nodes-csv", "--project", root, "--state-to-state"]) == 0
    nodes = capsys.readouterr().out
    assert "armed-group/hamas" not in nodes and "state/russia" in nodes
    assert main(["export", "nodes-csv", "--project", root]) == 0
    assert "armed-group/hamas" in capsys.readouterr().out

    def per_year(*flags: str) -> dict[str, int]:
        args = ["stats", "--project", root, "--format", "csv", "--table", "per_year", *flags]
        assert main(args) == 0
        rows = csv.DictReader(io.StringIO(capsys.readouterr().out))
        return {r["year"]: int(r["exchanges"]) for r in rows}

    every, states = per_year(), per_year("--state-to-state")
    assert (every["2023"] - states["2023"], every["2025"] - states["2025"]) == (8, 6)


class _Service:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine


@pytest.fixture
def client(real_engine: Engine) -> Iterator[TestClient]:
    app = FastAPI()

    @app.exception_handler(SwapgraphError)
    async def refuse(_: Request, error: SwapgraphError) -> PlainTextResponse:
        return PlainTextResponse(str(error), status_code=status_of(error))

    app.include_router(routes_export.router)
    app.dependency_overrides[deps.get_service] = lambda: _Service(real_engine)
    with TestClient(app) as test_client:
        yield test_client


def test_http_export_takes_states_only(client: TestClient) -> None:
    every = client.get("/export/nodes-csv")
    states = client.get("/export/nodes-csv", params={"states_only": "true"})
    assert every.status_code == states.status_code == 200
    assert "armed-group/hamas" in every.text
    assert "armed-group/hamas" not in states.text
