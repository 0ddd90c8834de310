"""/api/v1/projects, units and customers (O01, O03, O04).

Every list starts from what the user may see (``access.scope``) and every object is fetched through
``access.get_for_user``, so another project's objects answer 404. Writes go through ``estates.services``;
a stale ``version`` answers 409 with the reason. Phones are masked; ``customers/{id}/reveal-phone`` shows
them in full to the roles that need them and records the reveal on the customer's timeline.
"""

from __future__ import annotations

from guanjia.api.router import router
from guanjia.estates.api.common import MaskedPhoneField, RetireSerializer, ScopedPrimaryKeyField
from guanjia.estates.api.customers import CustomerViewSet
from guanjia.estates.api.estate import BuildingViewSet, ProjectViewSet, UnitViewSet

__all__ = [
    "BuildingViewSet",
    "CustomerViewSet",
    "MaskedPhoneField",
    "ProjectViewSet",
    "RetireSerializer",
    "ScopedPrimaryKeyField",
    "UnitViewSet",
]

router.register("projects", ProjectViewSet, basename="project")
router.register("buildings", BuildingViewSet, basename="building")
router.register("units", UnitViewSet, basename="unit")
router.register("customers", CustomerViewSet, basename="customer")
