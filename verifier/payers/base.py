"""The adapter protocol, what an adapter factory is given, and the errors adapters speak.

Errors carry codes and reasons only, never PHI or payer bodies: they end up in RQ's
failed-job registry and in logs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from verifier.domain import EligibilityRequest, EligibilityResult, RequestError

if TYPE_CHECKING:
    from redis import Redis

    from config.settings import Settings
    from verifier.payers.directory import PayerDirectory
    from verifier.store.crypto import Keyring


@dataclass(frozen=True)
class Exchange:
    """What crossed the wire, kept sealed with the attempt for staff (raw 270/271 ...)."""

    request: str | None = None
    response: str | None = None


@dataclass(frozen=True)
class CheckOutcome:
    result: EligibilityResult
    exchange: Exchange


class PayerError(Exception):
    """Base of the typed adapter errors. ``exchange`` may hold the raw bodies (sealed later)."""

    reason = "payer_error"

    def __init__(self, message: str, *, exchange: Exchange | None = None) -> None:
        super().__init__(message)
        self.exchange = exchange or Exchange()


class PayerUnavailable(PayerError):
    """Try again later: timeouts, 5xx, 429, AAA 42/80, an open circuit."""

    reason = "payer_unavailable"

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        codes: tuple[str, ...] = (),
        exchange: Exchange | None = None,
        retry_now: bool = True,
    ) -> None:
        super().__init__(message, exchange=exchange)
        self.retry_after = retry_after
        self.codes = codes
        # False when only a later attempt may help (an open circuit, AAA 42 with follow-up
        # C, a "wait 10 days"): the resilience layer then does not retry within the attempt.
        self.retry_now = retry_now


class PayerRejected(PayerError):
    """The payer answered with AAA rejections (no benefits): fix input, not found, config."""

    reason = "payer_rejected"

    def __init__(
        self,
        message: str,
        *,
        errors: tuple[RequestError, ...],
        exchange: Exchange | None = None,
    ) -> None:
        super().__init__(message, exchange=exchange)
        self.errors = errors

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(error.reject_code for error in self.errors)


class PayerResponseInvalid(PayerError):
    """The payer answered something we cannot read as an eligibility response."""

    reason = "payer_response_invalid"


class PayerAuthError(PayerError):
    """Our credentials for this payer were refused: an operator must act."""

    reason = "payer_auth_error"


class PayerAdapter(Protocol):
    name: str

    def check(self, request: EligibilityRequest) -> CheckOutcome: ...


class AdapterContext(Protocol):
    """What an adapter factory gets besides its payer's entry: the process's shared parts.

    The application's Runtime satisfies it; a third-party adapter (the ``verifier.payers``
    entry-point group) is called ``factory(context, entry)`` and may use exactly these.
    """

    @property
    def settings(self) -> Settings: ...

    @property
    def redis(self) -> Redis: ...

    @property
    def keyring(self) -> Keyring: ...

    @property
    def directory(self) -> PayerDirectory: ...
