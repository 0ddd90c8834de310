"""One router for /api/v1/. Each app's ``api.py`` registers its viewsets here when it is imported
(``guanjia.api.urls`` imports them all through Django's ``autodiscover_modules("api")``)."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()
router.trailing_slash = "/?"  # accept both /api/v1/units and /api/v1/units/
