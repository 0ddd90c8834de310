"""Times read as integers (issue 14) are written as the very serials the local date-times gave, in any zone,
on either side of a change of offset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from guanjia.exports.chunks import Clock, micros_of
from guanjia.exports.xlsx import Stamp, _serial


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Europe/Berlin", "America/St_Johns", "Australia/Lord_Howe"])
def test_s03_times_are_the_serials_of_their_local_time(zone):
    tz, clock = ZoneInfo(zone), Clock(ZoneInfo(zone))
    starts = [datetime(2026, 3, 28, 20, tzinfo=UTC), datetime(2026, 10, 24, 20, tzinfo=UTC)]  # DST changes
    starts += [datetime(2025, 4, 4, 12, tzinfo=UTC), datetime(1970, 1, 1, tzinfo=UTC)]
    starts += [datetime(1899, 12, 31, tzinfo=UTC)]  # before standard time: an offset in odd seconds
    for start in starts:
        for minutes in range(0, 3 * 24 * 60, 7):
            when = start + timedelta(minutes=minutes, microseconds=minutes * 1013 % 1_000_000)
            serial = clock.serial(micros_of(when))
            assert type(serial) is Stamp
            assert serial == _serial(when.astimezone(tz).replace(tzinfo=None)), when
    assert clock.serial(None) is None
