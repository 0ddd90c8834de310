"""Reads of return visits."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models

from guanjia.visits.models import ReturnVisit


def return_visit_for(case: models.Model) -> ReturnVisit | None:
    """The return visit planned for ``case``, if any."""
    return ReturnVisit._default_manager.filter(
        content_type=ContentType.objects.get_for_model(case), object_id=case.pk
    ).first()
