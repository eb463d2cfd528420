"""The coverage engine: a payer's benefits -> a summary for one level of care and condition.

Pure: no Flask, RQ, Redis or SQLAlchemy. Entry points: ``summarize``, ``plain_text``,
``visitor_view`` and the ``FacilityProfile`` they read the center's programs from.
"""

from verifier.coverage.facility import FacilityProfile, default_profile
from verifier.coverage.ladders import Ladder, default_ladder
from verifier.coverage.model import CoverageSummary
from verifier.coverage.summary import summarize

__all__ = [
    "CoverageSummary",
    "FacilityProfile",
    "Ladder",
    "default_ladder",
    "default_profile",
    "summarize",
]
