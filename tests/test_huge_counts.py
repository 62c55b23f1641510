"""A count too large for a float ends ``stats`` and ``export gexf`` with exit 2, no traceback.

Issue 10: a 400-digit count (which ``validate`` refuses, naming file and line) made both
commands crash with ``OverflowError``; they read the data through an engine, not the
loader, so the count reaches the views' edge weights.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from swapgraph.cli import main
from swapgraph.counts import weight
from swapgraph.errors import CountTooLarge
from tests.conftest import REPO_ROOT


@pytest.fixture
def huge(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    for name in ("ontology", "shapes", "graph", "api"):
        shutil.copytree(REPO_ROOT / name, root / name)
    path = root / "graph" / "exchanges-2024.ttl"
    text = path.read_text(encoding="utf-8")
    first = text.index("swap:peopleCount ")
    end = text.index(" ", first + len("swap:peopleCount "))
    path.write_text(text[:first] + "swap:peopleCount " + "9" * 400 + text[end:], encoding="utf-8")
    return root


@pytest.mark.parametrize(
    "command", [["stats"], ["export", "gexf", "-o", "out.gexf"]], ids=["stats", "gexf"]
)
def test_huge_count_is_a_clear_error(
    huge: Path,
    command: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(huge)
    assert main([*command, "--project", str(huge)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "unexpected" not in err
    assert "digits" in err and "swapgraph validate" in err
    # ... and validate, as it says, names the file and line.
    assert main(["validate", "--project", str(huge)]) == 2
    assert "exchanges-2024.ttl:" in capsys.readouterr().err


def test_weight() -> None:
    assert weight(1_000_000) == 1e6
    assert weight(10**300) == 1e300
    with pytest.raises(CountTooLarge, match=r"400 digits \(exchange:x\)"):
        weight(int("9" * 400), "exchange:x")
