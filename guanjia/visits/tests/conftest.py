"""Helpers of the visits tests: completed cases at given times and a drawn signature."""

from __future__ import annotations

import base64
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from PIL import Image, ImageDraw

from guanjia.complaints.models import Complaint
from guanjia.complaints.services import (
    complaint_complete,
    complaint_dispatch,
    complaint_register,
    complaint_set_nature,
)

SH = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SH)


@pytest.fixture
def signature_png() -> str:
    image = Image.new("RGBA", (300, 120), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(20, 90), (120, 20), (200, 100), (280, 30)], fill=(0, 0, 0, 255), width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


@pytest.fixture
def completed_complaint(world):
    """``completed_complaint(completed_at, **facts)``: a complaint of 李明 handled and completed at that time."""

    def make(completed_at: datetime, *, facts: dict | None = None, incident=None) -> Complaint:
        received = completed_at.replace(hour=9, minute=0)
        complaint = complaint_register(
            project=world.estate,
            actor=world.front_desk,
            channel="phone",
            description="楼上漏水",
            customer=world.customer,
            received_at=received,
            facts=facts,
            incident=incident,
        )
        complaint_dispatch(complaint=complaint, department="engineering", actor=world.front_desk, at=received)
        complaint_set_nature(complaint=complaint, nature="valid", actor=world.supervisor)  # C04 before C15
        return complaint_complete(
            complaint=complaint, result="已修复防水层", actor=world.supervisor, completed_at=completed_at
        )

    return make
