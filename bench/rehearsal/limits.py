"""Sliding one-minute windows of requests and tokens: the part of a provider that says 429.

A request is admitted when both the request count and the token count of the last 60 seconds leave room
for it; otherwise ``admit`` says how long until they would (what the provider puts in retry-after).
Per-day limits are not enforced here (a bench run is minutes long); the runner reports them.
"""

import threading
import time
from collections import deque

WINDOW = 60.0


class MinuteWindow:
    def __init__(self, rpm: int, tpm: int, clock=time.monotonic):
        self.rpm, self.tpm, self.clock = rpm, tpm, clock
        self.events: deque[tuple[float, int]] = deque()  # (admitted at, tokens reserved)
        self.lock = threading.Lock()

    def _expire(self, now: float) -> None:
        while self.events and self.events[0][0] <= now - WINDOW:
            self.events.popleft()

    def admit(self, tokens: int) -> tuple[bool, float, str]:
        """(admitted, seconds to wait if not, which limit: "requests" or "tokens")."""
        with self.lock:
            now = self.clock()
            self._expire(now)
            if len(self.events) + 1 > self.rpm:
                return False, self.events[0][0] + WINDOW - now, "requests"
            used = sum(t for _, t in self.events)
            if used + tokens > self.tpm:
                freed, wait = 0, 0.0
                for at, t in self.events:  # wait until enough of the oldest reservations expire
                    freed += t
                    wait = at + WINDOW - now
                    if used - freed + tokens <= self.tpm:
                        break
                return False, max(wait, 0.001), "tokens"
            self.events.append((now, tokens))
            return True, 0.0, ""

    def state(self) -> dict:
        """What the x-ratelimit-* headers report: remaining and seconds until fully reset."""
        with self.lock:
            now = self.clock()
            self._expire(now)
            used = sum(t for _, t in self.events)
            reset = (self.events[0][0] + WINDOW - now) if self.events else 0.0
            return {"remaining_requests": self.rpm - len(self.events), "remaining_tokens": max(0, self.tpm - used),
                    "reset_requests": reset, "reset_tokens": reset, "used_tokens": used}
