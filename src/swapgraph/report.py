"""A validation report, and how it is rendered for people and for CI tools.

The report is plain data, with no RDF library behind it: ``swapgraph serve`` reads a
cached report while validation's child runs, and its own process imports nothing heavy
before validation has passed (rdflib and pyshacl took 17 MiB there).

Formats:

* ``text``: results grouped by file and ordered by line, one per line, then a summary::

      graph/exchanges-2025.ttl:123  Violation  swapsh:TransferCategorySum  <message>  (...)

* ``json``: one object, a stable schema::

      {"conforms": bool,
       "counts": {"violations": int, "warnings": int, "infos": int},
       "results": [{"file": str|null, "line": int|null, "severity": str,
                    "focus": str, "path": str|null, "value": str|null,
                    "shape": str, "message": str}, ...]}

  ``severity`` is ``Violation``, ``Warning`` or ``Info``; terms are written as in
  Turtle with the project's prefixes (``exchange:2025-05-23-ru-ua``, ``"-3"^^xsd:integer``).
* ``junit``: JUnit XML, one test case per shape; a shape with Violations fails, and
  Warnings are written to the test case's output.
* ``github``: GitHub Actions workflow commands, ``::error`` for a Violation, ``::warning``
  for a Warning and ``::notice`` for an Info, each with file and line.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from itertools import groupby

#: Severities, most serious first; only a Violation makes the data non-conforming.
SEVERITIES: tuple[str, ...] = ("Violation", "Warning", "Info")


@dataclass(frozen=True)
class ValidationResult:
    """One finding: a node that fails a shape.

    Attributes:
        severity: ``Violation``, ``Warning`` or ``Info``.
        focus: The node checked, as a prefixed name; a blank node is shown by the path
            from its named ancestor (``exchange:x swap:transfer [ ]``).
        path: The property path checked, in SPARQL syntax, if any.
        value: The offending value in Turtle syntax, if any.
        shape: The shape that failed, as a prefixed name (``swapsh:ExchangeDate``).
        message: What is wrong, in words.
        file: The file describing the focus node (relative to the project root when it
            lies inside it), or None if no file does (data not read from files).
        line: The line where the focus node's block starts, or None.
    """

    severity: str
    focus: str
    path: str | None
    value: str | None
    shape: str
    message: str
    file: str | None
    line: int | None


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of a validation run.

    Attributes:
        results: Every finding, sorted by file, line, severity and shape.
        shapes: Every shape of the shapes graph, as prefixed names, sorted (so that a
            CI report can list the shapes that passed too).
    """

    results: tuple[ValidationResult, ...]
    shapes: tuple[str, ...]

    @property
    def conforms(self) -> bool:
        """True when there is no Violation (Warnings and Infos do not fail)."""
        return not any(result.severity == "Violation" for result in self.results)

    def counts(self) -> dict[str, int]:
        """Return the number of results per severity, every severity present."""
        counts = dict.fromkeys(SEVERITIES, 0)
        for result in self.results:
            counts[result.severity] += 1
        return counts


#: The names accepted by :func:`render`.
FORMATS: tuple[str, ...] = ("text", "json", "junit", "github")

_GITHUB_COMMANDS = {"Violation": "error", "Warning": "warning", "Info": "notice"}


def render(report: ValidationReport, format_name: str) -> str:
    """Render ``report`` in one of :data:`FORMATS`.

    Args:
        report: The validation report.
        format_name: ``text``, ``json``, ``junit`` or ``github``.

    Returns:
        The rendered report, ending with a newline.

    Raises:
        ValueError: If ``format_name`` is not one of :data:`FORMATS`.
    """
    renderers: dict[str, Callable[[ValidationReport], str]] = {
        "text": render_text,
        "json": render_json,
        "junit": render_junit,
        "github": render_github,
    }
    try:
        renderer = renderers[format_name]
    except KeyError:
        raise ValueError(f"unknown report format {format_name!r}") from None
    return renderer(report)


def render_text(report: ValidationReport) -> str:
    """Render for a person: results grouped by file, then a summary line."""
    lines: list[str] = []
    for file, results in groupby(report.results, key=lambda r: r.file):
        lines.append(file if file is not None else "(not from a file)")
        lines.extend(f"  {_text_line(result)}" for result in results)
        lines.append("")
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"


def render_json(report: ValidationReport) -> str:
    """Render as the JSON object documented in this module."""
    document = {
        "conforms": report.conforms,
        "counts": _counts(report),
        "results": [
            {
                "file": r.file,
                "line": r.line,
                "severity": r.severity,
                "focus": r.focus,
                "path": r.path,
                "value": r.value,
                "shape": r.shape,
                "message": r.message,
            }
            for r in report.results
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_junit(report: ValidationReport) -> str:
    """Render as JUnit XML: one test case per shape, failing on Violations."""
    by_shape: dict[str, list[ValidationResult]] = {shape: [] for shape in report.shapes}
    for result in report.results:
        by_shape.setdefault(result.shape, []).append(result)
    failing = sum(any(r.severity == "Violation" for r in results) for results in by_shape.values())
    suites = ET.Element("testsuites", name="swapgraph validate")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="shapes",
        tests=str(len(by_shape)),
        failures=str(failing),
        errors="0",
        skipped="0",
    )
    for shape, results in sorted(by_shape.items()):
        case = ET.SubElement(suite, "testcase", classname="swapgraph.shapes", name=shape)
        violations = [r for r in results if r.severity == "Violation"]
        if violations:
            failure = ET.SubElement(
                case,
                "failure",
                type="Violation",
                message=f"{len(violations)} violation(s) of {shape}",
            )
            failure.text = "\n".join(_text_line(r) for r in violations)
        others = [r for r in results if r.severity != "Violation"]
        if others:
            ET.SubElement(case, "system-out").text = "\n".join(_text_line(r) for r in others)
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def render_github(report: ValidationReport) -> str:
    """Render as GitHub Actions workflow commands (annotations on files and lines)."""
    lines = []
    for result in report.results:
        properties = []
        if result.file is not None:
            properties.append(f"file={_escape_property(result.file)}")
            if result.line is not None:
                properties.append(f"line={result.line}")
        properties.append(f"title={_escape_property(result.shape)}")
        command = _GITHUB_COMMANDS[result.severity]
        lines.append(f"::{command} {','.join(properties)}::{_escape_data(_detail(result))}")
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"


def _text_line(result: ValidationResult) -> str:
    where = result.file or "-"
    if result.line is not None:
        where += f":{result.line}"
    return f"{where}  {result.severity}  {result.shape}  {_detail(result)}"


def _detail(result: ValidationResult) -> str:
    context = [f"focus: {result.focus}"]
    if result.path is not None:
        context.append(f"path: {result.path}")
    if result.value is not None:
        context.append(f"value: {result.value}")
    return f"{result.message}  ({'; '.join(context)})"


def _counts(report: ValidationReport) -> dict[str, int]:
    counts = report.counts()
    return {
        "violations": counts["Violation"],
        "warnings": counts["Warning"],
        "infos": counts["Info"],
    }


def _summary(report: ValidationReport) -> str:
    counts = _counts(report)
    files = len({r.file for r in report.results if r.file is not None})
    verdict = "conforms" if report.conforms else "does not conform"
    tally = ", ".join(f"{n} {name}" for name, n in counts.items())
    return f"{verdict}: {tally} in {files} file(s)" if report.results else verdict


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
