"""The w3id.org redirect rules (docs/w3id/.htaccess) lead every sample IRI to a route we answer.

The rules are read by a small interpreter of the mod_rewrite subset they use (RewriteCond on
``%{HTTP_ACCEPT}`` with ``[NC]``/``[OR]``, RewriteRule with ``E=``, ``R=``, ``L``, ``NE``, and
the ``-`` substitution); a directive outside that subset fails the test, so the interpreter
and the file cannot silently disagree. Each target is then requested from a real server.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
import pytest

from swapgraph.load import ontology_graph
from swapgraph.ontology_versions import version_of
from swapgraph.paths import Project
from tests.conftest import REPO_ROOT
from tests.serving import RunningServer

HTACCESS = REPO_ROOT / "docs" / "w3id" / ".htaccess"
BASE = "https://w3id.org/swapgraph/"


@dataclass
class Condition:
    variable: str
    pattern: str
    negated: bool
    flags: set[str]


@dataclass
class Rule:
    pattern: str
    target: str
    flags: dict[str, str]
    conditions: list[Condition] = field(default_factory=list)


def _flags(text: str | None) -> dict[str, str]:
    if not text:
        return {}
    found = {}
    for flag in text.strip("[]").split(","):
        name, _, value = flag.partition("=")
        found[name.strip().upper()] = value
    return found


def read_rules(text: str) -> list[Rule]:
    rules: list[Rule] = []
    pending: list[Condition] = []
    in_module = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("<IfModule"):
            in_module = True
            continue
        if line.startswith("</IfModule"):
            in_module = False
            continue
        if in_module and line.startswith("Header "):
            continue  # response headers do not change where a request goes
        words = shlex.split(line, posix=False)
        if words[0] == "Options" or words == ["RewriteEngine", "on"]:
            continue
        if words[0] == "RewriteCond":
            variable, pattern, *rest = words[1:]
            flags = set(_flags(rest[0] if rest else None))
            assert flags <= {"NC", "OR"}, line
            negated = pattern.startswith("!")
            pending.append(Condition(variable, pattern.lstrip("!"), negated, flags))
            continue
        assert words[0] == "RewriteRule", f"unsupported directive: {line}"
        pattern, target, *rest = words[1:]
        flags = _flags(rest[0] if rest else None)
        assert set(flags) <= {"E", "R", "L", "NE"}, line
        rules.append(Rule(pattern, target, flags, pending))
        pending = []
    assert not pending, "a RewriteCond without its rule"
    return rules


def _conditions_hold(conditions: list[Condition], accept: str) -> bool:
    result = True
    previous_or = False
    for condition in conditions:
        assert condition.variable == "%{HTTP_ACCEPT}", condition.variable
        flags = re.IGNORECASE if "NC" in condition.flags else 0
        holds = bool(re.search(condition.pattern, accept, flags)) != condition.negated
        result = (result or holds) if previous_or else (result and holds)
        previous_or = "OR" in condition.flags
    return result


def redirect(rules: list[Rule], iri: str, accept: str) -> tuple[int, str]:
    """Where the rules send a request for ``iri``: the status and the Location."""
    status, location, _ = apply(rules, iri, accept)
    return status, location


def apply(rules: list[Rule], iri: str, accept: str) -> tuple[int, str, int]:
    """The status, Location and index of the rule that redirects a request for ``iri``."""
    parts = urlsplit(iri)
    path = parts.path.removeprefix(urlsplit(BASE).path)
    env: dict[str, str] = {}
    for index, rule in enumerate(rules):
        match = re.search(rule.pattern, path)
        if match is None or not _conditions_hold(rule.conditions, accept):
            continue
        if "E" in rule.flags:
            name, _, value = rule.flags["E"].partition(":")
            env[name] = value
        if rule.target == "-":
            continue
        target = re.sub(r"%\{ENV:(\w+)\}", lambda m: env[m.group(1)], rule.target)
        target = re.sub(r"\$(\d)", _group_of(match), target)
        if parts.query and "?" not in target:
            target += f"?{parts.query}"
        assert "L" in rule.flags and "R" in rule.flags, f"{rule.pattern}: not a final redirect"
        return int(rule.flags["R"]), target, index
    raise AssertionError(f"no rule redirects {iri}")


def _group_of(match: re.Match[str]) -> Callable[[re.Match[str]], str]:
    return lambda reference: match.group(int(reference.group(1))) or ""


@pytest.fixture(scope="module")
def rules() -> list[Rule]:
    return read_rules(HTACCESS.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def server(shared_server: RunningServer) -> RunningServer:
    return shared_server


HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def samples(project: Project) -> list[tuple[str, str, str]]:
    """(IRI, Accept, the media type the server must answer with)."""
    version = version_of(ontology_graph(project))
    return [
        (BASE, "text/turtle", "text/turtle"),
        (BASE, HTML, "text/html"),
        (f"{BASE}ontology", "text/turtle", "text/turtle"),
        (f"{BASE}ontology", HTML, "text/html"),
        (f"{BASE}ontology", "application/rdf+xml", "application/rdf+xml"),
        (f"{BASE}ontology/{version}", "text/turtle", "text/turtle"),
        (f"{BASE}id/exchange/2025-05-23-ru-ua", HTML, "text/html"),
        (f"{BASE}id/exchange/2025-05-23-ru-ua", "application/ld+json", "application/ld+json"),
        (f"{BASE}id/state/russia", "text/turtle", "text/turtle"),
        (f"{BASE}shapes", "text/turtle", "text/turtle"),
        (f"{BASE}shapes", HTML, "text/html"),
        (f"{BASE}context.jsonld", "application/ld+json", "application/ld+json"),
        (f"{BASE}releases", "text/turtle", "text/turtle"),
        (f"{BASE}graph/0.2.0", "text/turtle", "text/turtle"),
        (f"{BASE}releases/0.2.0", HTML, "text/html"),
        # No release is in this checkout's dist/: the dump route answers that it has no such
        # file, which shows that the request reached it.
        (f"{BASE}releases/0.2.0/swapgraph-0.2.0-2026-12-01.nt", "*/*", "404"),
    ]


def test_rules_send_each_sample_iri_to_a_route_that_answers(
    rules: list[Rule], server: RunningServer, project: Project
) -> None:
    fired = set()
    for iri, accept, expected in samples(project):
        status, location, index = apply(rules, iri, accept)
        fired.add(index)
        assert status in (302, 303), iri
        target = urlsplit(location)
        assert target.scheme == "https", location
        local = f"{server.url}{target.path}" + (f"?{target.query}" if target.query else "")
        answer = httpx.get(local, headers={"Accept": accept}, timeout=60)
        if expected == "404":
            assert answer.status_code == 404 and "has no file" in answer.text
            continue
        assert answer.status_code == 200, (iri, accept, local, answer.text[:200])
        assert answer.headers["content-type"].startswith(expected), (iri, accept)
    redirects = {i for i, rule in enumerate(rules) if rule.target != "-"}
    assert fired == redirects, "every redirect rule is tried by a sample"


def test_the_dataset_iri_is_negotiated_and_entities_keep_their_path(rules: list[Rule]) -> None:
    assert redirect(rules, BASE, "text/turtle")[1].endswith("/.well-known/void")
    assert redirect(rules, BASE, HTML)[1].endswith("/")
    _, location = redirect(rules, f"{BASE}id/person/some-one?format=nt", "*/*")
    assert location.endswith("/id/person/some-one?format=nt")
    with pytest.raises(AssertionError, match="no rule"):
        redirect(rules, f"{BASE}etc/passwd", "*/*")
