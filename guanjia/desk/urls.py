from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from guanjia.desk import alerts, views


class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico on every page: send them to the static icon (cached, hashed in production)."""

    permanent = False

    def get_redirect_url(self, *args: object, **kwargs: object) -> str:
        return static("favicon.ico")


app_name = "desk"
urlpatterns = [
    path("", views.home, name="home"),
    path("switch-project/", views.switch_project, name="switch_project"),
    path("first-run/", views.first_run_page, name="first_run"),
    path("alerts/", alerts.feed, name="alerts"),
    path("alerts/dismiss/", alerts.dismiss, name="alerts_dismiss"),
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
]
