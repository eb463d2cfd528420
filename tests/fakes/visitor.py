"""A visitor's side over real HTTP: poll the status URL with the token, as the page does.

Reproduces no published reference: it speaks our own status API (docs/design.md §5), as
verify.js does.
"""

from __future__ import annotations

from typing import Any

import requests

from tests.conftest import LiveServer, wait_until
from verifier.verifications.lifecycle import FINAL


def poll(
    server: LiveServer, http: requests.Session, submitted: dict[str, Any], timeout: float = 30
) -> dict[str, Any]:
    """The visitor's view once the verification is final (fails the test at ``timeout``)."""

    def final() -> dict[str, Any] | None:
        response = http.get(
            f"{server.url}{submitted['status_url']}",
            headers={"X-Status-Token": submitted["token"]},
            timeout=5,
        )
        assert response.status_code == 200
        data: dict[str, Any] = response.json()
        return data if data["status"] in FINAL else None

    result: dict[str, Any] = wait_until(final, timeout=timeout, interval=0.2)
    return result
