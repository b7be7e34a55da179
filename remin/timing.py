"""Optional per-stage timing (``remin check --profile-stages FILE``): exclusive wall
seconds per stage, nested stages subtracted from their parent. Off unless enabled."""
from __future__ import annotations

import functools
import time
from contextlib import contextmanager

_enabled = False
_totals: dict[str, float] = {}
_stack: list[list] = []          # [name, start, time spent in children]


def enable() -> None:
    global _enabled
    _enabled = True
    _totals.clear()


def totals() -> dict[str, float]:
    return dict(_totals)


@contextmanager
def stage(name: str):
    if not _enabled:
        yield
        return
    frame = [name, time.perf_counter(), 0.0]
    _stack.append(frame)
    try:
        yield
    finally:
        _stack.pop()
        spent = time.perf_counter() - frame[1]
        _totals[name] = _totals.get(name, 0.0) + spent - frame[2]
        if _stack:
            _stack[-1][2] += spent


def timed(name: str):
    """Decorator form of :func:`stage`."""
    def wrap(fn):
        @functools.wraps(fn)
        def inner(*args, **kwargs):
            with stage(name):
                return fn(*args, **kwargs)
        return inner
    return wrap
