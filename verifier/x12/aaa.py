"""Turn an AAA segment into a RequestError with a retry class (docs/design.md §7).

The rule, in order:

1. An AAA inside a benefit loop (2110C/2110D) is ``benefit_level`` whatever its code: the
   member may be eligible, only that service could not be answered.
2. Otherwise the reject code decides (``codes.RETRY_CLASS_BY_REASON``): 42/80/04 retry
   later; 15/33/43-48/56-66/71-74 fix input; 67/68/75-78 not found; 35/41/49-52/79/97/T4
   configuration. A code we do not know is ``configuration``: a person must look before
   anything is resent.
3. An explicit AAA04 overrides: W (wait 30 days), X (wait 10 days) and Y (we will respond
   again) mean ``retry_later`` on any loop; N (resubmission not allowed) means never an
   automatic retry, so a ``retry_later`` code with N becomes ``configuration``.
   C, P, R and S keep the code's class.
"""

from __future__ import annotations

from verifier.domain import RequestError, RetryClass
from verifier.x12 import codes

BENEFIT_LOOPS = frozenset({"2110C", "2110D"})


def retry_class(loop: str, reject_code: str, follow_up: str | None) -> RetryClass:
    """The class of one AAA, by the rule in this module's docstring."""
    if loop in BENEFIT_LOOPS:
        base = RetryClass.BENEFIT_LEVEL
    else:
        base = RetryClass(
            codes.RETRY_CLASS_BY_REASON.get(reject_code, RetryClass.CONFIGURATION.value)
        )
    if follow_up in codes.FOLLOW_UP_RETRY_LATER:
        return RetryClass.RETRY_LATER
    if follow_up in codes.FOLLOW_UP_NO_RESUBMIT and base is RetryClass.RETRY_LATER:
        return RetryClass.CONFIGURATION
    return base


def request_error(
    loop: str, valid_request: bool, reject_code: str, follow_up: str | None
) -> RequestError:
    """A RequestError with descriptions for both codes."""
    return RequestError(
        loop=loop,
        valid_request=valid_request,
        reject_code=reject_code,
        reject_description=codes.REJECT_REASONS.get(reject_code, codes.UNKNOWN_REJECT_REASON),
        follow_up=follow_up,
        follow_up_description=(
            None
            if follow_up is None
            else codes.FOLLOW_UP_ACTIONS.get(follow_up, codes.UNKNOWN_FOLLOW_UP)
        ),
        retry_class=retry_class(loop, reject_code, follow_up),
    )


def aaa_error(loop: str, valid: str, reject_code: str, follow_up: str | None) -> RequestError:
    """A RequestError as an AAA segment would read (AAA01 ``valid`` is "Y" or "N").

    For builders (the sandbox payer, fake payers) that make AAAs from codes: the
    descriptions and retry class are then the reader's own.
    """
    return request_error(loop, valid == "Y", reject_code, follow_up)
