"""The baseline for bench/intake.py: a bare Flask endpoint that reads JSON and answers 202."""

from __future__ import annotations

import uuid

from flask import Flask, request

app = Flask(__name__)


@app.post("/api/v1/verifications")
def submit() -> tuple[dict[str, str], int]:
    request.get_json()
    return {"id": uuid.uuid4().hex, "status": "queued"}, 202
