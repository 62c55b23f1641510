"""Validation builds millions of lasting objects with Python's cycle collector paused.

At a million triples the collector's walks through objects that were all still in use took
3.5 of validation's 15.3 s. These tests check that it is paused where validation runs and
always left as it was found, whatever happens in the block.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from rdflib import Graph

from swapgraph import fast_validate
from swapgraph.memory import cycles_uncollected
from swapgraph.paths import Project
from swapgraph.validate import validate_graph, validate_project


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()


def test_the_collector_is_paused_in_the_block_and_resumes_after() -> None:
    with cycles_uncollected():
        assert not gc.isenabled()
        with cycles_uncollected():
            assert not gc.isenabled()
        assert not gc.isenabled(), "an inner block does not resume it for the outer one"
    assert gc.isenabled()


def test_the_collector_resumes_after_an_error() -> None:
    with pytest.raises(ZeroDivisionError), cycles_uncollected():
        1 / 0  # noqa: B018
    assert gc.isenabled()


def test_a_collector_paused_before_is_left_paused() -> None:
    gc.disable()
    with cycles_uncollected():
        pass
    assert not gc.isenabled()


def test_validation_runs_with_the_collector_paused(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []
    original = fast_validate.Validator.run

    def run(self: fast_validate.Validator) -> list[fast_validate.ResultRow]:
        seen.append(gc.isenabled())
        return original(self)

    monkeypatch.setattr(fast_validate.Validator, "run", run)
    assert validate_project(project).conforms
    validate_graph(project, Graph())
    assert seen == [False, False], "the project's files, then a client's graph"
    assert gc.isenabled()
