from csp.decorators import csp_update
from django.urls import include, path
from django.utils.module_loading import autodiscover_modules
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from guanjia.api.auth import TokenView
from guanjia.api.router import router

autodiscover_modules("api")

urlpatterns = [
    path("v1/auth/token", TokenView.as_view(), name="api-token"),
    path("v1/resident/", include("guanjia.residents.api_urls")),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file (/api/docs/?script=), so script-src stays
    # 'self'; only this page allows inline styles, for the <style> block of drf-spectacular's template.
    path(
        "docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
]
