"""When the supervisor starts a child again: back-off, and when to say so loudly.

One Redis blip or a worker's crash must not become a full outage that needs a person:
a child that dies is started again after a delay that doubles with each death in a row
(``base`` .. ``cap`` seconds), so a child that cannot start does not spin the CPU. A child
that ran ``healthy_after`` seconds before it died counts as healthy again (the back-off
starts over). A child that died ``loud_after`` times within ``window`` seconds is reported
on every death, in capitals, with what to look at; it is still restarted (the others
keep running). Pure: the supervisor owns the processes and the clock.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RestartPolicy:
    base: float = 0.5
    cap: float = 30.0
    healthy_after: float = 60.0
    window: float = 300.0
    loud_after: int = 5


@dataclass
class RestartRecord:
    """The deaths of one child, and when it may start again."""

    policy: RestartPolicy = field(default_factory=RestartPolicy)
    deaths: deque[float] = field(default_factory=deque)
    in_a_row: int = 0
    started_at: float = 0.0

    def started(self, now: float) -> None:
        self.started_at = now

    def died(self, now: float) -> float:
        """Record a death at ``now``; the seconds to wait before starting it again."""
        policy = self.policy
        if now - self.started_at >= policy.healthy_after:
            self.in_a_row = 0
        self.in_a_row += 1
        self.deaths.append(now)
        while self.deaths and self.deaths[0] < now - policy.window:
            self.deaths.popleft()
        return float(min(policy.cap, policy.base * 2 ** (self.in_a_row - 1)))

    @property
    def keeps_dying(self) -> bool:
        return len(self.deaths) >= self.policy.loud_after


def death_report(name: str, code: int, record: RestartRecord, delay: float) -> str:
    """The line an operator reads on the supervisor's stderr."""
    if record.keeps_dying:
        return (
            f"verifier: {name.upper()} KEEPS DYING: {len(record.deaths)} exits in "
            f"{record.policy.window:.0f}s (last code {code}); restarting in {delay:.1f}s. "
            f"The rest of the service keeps running; read {name}'s log above and /readyz."
        )
    return f"verifier: {name} exited with {code}; restarting in {delay:.1f}s"
