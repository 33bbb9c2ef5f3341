"""Where an operation's time goes: wall-clock timers wrapped around named functions for a while.

The functions are replaced on their module or class for the duration of a ``with`` block and put
back afterwards. Only functions called a few times per operation should be wrapped: the wrapper
costs about a microsecond per call, nothing next to what it measures, but it would add up on a
function called once per posting.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


class Timers:
    """Seconds and calls per label, summed while :meth:`patched` is active."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}

    def reset(self) -> None:
        self.seconds = dict.fromkeys(self.seconds, 0.0)
        self.calls = dict.fromkeys(self.calls, 0)

    def _wrap(self, label: str, function: Callable[..., Any]) -> Callable[..., Any]:
        self.seconds.setdefault(label, 0.0)
        self.calls.setdefault(label, 0)

        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - started
                self.calls[label] += 1

        return timed

    @contextmanager
    def patched(self, targets: dict[str, tuple[object, str]]) -> Iterator[Timers]:
        """Wrap ``owner.name`` for each ``label: (owner, name)`` until the block ends."""
        originals: list[tuple[object, str, Any]] = []
        try:
            for label, (owner, name) in targets.items():
                original = owner.__dict__[name] if isinstance(owner, type) else getattr(owner, name)
                originals.append((owner, name, original))
                setattr(owner, name, self._wrap(label, getattr(owner, name)))
            yield self
        finally:
            for owner, name, original in reversed(originals):
                setattr(owner, name, original)

    def rounded(self) -> dict[str, float]:
        return {label: round(seconds, 4) for label, seconds in self.seconds.items()}
