"""Per-rule state of stateful rules: sliding-window counts, sequences, first-seen.
Memory is bounded: each rule keeps at most ``max_keys`` keys (oldest dropped first)."""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Any

from seawall.detect.event import Event
from seawall.detect.rule import CountWindow, FirstSeen, SequenceWindow

KeyReader = Callable[[Event], tuple[Any, ...]]


class _BoundedKeys(OrderedDict[tuple[Any, ...], Any]):
    def __init__(self, max_keys: int) -> None:
        super().__init__()
        self.max_keys = max_keys
        self.evicted = 0

    def touch(self, key: tuple[Any, ...], default: Callable[[], Any]) -> Any:
        if key in self:
            self.move_to_end(key)
            return self[key]
        value = self[key] = default()
        if len(self) > self.max_keys:
            self.popitem(last=False)
            self.evicted += 1
        return value


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


class CountState:
    """Sliding-window count per key; resets the key once it fires (one alert per burst)."""

    def __init__(self, spec: CountWindow, key: KeyReader, max_keys: int = 100_000) -> None:
        self.spec = spec
        self.key = key
        self.keys = _BoundedKeys(max_keys)

    def observe(self, ev: Event) -> bool:
        """Record a matching event; True when the threshold is reached."""
        times: deque[float] = self.keys.touch(self.key(ev), deque)
        times.append(ev.time)
        horizon = ev.time - self.spec.seconds
        # Out-of-order events: drop whatever lies outside the window around this one.
        while times and times[0] < horizon:
            times.popleft()
        if len([t for t in times if t <= ev.time + self.spec.seconds]) >= self.spec.threshold:
            times.clear()
            return True
        return False


class SequenceState:
    """Progress per key through the steps of a sequence rule."""

    def __init__(self, spec: SequenceWindow, key: KeyReader, max_keys: int = 100_000) -> None:
        self.spec = spec
        self.key = key
        self.keys = _BoundedKeys(max_keys)

    def observe(self, ev: Event) -> bool:
        """Advance on a step match; True when the last step completes in the window."""
        steps = self.spec.steps
        key = self.key(ev)
        progress = self.keys.get(key)
        if progress is not None:
            index, started = progress
            if ev.time - started > self.spec.seconds:
                del self.keys[key]
                progress = None
            elif steps[index](ev):
                if index + 1 == len(steps):
                    del self.keys[key]
                    return True
                self.keys[key] = (index + 1, started)
                return False
        if steps[0](ev) and (progress is None or progress[0] == 1):
            self.keys.touch(key, lambda: (1, ev.time))
            self.keys[key] = (1, ev.time)
        return False


class FirstSeenState:
    """Values seen per key; the first event of a key is its baseline, not an alert."""

    def __init__(self, spec: FirstSeen, key: KeyReader, value: KeyReader,
                 max_keys: int = 100_000, max_values: int = 1_000) -> None:
        self.spec = spec
        self.key = key
        self.value = value
        self.keys = _BoundedKeys(max_keys)
        self.max_values = max_values

    def observe(self, ev: Event) -> bool:
        """True when the key was known and this value is new for it."""
        key = self.key(ev)
        value = self.value(ev)
        known = key in self.keys
        seen: set[tuple[Any, ...]] = self.keys.touch(key, set)
        if value in seen:
            return False
        if len(seen) < self.max_values:
            seen.add(value)
        return known


def key_reader(getters: list[Callable[[Event], Any]]) -> KeyReader:
    """A function reading a tuple key of field values."""
    return lambda ev: tuple(_hashable(g(ev)) for g in getters)
