"""Liveness and readiness for load balancers and orchestrators; metrics for Prometheus."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, request, send_from_directory
from sqlalchemy import text
from werkzeug.exceptions import NotFound

from verifier.runtime import runtime_of

bp = Blueprint("ops", __name__)


# Only what the docs page loads: not the stock oauth2-redirect.html (an open page that
# posts tokens to its opener), nor the bundle's demo index.
DOCS_ASSETS = frozenset({"swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"})
DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>verifier API</title>
<link rel="stylesheet" href="/api/v1/docs/assets/swagger-ui.css">
<link rel="icon" href="/api/v1/docs/assets/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/v1/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/v1/docs/init.js"></script>
</body>
</html>
"""


@bp.get("/api/v1/docs")
def docs() -> Response:
    """Swagger UI for the OpenAPI document, under the app's strict CSP (no inline code)."""
    return Response(DOCS_PAGE, mimetype="text/html")


@bp.get("/api/v1/docs/init.js")
def docs_init() -> Response:
    return send_from_directory(Path(__file__).parent / "static", "docs.js", max_age=3600)


@bp.get("/api/v1/docs/assets/<path:filename>")
def docs_assets(filename: str) -> Response:
    """Swagger UI's files from the swagger-ui-bundle wheel: no CDN, works offline."""
    import swagger_ui_bundle

    if filename not in DOCS_ASSETS:
        raise NotFound()
    return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename, max_age=3600)


@bp.get("/healthz")
def healthz() -> tuple[dict[str, Any], int]:
    """The process answers; nothing else is checked (a restart would not help)."""
    return {"status": "ok"}, 200


@bp.get("/readyz")
def readyz() -> tuple[dict[str, Any], int]:
    """Can this instance do its work: database and Redis both answer."""
    runtime = runtime_of(current_app)
    checks: dict[str, str] = {}
    try:
        with runtime.db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # reported, not raised: this endpoint exists to say so
        current_app.logger.warning("readyz: database check failed: %s", type(exc).__name__)
        checks["database"] = "unavailable"
    try:
        runtime.redis.ping()
        checks["redis"] = "ok"
    except Exception as exc:
        current_app.logger.warning("readyz: redis check failed: %s", type(exc).__name__)
        checks["redis"] = "unavailable"
    ready = all(value == "ok" for value in checks.values())
    return {"status": "ready" if ready else "unavailable", "checks": checks}, (
        200 if ready else 503
    )


@bp.get("/metrics")
def metrics() -> Response:
    """Prometheus exposition, read from the database and Redis at each scrape.

    Always 200 once authorized: a component that does not answer is ``verifier_up 0``.
    With VERIFIER_METRICS_TOKEN set, ``Authorization: Bearer <token>`` is required;
    without it, only loopback clients are answered (it reveals volume).
    Not rate limited and not audited, like the other ops routes.
    """
    from verifier import metrics as exposition  # prometheus_client loads on first scrape

    runtime = runtime_of(current_app)
    if not exposition.authorized(
        runtime.settings.metrics_token, request.headers.get("Authorization"), request.remote_addr
    ):
        return Response(
            "metrics token required (VERIFIER_METRICS_TOKEN; without one, loopback only)\n",
            status=401,
            mimetype="text/plain",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    body, content_type = exposition.render(runtime, request.headers.get("Accept"))
    return Response(body, status=200, content_type=content_type)
