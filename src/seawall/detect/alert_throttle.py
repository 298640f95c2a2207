"""Per-rule throttling and de-duplication in front of the sinks: the same alert text
from the same rule within ``dedup_seconds`` is sent once; no rule sends more than
``per_rule_per_minute`` alerts a minute. Suppressed alerts are counted, and the
report keeps every alert regardless."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from seawall.detect.alert import Alert


@dataclass
class AlertThrottle:
    """Decides which alerts reach the sinks."""

    dedup_seconds: float = 60.0
    per_rule_per_minute: int = 120
    deduplicated: int = 0
    throttled: int = 0
    _seen: dict[tuple[str, str], float] = field(default_factory=dict)
    _recent: dict[str, deque[float]] = field(default_factory=dict)

    def admit(self, alert: Alert) -> bool:
        """True when the alert should be sent (wall-clock-free: event time decides)."""
        now = alert.time
        key = (alert.rule.id, alert.output)
        last = self._seen.get(key)
        if last is not None and abs(now - last) < self.dedup_seconds:
            self.deduplicated += 1
            return False
        if len(self._seen) > 100_000:
            self._seen.clear()
        self._seen[key] = now
        window = self._recent.setdefault(alert.rule.id, deque())
        while window and window[0] <= now - 60:
            window.popleft()
        if len(window) >= self.per_rule_per_minute:
            self.throttled += 1
            return False
        window.append(now)
        return True
