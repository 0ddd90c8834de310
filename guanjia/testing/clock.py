"""Run the whole suite on another day: ``GUANJIA_TEST_CLOCK=2028-01-31T23:58:00+08:00 pytest``.

No test may depend on the day, hour or time zone it runs in. CI proves it by running the suite a second time
with the clock moved (``make pytest-moved-clock``): every process of the run starts at that instant and the clock
keeps ticking from there, so a run started a few minutes before midnight also crosses a day and a month end.
Tests that travel or freeze the clock themselves (``time_machine``) nest inside this travel as usual.

Loaded for the whole suite as a pytest plugin (``pytest_plugins`` in the root conftest).
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

import pytest

ENV = "GUANJIA_TEST_CLOCK"
_traveller: Any = None


def moved_clock() -> datetime | None:
    """The instant the run starts at when the clock is moved, else None. A bad value stops the run."""
    raw = os.environ.get(ENV, "").strip()
    if not raw:
        return None
    try:
        instant = datetime.fromisoformat(raw)
    except ValueError:
        raise pytest.UsageError(f"{ENV}={raw!r} is not an ISO 8601 date and time") from None
    if instant.tzinfo is None:
        raise pytest.UsageError(f"{ENV}={raw!r} needs a UTC offset, e.g. 2028-01-31T23:58:00+08:00")
    return instant


def pytest_configure(config: pytest.Config) -> None:
    global _traveller
    instant = moved_clock()
    if instant is None:
        return
    import time_machine

    _traveller = time_machine.travel(instant, tick=True)
    _traveller.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    global _traveller
    if _traveller is not None:
        _traveller.stop()
        _traveller = None


def pytest_report_header(config: pytest.Config) -> str | None:
    instant = moved_clock()
    return f"clock moved: the run starts at {instant.isoformat()}" if instant else None
