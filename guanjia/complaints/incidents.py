"""Reads about incidents (C12): how many distinct customers an incident has, and which incidents a new
complaint is likely about. The scoring itself is ``similarity.match`` (pure); this module loads candidates.

Counting customers: a complaint from a customer in the archive counts that customer once however many times
they complain; a caller not in the archive counts once per contact phone (the best identity we have).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from guanjia.complaints.models import Complaint, Incident
from guanjia.complaints.similarity import WINDOW, Features, Match, keywords, match
from guanjia.estates.models import Building, Project

#: Candidates scoring below this are not worth showing.
MIN_SCORE = 0.2


def customer_count_expressions() -> dict[str, Count]:
    """The two counts whose sum is the number of distinct customers of an incident, for ``annotate``."""
    return {
        "n_archive_customers": Count("complaints__customer", distinct=True),
        "n_callers": Count("complaints__contact_phone", filter=Q(complaints__customer__isnull=True), distinct=True),
    }


def with_customer_count(incidents: QuerySet[Incident]) -> QuerySet[Incident]:
    """Annotate ``customer_count`` in SQL (one query for a whole list)."""
    return incidents.annotate(**customer_count_expressions()).annotate(
        customer_count=Coalesce("n_archive_customers", 0) + Coalesce("n_callers", 0)
    )


def incident_customer_count(incident: Incident, *, joining: Complaint | None = None) -> int:
    """Distinct customers who complained about ``incident`` (C06's "10 or more customers").

    ``joining`` is a complaint about to be written into the incident (graded before its row exists): its
    customer (or, for a caller not in the archive, its contact phone) counts too unless already counted.
    One query either way."""
    counts: dict[str, Count] = {
        "customers": Count("customer", distinct=True),
        "callers": Count("contact_phone", filter=Q(customer__isnull=True), distinct=True),
    }
    if joining is not None:
        if joining.customer_id is not None:
            same = Q(customer_id=joining.customer_id)
        else:
            same = Q(customer__isnull=True, contact_phone=joining.contact_phone)
        counts["same"] = Count("id", filter=same)
    figures = Complaint.objects.filter(incident=incident).aggregate(**counts)
    total = int(figures["customers"] or 0) + int(figures["callers"] or 0)
    if joining is not None and not figures["same"]:
        total += 1
    return total


def incident_suggestions(
    *,
    project: Project,
    description: str,
    location: str = "",
    building: Building | int | None = None,
    at: datetime | None = None,
    exclude: Incident | int | None = None,
    limit: int = 5,
) -> list[tuple[Incident, Match]]:
    """Incidents of ``project`` a new complaint is likely about, best first (C12).

    Candidates are the incidents with a complaint received (or which were opened or occurred) within
    ``similarity.WINDOW`` of ``at``; each is scored against the incident's own title and place and against
    each of its complaints, keeping the best. Two queries.
    """
    at = at or timezone.now()
    building_id = building if isinstance(building, int) or building is None else building.pk
    since, until = at - WINDOW, at + WINDOW
    recent = (
        Q(complaints__received_at__range=(since, until))
        | Q(created_at__range=(since, until))
        | Q(occurred_at__range=(since, until))
    )
    candidates = Incident.objects.filter(project=project).filter(recent).distinct()
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude if isinstance(exclude, int) else exclude.pk)
    incidents = {i.pk: i for i in candidates.order_by("-created_at", "-id")[:50]}
    if not incidents:
        return []
    new = Features(building_id=building_id, location=location, at=at, words=keywords(f"{location} {description}"))
    best: dict[int, Match] = {}
    for incident in incidents.values():
        features = Features(
            building_id=incident.building_id,
            location=incident.location,
            at=incident.occurred_at or incident.created_at,
            words=keywords(f"{incident.location} {incident.title}"),
        )
        best[incident.pk] = match(new, features)
    members = (
        Complaint.objects.filter(incident_id__in=incidents, received_at__range=(since, until))
        .select_related("unit")
        .only("incident_id", "location", "description", "received_at", "unit__building_id")
        .order_by("-received_at")[:500]
    )
    for complaint in members:
        assert complaint.incident_id is not None
        features = Features(
            building_id=complaint.unit.building_id if complaint.unit is not None else None,
            location=complaint.location,
            at=complaint.received_at,
            words=keywords(f"{complaint.location} {complaint.description}"),
        )
        scored = match(new, features)
        if scored.score > best[complaint.incident_id].score:
            best[complaint.incident_id] = scored
    ranked = sorted(
        ((incidents[pk], m) for pk, m in best.items() if m.score >= MIN_SCORE), key=lambda pair: -pair[1].score
    )
    return ranked[:limit]
