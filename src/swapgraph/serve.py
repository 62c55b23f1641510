"""``swapgraph serve``: check the project, then serve it over HTTP until interrupted."""

from __future__ import annotations

import logging
import sys
from typing import TextIO

import uvicorn

from swapgraph.errors import SwapgraphError
from swapgraph.report import render_text
from swapgraph.server import Settings, create_app
from swapgraph.server.http11 import uvicorn_options
from swapgraph.validate import validate_project


class InvalidProject(SwapgraphError):
    """The project has SHACL violations and ``--allow-invalid`` was not given."""


def serve(
    settings: Settings,
    host: str = "127.0.0.1",
    port: int = 8000,
    allow_invalid: bool = False,
    out: TextIO = sys.stdout,
) -> None:
    """Validate the project, then serve it until the process is interrupted.

    Args:
        settings: The project, engine and limits.
        host: The address to listen on.
        port: The port to listen on.
        allow_invalid: Serve even if the project has violations (they are still printed).
        out: Where the report and the start-up lines go.

    Raises:
        InvalidProject: If the project has violations and ``allow_invalid`` is false.
    """
    report = validate_project(settings.project)
    if not report.conforms:
        out.write(render_text(report))
        if not allow_invalid:
            raise InvalidProject(
                f"{settings.project.root}: the graph does not conform to its shapes "
                "(see above); fix it, or serve it anyway with --allow-invalid"
            )
    app = create_app(settings)
    service = app.state.service
    files = len(service.data_files)
    out.write(
        f"serving {settings.project.root} ({files} files, engine {service.engine_name}, "
        f"{len(service.named_queries)} named queries)\n"
        f"SPARQL endpoint: http://{host}:{port}/sparql\n"
        f"API documentation: http://{host}:{port}/docs\n"
    )
    out.flush()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    uvicorn.run(
        app,
        host=host,
        port=port,
        access_log=False,
        log_level="warning",
        **uvicorn_options(settings.read_timeout),
    )
