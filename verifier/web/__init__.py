"""Verify Online: the website visitor's pages and the embeddable widget (docs/design.md §1)."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from verifier.runtime import runtime_of


def init_app(app: Flask) -> None:
    from verifier.web import security, views

    hops = runtime_of(app).settings.proxy_hops
    if hops:  # behind TLS proxies: rate limits need the visitor's address, not the proxy's
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )
    security.init_app(app)
    views.init_app(app)
