"""Many cases at once for the export tests (bulk_create, no services: speed, not the lifecycle)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType

from guanjia.cases.models import Deadline, DeadlineState
from guanjia.complaints.models import Complaint


def bulk_complaints(
    project: Any, user: Any, count: int, *, start: datetime, unit: Any = None, prefix: str = "B"
) -> int:
    """``count`` completed complaints received a minute apart from ``start``, each with a met response and
    resolve limit (every third resolved late)."""
    complaints = [
        Complaint(
            project=project,
            number=f"{prefix}{project.pk}-{i:07d}",
            received_at=start + timedelta(minutes=i),
            registered_by=user,
            unit=unit,
            customer_name=f"客户{i}",
            contact_phone=f"139{i:08d}",
            channel="phone",
            description="楼道灯不亮" * 3,
            status="completed",
            nature="valid",
            completed_at=start + timedelta(minutes=i, hours=20),
            result="已更换灯管",
        )
        for i in range(count)
    ]
    Complaint.objects.bulk_create(complaints, batch_size=2000)
    ct = ContentType.objects.get_for_model(Complaint)
    ids = Complaint.objects.filter(number__startswith=f"{prefix}{project.pk}-").values_list("id", "received_at")
    limits = []
    for n, (pk, received) in enumerate(ids):
        limits.append(
            Deadline(
                project=project,
                subject_type=ct,
                subject_id=pk,
                kind="response",
                due_at=received + timedelta(minutes=30),
                met_at=received + timedelta(minutes=10),
                state=DeadlineState.MET,
            )
        )
        limits.append(
            Deadline(
                project=project,
                subject_type=ct,
                subject_id=pk,
                kind="resolve",
                due_at=received + timedelta(hours=24 if n % 3 else 12),
                met_at=received + timedelta(hours=20),
                state=DeadlineState.MET,
                late=n % 3 == 0,
            )
        )
    Deadline.objects.bulk_create(limits, batch_size=2000)
    return count
